"""Prefect tasks of the delivery stage: handing a report version to Sở Nội vụ."""

from __future__ import annotations

from datetime import date, datetime

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State

from config.registry import Registry
from tasks.delivery import agency_notices, deliver
from tasks.model.clock import Clock
from tasks.model.ports import (
    DeliveryRecords,
    MailSender,
    PeriodStore,
    ReceiptSource,
    ReportOutbox,
)
from tasks.model.rules import ReportingRules
from tasks.report.publish import ReportOutcome


@task(name="gui-so-noi-vu", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def deliver_report(outbox: ReportOutbox, deliveries: DeliveryRecords,
                   mail: deliver.MailChannel[MailSender] | None,
                   outcome: ReportOutcome, clock: Clock) -> deliver.DeliveryResult:
    """Hand the report to Sở Nội vụ: the outbox copy, then the e-mail (once per version;
    unsent mail of earlier runs first). Only I/O here, so retrying is safe."""
    return deliver.deliver_report(outcome, outbox, deliveries, mail, clock)


def delivery_summary(state: State[deliver.DeliveryResult] | None) -> dict[str, object]:
    """What the delivery did, for the run's result; re-raises its failure (the run then
    ends FAILED with the reason). ``None``: nothing was published."""
    if state is None:
        return {"published_to": None, "delivery": "không gửi (publish=False)"}
    return state.result().summary()


@task(name="nhac-nop-bao-cao", cache_policy=NO_CACHE)
def plan_reminders(registry: Registry, db: PeriodStore, rules: ReportingRules,
                   today: date) -> agency_notices.ReminderPlan:
    """The units that must report for the open period and have not, with their tasks."""
    return agency_notices.plan_reminders(registry, db, rules, today)


@task(name="gui-thu-nhac", cache_policy=NO_CACHE)
def send_reminders(plan: agency_notices.ReminderPlan, deliveries: DeliveryRecords,
                   smtp: MailSender | None, sender: str,
                   today: date, clock: Clock) -> agency_notices.NoticeResult:
    """Mail each reminder once per day's round (no retries: the delivery log retries)."""
    return agency_notices.send_reminders(plan, deliveries, smtp, sender, today=today,
                                         clock=clock)


@task(name="gui-phieu-bao-loi", cache_policy=NO_CACHE)
def send_receipts(store: ReceiptSource, registry: Registry, deliveries: DeliveryRecords,
                  smtp: MailSender, sender: str, now: datetime,
                  clock: Clock) -> agency_notices.NoticeResult:
    """Mail new receipts to their agencies; a failure is logged, retried next run."""
    return agency_notices.send_receipts(store, registry, deliveries, smtp, sender, now=now,
                                        clock=clock)


@task(name="gui-phieu-canh-bao", cache_policy=NO_CACHE)
def send_warning_receipts(store: ReceiptSource, registry: Registry,
                          deliveries: DeliveryRecords, smtp: MailSender, sender: str,
                          now: datetime, clock: Clock) -> agency_notices.NoticeResult:
    """Mail accepted files' warning receipts (figures to check) to their agencies, once;
    a failure is logged, retried next run."""
    return agency_notices.send_warning_receipts(store, registry, deliveries, smtp, sender,
                                                now=now, clock=clock)
