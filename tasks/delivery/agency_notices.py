"""Mail to agencies, each message once: reminders to report, and rejected files' receipts.

Every message is recorded in the delivery log before it is sent (``pending``, then
``sent`` or ``failed``), so a rerun sends nothing twice and a failed one is retried by
the next run:

- a reminder: channel ``reminder``, period = the open month, version = the reminder's
  day as ``YYYYMMDD`` (the 15th and the day before the due date are two rounds; a rerun
  the same day is the same round), recipient = the agency's e-mail;
- a receipt: channel ``receipt``, period ``phieu-loi``, version = the rejection's id,
  recipient = the agency's e-mail;
- a warning receipt (an accepted file with odd figures): channel ``warning-receipt``,
  period ``canh-bao``, version = the submission's id, recipient = the agency's e-mail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from config.registry import Registry
from tasks.delivery.agency_mail import (
    build_receipt_mail,
    build_reminder_mail,
    build_warning_receipt_mail,
)
from tasks.indicators.compute import PeriodInputs, task_progress
from tasks.model.clock import Clock
from tasks.model.periods import Period, month_period
from tasks.model.ports import DeliveryRecords, MailError, MailSender, PeriodStore, ReceiptSource
from tasks.model.records import SENT
from tasks.model.report import TaskProgressRow
from tasks.model.rules import ReportingRules
from tasks.model.submission import STATUS_DONE
from tasks.model.warning_receipt import WARNING_RECEIPT_SUFFIX

log = logging.getLogger(__name__)

REMINDER, RECEIPT, WARNING_RECEIPT = "reminder", "receipt", "warning-receipt"
RECEIPT_PERIOD, WARNING_RECEIPT_PERIOD = "phieu-loi", "canh-bao"
RECEIPTS_LOOKBACK = timedelta(days=7)  # older unsent receipts are no longer mailed


def open_period(rules: ReportingRules, today: date) -> Period:
    """The month agencies must report next: the one whose due date is today or next."""
    candidate = rules.last_closed_month(today)
    while rules.due_date(candidate) < today:
        year, month = candidate.year, candidate.first_month
        candidate = month_period(year + 1, 1) if month == 12 else month_period(year, month + 1)
    return candidate


@dataclass(frozen=True)
class Reminder:
    unit: str
    unit_name: str
    email: str | None
    tasks: tuple[TaskProgressRow, ...]  # the unit's tasks not reported done


@dataclass(frozen=True)
class ReminderPlan:
    period: Period
    due: date
    reminders: tuple[Reminder, ...]  # units that must report and have not


def plan_reminders(registry: Registry, db: PeriodStore, rules: ReportingRules,
                   today: date) -> ReminderPlan:
    """Which units to remind for the open period, each with its tasks not yet done."""
    period = open_period(rules, today)
    submitted = {s.agency_code for s in db.current_submissions(period.label)}
    inputs = PeriodInputs(period=period, rules=rules, submissions=(),
                          task_reports=db.task_reports_until(period.label),
                          metric_reports=(), portal=None)
    rows = task_progress(registry, inputs)
    reminders = tuple(
        Reminder(a.code, a.name, a.email,
                 tuple(r for r in rows if r.unit == a.code and r.status != STATUS_DONE))
        for a in rules.expected_units(registry, period) if a.code not in submitted)
    log.info("kỳ %s (hạn %s): %d đơn vị chưa nộp", period.label, rules.due_date(period),
             len(reminders))
    return ReminderPlan(period, rules.due_date(period), reminders)


@dataclass(frozen=True)
class NoticeResult:
    sent: tuple[str, ...] = ()
    already_sent: tuple[str, ...] = ()
    no_email: tuple[str, ...] = ()  # units that must be told some other way
    failed: tuple[str, ...] = ()

    def summary(self) -> dict[str, object]:
        return {"sent": list(self.sent), "already_sent": list(self.already_sent),
                "no_email": list(self.no_email), "failed": list(self.failed)}


def _send_once(deliveries: DeliveryRecords, smtp: MailSender, key: tuple[str, int, str],
               recipient: str, message: EmailMessage, clock: Clock
               ) -> str | None:
    """Send unless already sent: "sent", "already", or None after a failure (recorded)."""
    period, version, channel = key
    deliveries.record(period, version, channel, [recipient])
    row = next(d for d in deliveries.for_version(period, version)
               if d.channel == channel and d.recipient == recipient)
    if row.status == SENT or not deliveries.begin_attempt(row):
        return "already"
    try:
        smtp.send(message, [recipient])
    except MailError as error:
        deliveries.mark_failed(row.id, str(error))
        log.warning("không gửi được thư %s tới %s: %s", channel, recipient, error)
        return None
    deliveries.mark_sent(row.id, clock())
    return "sent"


def send_reminders(plan: ReminderPlan, deliveries: DeliveryRecords, smtp: MailSender | None,
                   sender: str, *, today: date, clock: Clock) -> NoticeResult:
    """Mail each planned reminder once per round (``today``); list units without e-mail."""
    sent: list[str] = []
    already: list[str] = []
    no_email: list[str] = []
    failed: list[str] = []
    key = (plan.period.label, int(f"{today:%Y%m%d}"), REMINDER)
    for reminder in plan.reminders:
        label = f"{reminder.unit} ({reminder.unit_name})"
        if not reminder.email or smtp is None:
            no_email.append(label)
            continue
        message = build_reminder_mail(reminder.unit_name, plan.period, plan.due,
                                      reminder.tasks, sender=sender, recipient=reminder.email)
        outcome = _send_once(deliveries, smtp, key, reminder.email, message, clock)
        {"sent": sent, "already": already, None: failed}[outcome].append(
            f"{label} → {reminder.email}")
    return NoticeResult(tuple(sent), tuple(already), tuple(no_email), tuple(failed))


@dataclass(frozen=True)
class _ReceiptFile:
    """A receipt written beside a kept file, to mail once to the file's agency."""

    agency_code: str
    file_name: str
    text_path: Path
    key: tuple[str, int, str]  # the delivery log's (period, version, channel)
    what: str  # what it is, for the log line when it cannot be read


