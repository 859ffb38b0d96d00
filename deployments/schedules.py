"""Deployment declarations with their schedules (the flows themselves hold none).

Two ways to run them, both from :data:`DEPLOYMENTS` (docs/operations.md):

* one machine, one long-running process that is both the worker and the scheduler::

      PREFECT_API_URL=http://127.0.0.1:4200/api python -m deployments.schedules

* a Prefect server with a ``process`` work pool and one or more workers (runs survive
  a restart of the deploying shell, the UI can pause and trigger each deployment)::

      PREFECT_API_URL=http://127.0.0.1:4200/api python -m deployments.worker \\
          --pool cchc --workspace /srv/cchc/workspace

Scheduled report runs pass no ``period``: ``monthly_report`` derives the last closed
period of their ``period_kind`` itself. Operators rerun any period from the UI form or
``prefect deployment run 'monthly-report/bao-cao-thang' --param period=2025-05``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prefect import Flow, serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from config.settings import DEFAULT_TIMEZONE, Settings
from flows.collect import collect_submissions
from flows.monthly_report import monthly_report
from flows.reminders import reminders

TIMEZONE = DEFAULT_TIMEZONE

# Under the Ministry's convention a month closes on the 14th and agencies are due on the
# 18th; the report runs on the 19th at 07:00, after the due date.
MONTHLY_REPORT_CRON = "0 7 19 * *"
# The Ministry's periodic CCHC reports are Q1 (15 Dec - 14 Mar), 6 months (- 14 Jun),
# 9 months (- 14 Sep) and the year (- 14 Dec); the province reports by about the 20th
# of the closing month, so each runs on the 19th at 08:00, after that month's report.
# (Q2-Q4 are inside the 6-month, 9-month and year reports; to report every quarter
# anyway, make the quarter's month field "3,6,9,12".)
QUARTER_REPORT_CRON = "0 8 19 3 *"
HALF_YEAR_REPORT_CRON = "0 8 19 6 *"
NINE_MONTHS_REPORT_CRON = "0 8 19 9 *"
YEAR_REPORT_CRON = "0 8 19 12 *"
# The inbox is collected every 15 minutes so that receipts reach agencies quickly.
COLLECT_CRON = "*/15 * * * *"

# Reminders to units that have not reported: 08:00 on the 15th (the month's data window
# has just closed) and 08:00 the day before the due date (CCHC_DUE_DAY, default 18 → 17th).
# Changing the due day in a deployment's environment does not move this cron: edit it here.
REMINDER_DAYS = sorted({15, Settings.model_fields["due_day"].default - 1})
REMINDERS_CRON = f"0 8 {','.join(str(d) for d in REMINDER_DAYS)} * *"

# A collection still running (a large inbox) makes the next one a no-op, not a queue.
ONE_COLLECTION_AT_A_TIME = ConcurrencyLimitConfig(
    limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)

MONTHLY_REPORT_ENTRYPOINT = "flows/monthly_report.py:monthly_report"
COLLECT_ENTRYPOINT = "flows/collect.py:collect_submissions"
REMINDERS_ENTRYPOINT = "flows/reminders.py:reminders"


@dataclass(frozen=True)
class DeploymentSpec:
    """What a deployment is, independent of how it is run (serve or a work pool)."""

    flow: Flow[..., Any]
    entrypoint: str  # relative to the repository root, for workers
    name: str
    cron: str
    description: str
    tags: tuple[str, ...]
    parameters: dict[str, Any] = field(default_factory=dict)
    concurrency_limit: ConcurrencyLimitConfig | None = None

    def options(self) -> dict[str, Any]:
        """Keyword arguments of ``Flow.to_deployment`` shared by both ways of running."""
        return {"name": self.name, "schedules": [Cron(self.cron, timezone=TIMEZONE)],
                "parameters": dict(self.parameters), "description": self.description,
                "tags": list(self.tags), "concurrency_limit": self.concurrency_limit}


def _report(name: str, cron: str, kind: str, what: str) -> DeploymentSpec:
    return DeploymentSpec(
        monthly_report, MONTHLY_REPORT_ENTRYPOINT, name, cron,
        f"Báo cáo CCHC tổng hợp {what} gửi Sở Nội vụ (kỳ vừa kết thúc).",
        ("cchc", "bao-cao"), {"publish": True, "period_kind": kind})


DEPLOYMENTS: tuple[DeploymentSpec, ...] = (
    _report("bao-cao-thang", MONTHLY_REPORT_CRON, "month", "tháng"),
    _report("bao-cao-quy", QUARTER_REPORT_CRON, "quarter", "quý"),
    _report("bao-cao-6-thang", HALF_YEAR_REPORT_CRON, "half", "6 tháng"),
    _report("bao-cao-9-thang", NINE_MONTHS_REPORT_CRON, "nine_months", "9 tháng"),
    _report("bao-cao-nam", YEAR_REPORT_CRON, "year", "năm"),
    DeploymentSpec(collect_submissions, COLLECT_ENTRYPOINT, "thu-nhan", COLLECT_CRON,
                   "Thu nhận tệp các đơn vị nộp (15 phút một lần) và gửi phiếu báo lỗi.",
                   ("cchc", "thu-nhan"), concurrency_limit=ONE_COLLECTION_AT_A_TIME),
    DeploymentSpec(reminders, REMINDERS_ENTRYPOINT, "nhac-nop-bao-cao", REMINDERS_CRON,
                   "Gửi thư nhắc các đơn vị chưa nộp báo cáo kỳ đang mở (mỗi thư một lần "
                   "mỗi đợt).", ("cchc", "nhac-nop")),
)


def _built(deployment: object) -> RunnerDeployment:
    """``to_deployment`` is typed as maybe-async; called from sync code it is not."""
    assert isinstance(deployment, RunnerDeployment)
    return deployment


def build_deployments() -> list[RunnerDeployment]:
    """The deployments for ``serve``: this process runs the flows it imported."""
    return [_built(spec.flow.to_deployment(**spec.options())) for spec in DEPLOYMENTS]


if __name__ == "__main__":  # pragma: no cover - long-running process
    serve(*build_deployments())
