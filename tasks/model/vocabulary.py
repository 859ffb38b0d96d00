"""The report's words and its one arithmetic rule, each written once.

Every stage that names a unit's submission state, names an indicator the code computes or
traces, or turns a numerator and denominator into a rate takes it from here, so that the
words an agency reads («chưa nộp» …) and the rule "no denominator, no rate" cannot drift
apart between the indicators, the trend, the dossier file and the renderers.

The indicators' names, kinds and targets are the registry's (``config/data/indicators.yaml``);
only the ids the code itself branches on are here.
"""

from __future__ import annotations

# --- a unit's submission state for the period (the report's «Đơn vị chưa nộp» list) -------

STATE_ON_TIME = "đã nộp đúng hạn"  # not listed by the report; the pages show it
STATE_MISSING = "chưa nộp"
STATE_LATE = "nộp muộn"
# a unit with no accepted file yet, whose file is still being written in the drop folder
STATE_WAITING = "tệp đang chờ thu nhận"
# a unit that has reported, with another file (a correction) still being written
STATE_SUBMITTED_WAITING = "đã nộp, có tệp đang chờ thu nhận"

# --- indicator ids ---------------------------------------------------------------------------

# from the portal's statistics export
ONLINE_FILING = "online_filing_rate"
ON_TIME = "on_time_rate"
OVERDUE_IN_PROGRESS = "overdue_in_progress"
PORTAL_INDICATORS = (ONLINE_FILING, ON_TIME, OVERDUE_IN_PROGRESS)

# from the task register and the units' task reports
TASK_COMPLETION = "task_completion_rate"
TASKS_OVERDUE = "tasks_overdue"
TASK_INDICATORS = (TASK_COMPLETION, TASKS_OVERDUE)

# from the submissions themselves (province only)
SUBMISSION = "submission_rate"
SUBMISSION_ON_TIME = "submission_on_time_rate"
SUBMISSION_INDICATORS = (SUBMISSION, SUBMISSION_ON_TIME)

# the 766 index's indicators, computed from the dossier file (``portal/ho-so-<kỳ>``)
IDX766_PREFIX = "idx766_"
IDX766_ON_TIME = "idx766_on_time"
IDX766_ONLINE_SHARE = "idx766_online_share"
IDX766_ONLINE_PAYMENT = "idx766_online_payment"
IDX766_E_RESULT = "idx766_e_result"
IDX766_DIGITISED = "idx766_digitised"
IDX766_REUSE = "idx766_reuse"
IDX766_SATISFACTION = "idx766_satisfaction"


def rate(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator`` in percent; ``None`` (shown as N/A, «không có số liệu»)
    when either part is missing or the denominator is 0, never 0 % or 100 %."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator * 100
