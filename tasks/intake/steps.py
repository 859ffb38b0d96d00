"""Prefect tasks of the intake stage: thin wrappers around :mod:`tasks.intake.collect`.

Each takes the folder's :class:`Intake` (a plain object bound to the folder, store and
rules, which Prefect passes as it is) and small values; none is cached (``NO_CACHE``):
each changes the folder and the database.
"""

from __future__ import annotations

from datetime import timedelta

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from tasks.intake import settling
from tasks.intake.collect import CollectSummary, FileOutcome, Intake, RepairSummary
from tasks.intake.settling import Listing
from tasks.intake.summaries import collect_markdown, collect_table
from tasks.model.records import InboxFile


@task(name="sua-thu-nhan-do-dang", cache_policy=NO_CACHE)
def repair_intake(intake: Intake) -> RepairSummary:
    """Finish what an interrupted run left in the folder (run under the workspace lock,
    before the listing)."""
    return intake.repair()


@task(name="liet-ke-tep-cho-thu-nhan", cache_policy=NO_CACHE)
def list_ready_files(intake: Intake, settle: timedelta, wait: bool) -> Listing:
    """The files ready to take in, and those still being written.

    With ``wait`` (an explicit command), files still being written are waited for, with
    a line in the run log saying which and for how long; without (a scheduled run), they
    are listed as waiting and left for a later intake."""
    folder, store, clock = intake.folder, intake.store, intake.clock
    if not wait:
        listing = settling.scan(folder, store, now=clock(), settle=settle)
    else:
        listing = settling.wait_until_settled(folder, store, clock=clock, settle=settle,
                                              announce=get_run_logger().info)
    if listing.waiting:
        get_run_logger().warning(
            "%d tệp đang được ghi, để lần thu nhận sau: %s", len(listing.waiting),
            ", ".join(w.shown_path for w in listing.waiting))
    return listing


_OUTCOME_VI = {"accepted": "đã nhận", "duplicate": "trùng, bỏ qua", "rejected": "bị từ chối"}


def _log_outcome(item: InboxFile, outcome: FileOutcome | None) -> None:
    """One line per file in the run's log: what became of it, and why when rejected."""
    logger = get_run_logger()
    if outcome is None:
        logger.warning("%s: không còn trong thư mục khi thu nhận", item.relative_name)
        return
    line = f"{outcome.file}: {_OUTCOME_VI[outcome.outcome]} (kỳ {outcome.period or '?'})"
    if outcome.superseded:
        line += f", thay thế {outcome.superseded} tệp trước"
    if outcome.problems:
        line += f", {outcome.total_problems} lỗi: {outcome.problems[0].line_vi()}"
    logger.info(line)


# One task per file: the file (a small record) and the folder's intake (a plain object,
# passed to the task as it is).
@task(name="thu-nhan-bao-cao", cache_policy=NO_CACHE, task_run_name="thu-nhan-{item.name}")
def collect_submission_file(item: InboxFile, intake: Intake) -> FileOutcome | None:
    outcome = intake.take(item)
    _log_outcome(item, outcome)
    return outcome


@task(name="thu-nhan-so-lieu-cong-dvc", cache_policy=NO_CACHE,
      task_run_name="thu-nhan-cong-{item.name}")
def collect_portal_file(item: InboxFile, intake: Intake) -> FileOutcome | None:
    outcome = intake.take(item)
    _log_outcome(item, outcome)
    return outcome


@task(name="dang-ket-qua-thu-nhan", cache_policy=NO_CACHE)
def publish_collect_artifacts(inbox: CollectSummary, portal: CollectSummary,
                              period: str | None) -> None:
    """Show what the collection did in the Prefect UI."""
    title = "Thu nhận báo cáo" + (f" kỳ {period}" if period else "")
    create_markdown_artifact(collect_markdown(inbox, title)
                             + "\n" + collect_markdown(portal, "Số liệu cổng dịch vụ công"),
                             key="thu-nhan-bao-cao", description=title)
    rows = collect_table(inbox) + collect_table(portal)
    if rows:
        create_table_artifact(rows, key="thu-nhan-tung-tep", description="Kết quả từng tệp")
