"""Thin Prefect task wrappers around the plain domain functions.

The domain modules do not import Prefect, so they are tested as plain functions;
flows call these wrappers. Retries are set only on steps that do I/O that may pass.
Tasks taking a database or folder handle are not cached (``NO_CACHE``).
"""

from __future__ import annotations

from prefect import task
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.tasks import Task

from connectors.deliveries import DeliveryLog
from connectors.drop_folder import InboxFile
from connectors.outbox import Outbox
from connectors.portal_api import PortalApi, PortalApiError, latest_snapshot
from connectors.workspace_lock import WorkspaceLock
from tasks.delivery import deliver
from tasks.intake import collect
from tasks.intake.collect import CollectSummary
from tasks.portal import api_records as portal_api_records
from tasks.report import versions as report
from tasks.report.summaries import collect_markdown, collect_table, province_table, report_markdown

lock_workspace = task(name="khoa-thu-muc-lam-viec", cache_policy=NO_CACHE)(WorkspaceLock.acquire)
repair_intake = task(name="sua-lan-thu-nhan-do-dang", cache_policy=NO_CACHE)(collect.repair)
list_files = task(name="liet-ke-tep", cache_policy=NO_CACHE)(collect.ready_files)
collect_submission_file = task(
    name="thu-nhan-bao-cao", cache_policy=NO_CACHE, task_run_name="thu-nhan-{item.name}",
)(collect.collect_submission_file)
collect_portal_file = task(
    name="thu-nhan-so-lieu-cong-dvc", cache_policy=NO_CACHE,
    task_run_name="thu-nhan-cong-{item.name}",
)(collect.collect_portal_file)

__all__ = ["InboxFile"]


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




def _transport_failure(_task: Task[..., object], _run: TaskRun, state: State) -> bool:
    """Retry a portal fetch only when the portal was unreachable, never a bad answer."""
    try:
        state.result()
    except PortalApiError as exc:
        return exc.retryable
    except Exception:
        return False
    return False


# I/O only: asks the portal for every page and saves each answer; retried (after urllib3's
# own retries) only when the portal was unreachable, bounded by a timeout. The flow sets
# retries, delay and timeout from the settings with ``with_options``.
fetch_portal_api = task(
    name="lay-so-lieu-api-cong-dvc", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=60,
    retry_condition_fn=_transport_failure, timeout_seconds=600,
)(PortalApi.fetch)
latest_portal_snapshot = task(name="doc-ban-luu-cong-dvc", cache_policy=NO_CACHE)(
    latest_snapshot)
record_portal_snapshot = task(name="ghi-so-lieu-api-cong-dvc", cache_policy=NO_CACHE)(
    portal_api_records.record_portal_snapshot)

gather_inputs = task(name="doc-du-lieu-ky", cache_policy=NO_CACHE)(report.gather_inputs)
build_report = task(name="tinh-chi-so", cache_policy=NO_CACHE)(report.build_report)
publish_version = task(name="ghi-ban-bao-cao", cache_policy=NO_CACHE)(report.publish_version)


@task(name="gui-so-noi-vu", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def deliver_report(outbox: Outbox, deliveries: DeliveryLog, mail: deliver.MailChannel | None,
                   outcome: report.ReportOutcome) -> deliver.DeliveryResult:
    """Hand the report to Sở Nội vụ: the outbox copy, then the e-mail (once per version;
    unsent mail of earlier runs first). Only I/O here, so retrying is safe."""
    return deliver.deliver_report(outcome, outbox, deliveries, mail)


def delivery_summary(state: State[deliver.DeliveryResult] | None) -> dict[str, object]:
    """What the delivery did, for the run's result; re-raises its failure (the run then
    ends FAILED with the reason). ``None``: nothing was published."""
    if state is None:
        return {"published_to": None, "delivery": "không gửi (publish=False)"}
    return state.result().summary()


@task(name="dang-bao-cao-len-giao-dien", cache_policy=NO_CACHE)
def publish_report_artifacts(outcome: report.ReportOutcome) -> None:
    """The province figures, the change summary and a link to the report in the UI."""
    key = f"bao-cao-cchc-{outcome.period.lower()}"
    create_table_artifact(province_table(outcome), key=key,
                          description=f"Chỉ số cấp tỉnh {outcome.content.period_label_vi}")
    create_markdown_artifact(report_markdown(outcome), key=f"{key}-tom-tat",
                             description="Tóm tắt kỳ báo cáo")
    create_link_artifact(outcome.folder.resolve().as_uri(), link_text=f"Thư mục báo cáo "
                         f"{outcome.period} v{outcome.version}", key=f"{key}-thu-muc")
