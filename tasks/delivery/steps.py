"""Prefect tasks of the delivery stage: handing a report version to Sở Nội vụ."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State

from tasks.delivery import deliver
from tasks.model.ports import DeliveryRecords, MailSender, ReportOutbox
from tasks.report.versions import ReportOutcome


@task(name="gui-so-noi-vu", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def deliver_report(outbox: ReportOutbox, deliveries: DeliveryRecords,
                   mail: deliver.MailChannel[MailSender] | None,
                   outcome: ReportOutcome) -> deliver.DeliveryResult:
    """Hand the report to Sở Nội vụ: the outbox copy, then the e-mail (once per version;
    unsent mail of earlier runs first). Only I/O here, so retrying is safe."""
    return deliver.deliver_report(outcome, outbox, deliveries, mail)


def delivery_summary(state: State[deliver.DeliveryResult] | None) -> dict[str, object]:
    """What the delivery did, for the run's result; re-raises its failure (the run then
    ends FAILED with the reason). ``None``: nothing was published."""
    if state is None:
        return {"published_to": None, "delivery": "không gửi (publish=False)"}
    return state.result().summary()