def _mail_receipts(receipts: Iterable[_ReceiptFile], registry: Registry,
                   deliveries: DeliveryRecords, smtp: MailSender, sender: str, *,
                   build: Callable[..., EmailMessage], clock: Clock) -> NoticeResult:
    """Mail each receipt's text to its agency once; never raises on a mail failure (it is
    recorded and retried by the next run)."""
    sent: list[str] = []
    already: list[str] = []
    no_email: list[str] = []
    failed: list[str] = []
    for receipt in receipts:
        agency = registry.agency(receipt.agency_code)
        label = f"{receipt.agency_code}/{receipt.file_name}"
        if agency is None or not agency.email:
            no_email.append(label)
            continue
        try:
            text = receipt.text_path.read_text(encoding="utf-8")
        except OSError as error:
            log.warning("không đọc được %s %s: %s", receipt.what, receipt.text_path,
                        error.strerror)
            failed.append(label)
            continue
        message = build(receipt.file_name, text, sender=sender, recipient=agency.email)
        outcome = _send_once(deliveries, smtp, receipt.key, agency.email, message, clock)
        {"sent": sent, "already": already, None: failed}[outcome].append(
            f"{label} → {agency.email}")
    return NoticeResult(tuple(sent), tuple(already), tuple(no_email), tuple(failed))


def send_receipts(store: ReceiptSource, registry: Registry, deliveries: DeliveryRecords,
                  smtp: MailSender, sender: str, *, now: datetime,
                  clock: Clock) -> NoticeResult:
    """Mail each recent rejected file's receipt to its agency, once."""
    receipts = (_ReceiptFile(r.agency_folder, r.file_name,
                             Path(r.quarantine_path + ".loi.txt"),
                             (RECEIPT_PERIOD, r.rejection_id, RECEIPT), "phiếu báo lỗi")
                for r in store.receipts_since(now - RECEIPTS_LOOKBACK))
    return _mail_receipts(receipts, registry, deliveries, smtp, sender,
                          build=build_receipt_mail, clock=clock)


def send_warning_receipts(store: ReceiptSource, registry: Registry,
                          deliveries: DeliveryRecords, smtp: MailSender, sender: str, *,
                          now: datetime, clock: Clock) -> NoticeResult:
    """Mail each recent accepted file's warning receipt (figures to check) to its agency,
    once per file."""
    receipts = (_ReceiptFile(r.agency_code, r.file_name,
                             Path(r.archive_path + WARNING_RECEIPT_SUFFIX),
                             (WARNING_RECEIPT_PERIOD, r.submission_id, WARNING_RECEIPT),
                             "phiếu cảnh báo số liệu")
                for r in store.warning_receipts_since(now - RECEIPTS_LOOKBACK))
    return _mail_receipts(receipts, registry, deliveries, smtp, sender,
                          build=build_warning_receipt_mail, clock=clock)
