"""Delivery to Sở Nội vụ: a real SMTP server on 127.0.0.1 (aiosmtpd) and the real database."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from docx import Document

from config.registry import Registry
from config.settings import Settings, load_settings
from connectors.database import Database
from connectors.deliveries import DeliveryLog
from connectors.mail import SmtpSender
from connectors.outbox import Outbox
from flows.resources import build_mail_channel
from tasks.delivery.deliver import (
    MAIL_FILE,
    UNSENT_MARKER,
    DeliveryFailed,
    MailChannel,
    deliver_report,
)
from tasks.delivery.report_mail import build_report_mail
from tasks.model.clock import system_clock
from tasks.model.periods import parse_period
from tasks.model.ports import MailError
from tasks.model.records import EMAIL
from tasks.model.rules import ReportingRules
from tasks.report.build import build_report
from tasks.report.period_inputs import gather_inputs
from tasks.report.publish import ReportOutcome, publish_version
from tests import scenario
from tests.servers import MailHandler, SmtpServer, free_port
from tests.tasks.indicators.test_compute import built_report

TZ = "Asia/Ho_Chi_Minh"
SENDER = "cchc@angiang.gov.vn"
SNV = "vanthu@snv.angiang.gov.vn"
# written by hand, not by the code under test
HAND_HTML = ('<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"></head>'
             '<body class="bao-cao"><h1>BÁO CÁO CCHC VIẾT TAY</h1></body></html>')


@pytest.fixture
def small_registry(tmp_path: Path) -> Registry:
    return scenario.write_registry(tmp_path / "registry")


def channel(port: int) -> MailChannel[SmtpSender]:
    return MailChannel(SmtpSender("127.0.0.1", port, starttls=False, timeout=5), SENDER, (SNV,))


def publish(workspace: Path, db: Database, registry: Registry) -> ReportOutcome:
    built = built_report(workspace, db, registry)
    return publish_version(db, built, workspace / "reports", force=False, run_id="test",
                           now=datetime.now(UTC), timezone=TZ)


def publish_empty_period(workspace: Path, db: Database, registry: Registry,
                         label: str) -> ReportOutcome:
    inputs, portal, rejections = gather_inputs(db, parse_period(label), rules=ReportingRules())
    return publish_version(db, build_report(registry, inputs, portal, rejections),
                           workspace / "reports", force=False, run_id="test",
                           now=datetime.now(UTC), timezone=TZ)


def add_word_and_html(folder: Path, period: str) -> None:
    """What the Word and HTML renderers (other branches) will put in the version folder."""
    document = Document()
    document.add_paragraph("Báo cáo CCHC (Word, viết tay cho phép thử)")
    document.save(str(folder / f"bao-cao-cchc-{period}.docx"))
    (folder / f"bao-cao-cchc-{period}.html").write_text(HAND_HTML, encoding="utf-8")


def attachment_names(message: EmailMessage) -> set[str]:
    return {part.get_filename() or "" for part in message.iter_attachments()}


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_publish_sends_the_report_once(workspace: Path, db: Database, small_registry: Registry,
                                       smtp_server: SmtpServer) -> None:
    scenario.build_workspace(workspace, small_registry)
    outcome = publish(workspace, db, small_registry)
    add_word_and_html(outcome.folder, "2025-05")
    outbox, log = Outbox(workspace), DeliveryLog(db)

    result = deliver_report(outcome, outbox, log, channel(smtp_server.port), system_clock)

    assert len(smtp_server.handler.received) == 1
    rcpt, message = smtp_server.handler.received[0]
    assert rcpt == [SNV]
    assert message["Subject"] == "[CCHC] Báo cáo CCHC tháng 5/2025 - bản v1"
    assert message["Message-ID"] == "<bao-cao-cchc.2025-05.v1@angiang.gov.vn>"
    assert attachment_names(message) == {"bao-cao-cchc-2025-05.docx",
                                         "bao-cao-cchc-2025-05.xlsx"}
    xlsx = next(p for p in message.iter_attachments() if p.get_filename(
        "").endswith(".xlsx"))
    assert xlsx.get_content() == (
        outcome.folder / "bao-cao-cchc-2025-05.xlsx").read_bytes()
    assert "BÁO CÁO CCHC VIẾT TAY" in html_of(message)
    assert "STP — Sở Tư pháp" in text_of(message)  # the missing unit, from the summary
    # the late unit, shown as written (the Markdown escapes of the UI summary are undone)
    assert "UBND-LX — UBND thành phố Long Xuyên" in text_of(message)
    assert "\\" not in text_of(message)
    assert str(outcome.folder) not in text_of(message)  # no server path for the recipient
    target = workspace / "outbox" / "so-noi-vu" / "2025-05" / "v1"
    assert result.published_to == target and (target / "bao-cao-cchc-2025-05.docx").exists()
    assert not (target / UNSENT_MARKER).exists()
    [row] = log.for_version("2025-05", 1)
    assert (row.status, row.attempts, row.recipient) == ("sent", 1, SNV)
    assert row.sent_at is not None

    again = deliver_report(outcome, outbox, log, channel(smtp_server.port), system_clock)
    assert len(smtp_server.handler.received) == 1
    assert again.sent == () and "không gửi lại" in str(again.summary()["delivery"])
    assert log.for_version("2025-05", 1)[0].attempts == 1


def test_a_new_version_says_what_changed(workspace: Path, db: Database,
                                         small_registry: Registry,
                                         smtp_server: SmtpServer) -> None:
    scenario.build_workspace(workspace, small_registry)
    outbox, log, mail = Outbox(workspace), DeliveryLog(db), channel(smtp_server.port)
    deliver_report(publish(workspace, db, small_registry), outbox, log, mail, system_clock)
    scenario.drop_snv(workspace, small_registry, t2_done=True)
    second = publish(workspace, db, small_registry)
    assert second.version == 2

    deliver_report(second, outbox, log, mail, system_clock)

    assert len(smtp_server.handler.received) == 2
    _, message = smtp_server.handler.received[1]
    assert message["Subject"] == "[CCHC] Báo cáo CCHC tháng 5/2025 - bản v2"
    assert message["Message-ID"] == "<bao-cao-cchc.2025-05.v2@angiang.gov.vn>"
    assert attachment_names(message) == {"bao-cao-cchc-2025-05.docx",  # the Word renderer's
                                         "bao-cao-cchc-2025-05.xlsx"}
    for body in (html_of(message), text_of(message)):
        assert "Thay đổi so với v1" in body
        assert "25,00% → 50,00%" in body
    assert "UBND-LX — UBND thành phố Long Xuyên" in text_of(message)

    add_word_and_html(second.folder, "2025-05")  # with the report's HTML, the change note is on top
    html = html_of(build_report_mail(second, sender=SENDER, recipients=[SNV]))
    assert "BÁO CÁO CCHC VIẾT TAY" in html
    assert html.index("25,00% → 50,00%") < html.index("BÁO CÁO CCHC VIẾT TAY")

    (second.folder / "bao-cao-cchc-2025-05.html").unlink()  # no HTML: a page from the summary
    html = html_of(build_report_mail(second, sender=SENDER, recipients=[SNV]))
    assert "Thay đổi so với v1" in html and "25,00% → 50,00%" in html
    assert "UBND-LX — UBND thành phố Long Xuyên" in html and "\\" not in html


def test_the_message_id_is_the_same_for_the_same_version(workspace: Path, db: Database,
                                                         small_registry: Registry) -> None:
    scenario.build_workspace(workspace, small_registry)
    outcome = publish(workspace, db, small_registry)
    one = build_report_mail(outcome, sender=SENDER, recipients=[SNV])
    two = build_report_mail(outcome, sender=SENDER, recipients=[SNV])
    assert one["Message-ID"] == two["Message-ID"] == "<bao-cao-cchc.2025-05.v1@angiang.gov.vn>"
    assert one["Date"] == two["Date"]


def test_a_refusing_server_leaves_the_report_unsent_until_a_later_run(
        workspace: Path, db: Database, small_registry: Registry,
        smtp_server: SmtpServer) -> None:
    scenario.build_workspace(workspace, small_registry)
    may = publish(workspace, db, small_registry)
    outbox, log, mail = Outbox(workspace), DeliveryLog(db), channel(smtp_server.port)
    smtp_server.handler.refuse = "550 Hộp thư tạm khoá"

    with pytest.raises(DeliveryFailed, match="550"):
        deliver_report(may, outbox, log, mail, system_clock)

    may_box = outbox.folder("2025-05", 1)
    assert (may_box / "bao-cao-cchc-2025-05.xlsx").exists()  # the outbox copy was made
    assert "CHƯA ĐƯỢC GỬI" in (may_box / UNSENT_MARKER).read_text(encoding="utf-8")
    [row] = log.for_version("2025-05", 1)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error is not None and "550" in row.last_error
    assert smtp_server.handler.received == []

    # a later run, for another period, sends May first, then its own report
    smtp_server.handler.refuse = None
    june = publish_empty_period(workspace, db, small_registry, "2025-06")
    result = deliver_report(june, outbox, log, mail, system_clock)

    subjects = [m["Subject"] for _, m in smtp_server.handler.received]
    assert subjects == ["[CCHC] Báo cáo CCHC tháng 5/2025 - bản v1",
                        "[CCHC] Báo cáo CCHC tháng 6/2025 - bản v1"]
    assert len(result.sent) == 2
    assert not (may_box / UNSENT_MARKER).exists()
    assert [(r.status, r.attempts) for r in log.unsent(EMAIL)] == []
    assert log.for_version("2025-05", 1)[0].attempts == 2


def test_a_stopped_server_fails_and_the_rerun_sends(workspace: Path, db: Database,
                                                   small_registry: Registry,
                                                   smtp_server: SmtpServer) -> None:
    scenario.build_workspace(workspace, small_registry)
    outcome = publish(workspace, db, small_registry)
    outbox, log, mail = Outbox(workspace), DeliveryLog(db), channel(smtp_server.port)
    smtp_server.stop()

    with pytest.raises(DeliveryFailed, match="không gửi được"):
        deliver_report(outcome, outbox, log, mail, system_clock)
    assert (outbox.folder("2025-05", 1) / UNSENT_MARKER).exists()
    assert log.for_version("2025-05", 1)[0].status == "failed"

    smtp_server.start()
    deliver_report(outcome, outbox, log, mail, system_clock)  # a rerun of the same period
    assert len(smtp_server.handler.received) == 1
    assert not (outbox.folder("2025-05", 1) / UNSENT_MARKER).exists()
    assert (outbox.folder("2025-05", 1) / MAIL_FILE).exists()
    assert log.for_version("2025-05", 1)[0].status == "sent"


def test_without_smtp_the_outbox_copy_is_the_delivery(workspace: Path, db: Database,
                                                      small_registry: Registry) -> None:
    scenario.build_workspace(workspace, small_registry)
    outcome = publish(workspace, db, small_registry)
    log = DeliveryLog(db)
    result = deliver_report(outcome, Outbox(workspace), log, None, system_clock)
    assert (result.published_to / "bao-cao-cchc-2025-05.xlsx").exists()
    assert "chưa cấu hình SMTP" in str(result.summary()["delivery"])
    assert log.for_version("2025-05", 1) == []
    assert not (result.published_to / UNSENT_MARKER).exists()


def test_settings_build_the_channel_and_the_password_stays_hidden(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert build_mail_channel(Settings(smtp_host="127.0.0.1", mail_sender=SENDER)) is None
    monkeypatch.setenv("CCHC_SMTP_PASSWORD", "mat-khau-bi-mat")
    monkeypatch.setenv("CCHC_MAIL_RECIPIENTS", f"{SNV}, lanhdao@snv.gov.vn")
    settings = load_settings(smtp_host="127.0.0.1", smtp_port=2525, smtp_starttls=False,
                             smtp_username="cchc", mail_sender=SENDER)
    mail = build_mail_channel(settings)
    assert mail is not None
    assert mail.recipients == (SNV, "lanhdao@snv.gov.vn")
    assert (mail.smtp.port, mail.smtp.starttls, mail.smtp.password) == (
        2525, False, "mat-khau-bi-mat")
    assert "mat-khau-bi-mat" not in repr(mail) + repr(settings)


def test_login_sends_the_password_to_the_server_only(
        caplog: pytest.LogCaptureFixture) -> None:
    seen: list[tuple[str, str]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        seen.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == b"dung-mat-khau", handled=False)

    server = SmtpServer(MailHandler(), free_port())
    server.start(authenticator=authenticator, auth_require_tls=False)
    try:
        message = EmailMessage()
        message["Subject"], message["From"], message["To"] = "Thử", SENDER, SNV
        message.set_content("Nội dung thử")
        caplog.set_level(logging.DEBUG)
        wrong = SmtpSender("127.0.0.1", server.port, starttls=False, username="cchc",
                           password="sai-mat-khau", timeout=5)
        with pytest.raises(MailError, match="535") as refused:
            wrong.send(message, [SNV])
        assert "sai-mat-khau" not in str(refused.value)
        right = SmtpSender("127.0.0.1", server.port, starttls=False, username="cchc",
                           password="dung-mat-khau", timeout=5)
        right.send(message, [SNV])
    finally:
        server.stop()
    # smtplib tries each mechanism the server offers before giving up
    assert set(seen) == {("cchc", "sai-mat-khau"), ("cchc", "dung-mat-khau")}
    assert seen[-1] == ("cchc", "dung-mat-khau")
    assert len(server.handler.received) == 1
    assert "mat-khau" not in caplog.text
