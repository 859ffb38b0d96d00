"""Deliver a report version: copy it to the outbox, then send the e-mail once per version.

The message is written beside the outbox copy (``thu-dien-tu.eml``), so a later run can
resend exactly that message for any period. Unsent versions carry a ``CHUA-GUI.txt``
marker in their outbox folder, removed once every recipient has received the mail.
Without SMTP settings the outbox copy alone is the delivery.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Generic, TypeVar

from config.errors import CchcError
from tasks.delivery.report_mail import build_report_mail
from tasks.model.crash_points import crash_point
from tasks.model.ports import DeliveryRecords, MailError, MailSender, ReportOutbox
from tasks.model.records import EMAIL, PENDING, SENT, Delivery
from tasks.report.publish import ReportOutcome

log = logging.getLogger(__name__)

MAIL_FILE = "thu-dien-tu.eml"
UNSENT_MARKER = "CHUA-GUI.txt"


Sender_co = TypeVar("Sender_co", bound=MailSender, covariant=True)


@dataclass(frozen=True)
class MailChannel(Generic[Sender_co]):
    """Where the report mail goes: the SMTP server, the From address, Sở Nội vụ's addresses."""

    smtp: Sender_co
    sender: str
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class DeliveryResult:
    published_to: Path
    by_mail: bool
    sent: tuple[str, ...]  # "<period> v<N> → <recipient>", this run

    def summary(self) -> dict[str, object]:
        if not self.by_mail:
            how = "chỉ chép vào thư mục outbox (chưa cấu hình SMTP, không gửi thư điện tử)"
        elif self.sent:
            how = "thư điện tử đã gửi: " + "; ".join(self.sent)
        else:
            how = "thư điện tử: bản này đã được gửi trước đó, không gửi lại"
        return {"published_to": str(self.published_to), "delivery": how}


class DeliveryFailed(CchcError):
    """Some report mail could not be sent; the deliveries stay unsent for the next run."""


def deliver_report(outcome: ReportOutcome, outbox: ReportOutbox, deliveries: DeliveryRecords,
                   mail: MailChannel[MailSender] | None,
                   clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> DeliveryResult:
    """Copy ``outcome``'s version to the outbox and send every unsent report mail.

    Older unsent versions (any period) are retried first. Raises :class:`DeliveryFailed`
    after recording the failures when any mail could not be sent.
    """
    target = outbox.publish(outcome.folder, outcome.period, outcome.version)
    log.info("kỳ %s v%d: đã chép vào hộp gửi Sở Nội vụ %s", outcome.period, outcome.version,
             target)
    if mail is None:
        log.info("chưa cấu hình SMTP: bản trong hộp gửi là bản giao")
        return DeliveryResult(target, by_mail=False, sent=())
    message = build_report_mail(outcome, sender=mail.sender, recipients=mail.recipients)
    (target / MAIL_FILE).write_bytes(message.as_bytes())
    deliveries.record(outcome.period, outcome.version, EMAIL, mail.recipients)
    sent, failed = send_unsent(outbox, deliveries, mail.smtp, clock)
    if failed:
        raise DeliveryFailed("Chưa gửi được báo cáo tới Sở Nội vụ (sẽ gửi lại ở lần chạy sau): "
                             + "; ".join(failed))
    log.info("kỳ %s v%d: đã gửi thư %s", outcome.period, outcome.version,
             ", ".join(sent) if sent else "(đã gửi ở lần chạy trước)")
    return DeliveryResult(target, by_mail=True, sent=tuple(sent))


def send_unsent(outbox: ReportOutbox, deliveries: DeliveryRecords, smtp: MailSender,
                clock: Callable[[], datetime]) -> tuple[list[str], list[str]]:
    """Send each unsent e-mail delivery, oldest first; returns what was sent and what failed."""
    sent: list[str] = []
    failed: list[str] = []
    touched: set[tuple[str, int]] = set()
    for delivery in deliveries.unsent(EMAIL):
        if interrupted(delivery):
            # an attempt began and never ended (a crash, or another run sending now):
            # the mail may have gone, so it is never sent again automatically
            log.warning("thư báo cáo %s v%d → %s: lần gửi trước bị ngắt giữa chừng (thư có "
                        "thể đã đi); không tự gửi lại", delivery.period, delivery.version,
                        delivery.recipient)
            touched.add((delivery.period, delivery.version))
            continue
        if not deliveries.begin_attempt(delivery):
            continue  # another run has it
        touched.add((delivery.period, delivery.version))
        label = f"{delivery.period} v{delivery.version} → {delivery.recipient}"
        try:
            message = _stored_message(outbox.folder(delivery.period, delivery.version))
            smtp.send(message, [delivery.recipient])
            crash_point("mail.after_send")
        except MailError as error:
            deliveries.mark_failed(delivery.id, str(error))
            failed.append(f"{label}: {error}")
            log.warning("chưa gửi được thư báo cáo %s: %s", label, error)
            continue
        deliveries.mark_sent(delivery.id, clock())
        sent.append(label)
    for period, version in sorted(touched):
        _mark_folder(outbox.folder(period, version), deliveries.for_version(period, version))
    return sent, failed


def interrupted(delivery: Delivery) -> bool:
    """An attempt was counted but neither its success nor its failure was recorded."""
    return delivery.status == PENDING and delivery.attempts > 0


_UNCERTAIN = ("lần gửi trước bị ngắt giữa chừng, không rõ thư đã tới chưa; hệ thống không tự "
              "gửi lại để tránh gửi hai lần: hãy hỏi người nhận, nếu chưa có thì gửi tay tệp "
              f"{MAIL_FILE} trong thư mục này")


def _stored_message(folder: Path) -> EmailMessage:
    path = folder / MAIL_FILE
    try:
        data = path.read_bytes()
    except OSError as error:
        raise MailError(f"không đọc được thư đã soạn {path}: {error.strerror}") from None
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def _mark_folder(folder: Path, rows: list[Delivery]) -> None:
    """Put or remove the unsent marker in a version's outbox folder."""
    marker = folder / UNSENT_MARKER
    unsent = [r for r in rows if r.status != SENT]
    if not unsent:
        marker.unlink(missing_ok=True)
        return
    if not folder.is_dir():
        return
    lines = ["BÁO CÁO NÀY CHƯA ĐƯỢC GỬI BẰNG THƯ ĐIỆN TỬ TỚI SỞ NỘI VỤ.", ""]
    lines += [f"- {r.recipient}: lần thử {r.attempts}, "
              + (_UNCERTAIN if interrupted(r) else f"lỗi: {r.last_error or 'chưa gửi'}")
              for r in unsent]
    lines += ["", "Hệ thống sẽ tự gửi lại ở lần chạy sau; khi đã gửi được, tệp này sẽ bị xoá."]
    marker.write_text("\n".join(lines) + "\n", encoding="utf-8")
