"""Deployment declarations with their schedules (the flows themselves hold none).

Serve them with a long-running process next to a Prefect server::

    PREFECT_API_URL=http://127.0.0.1:4200/api python -m deployments.schedules

Scheduled runs pass only these parameters; ``monthly_report`` then derives the last
closed period itself. Operators rerun any period from the Prefect UI with the
``period``, ``force`` and ``publish`` fields.
"""

from __future__ import annotations

from prefect import serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.collect import collect_submissions
from flows.monthly_report import monthly_report

TIMEZONE = "Asia/Ho_Chi_Minh"

# Under the Ministry's convention a month closes on the 14th and agencies are due on the
# 18th; the report runs on the 19th at 07:00, after the due date.
MONTHLY_REPORT_CRON = "0 7 19 * *"
# The inbox is collected every morning so that receipts reach agencies before the due date.
DAILY_COLLECT_CRON = "0 6 * * *"


def _built(deployment: object) -> RunnerDeployment:
    """``to_deployment`` is typed as maybe-async; called from sync code it is not."""
    assert isinstance(deployment, RunnerDeployment)
    return deployment


def build_deployments() -> list[RunnerDeployment]:
    return [_built(d) for d in (
        monthly_report.to_deployment(
            name="bao-cao-thang",
            schedules=[Cron(MONTHLY_REPORT_CRON, timezone=TIMEZONE)],
            parameters={"publish": True},
            description="Báo cáo CCHC tổng hợp tháng gửi Sở Nội vụ (kỳ vừa kết thúc).",
            tags=["cchc", "bao-cao"],
        ),
        collect_submissions.to_deployment(
            name="thu-nhan-hang-ngay",
            schedules=[Cron(DAILY_COLLECT_CRON, timezone=TIMEZONE)],
            description="Thu nhận tệp các đơn vị nộp và gửi phiếu báo lỗi.",
            tags=["cchc", "thu-nhan"],
        ),
    )]


if __name__ == "__main__":  # pragma: no cover - long-running process
    serve(*build_deployments())
