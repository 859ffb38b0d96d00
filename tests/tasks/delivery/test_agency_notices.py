"""Mail to agencies through a real SMTP server on 127.0.0.1: reminders, rejected files'
receipts and accepted files' warning receipts (figures to check).

The small province of tests/scenario.py, with e-mail addresses written here: SNV and STP
have one, UBND-LX has none. On 15/05/2025 the open period is 2025-05 (window 15/04-14/05,
due 18/05/2025).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from config.index766 import load_index766
from config.plausibility import load_plausibility
from config.registry import Registry, load_registry
from config.settings import REGISTRY_DIR
from connectors.database import Database
from connectors.deliveries import DeliveryLog
from connectors.drop_folder import DropFolder
from connectors.mail import SmtpSender
from tasks.delivery.agency_notices import (
    open_period,
    plan_reminders,
    send_receipts,
    send_reminders,
    send_warning_receipts,
)
from tasks.intake.collect import Intake
from tasks.intake.template import TaskEntry
from tasks.model.clock import fixed_clock, system_clock
from tasks.model.periods import parse_period
from tasks.model.rules import ReportingRules
from tests import scenario
from tests.builders import store_history, take_file, write_submission
from tests.servers import SmtpServer

SENDER = "cchc@angiang.gov.vn"
STP_MAIL = "vanthu@stp.angiang.gov.vn"
SNV_MAIL = "vanthu@snv.angiang.gov.vn"
RULES = ReportingRules()
NOW = datetime(2025, 5, 15, 1, tzinfo=UTC)  # 08:00 on 15/05 in Vietnam


@pytest.fixture
def mail_registry(tmp_path: Path) -> Registry:
    folder = tmp_path / "registry"
    scenario.write_registry(folder)
    emails = {"SNV": SNV_MAIL, "STP": STP_MAIL}
    agencies = [{**a, **({"email": emails[a["code"]]} if a["code"] in emails else {})}
                for a in scenario.AGENCIES]
    (folder / "agencies.yaml").write_text(
        yaml.safe_dump({"agencies": agencies}, allow_unicode=True), encoding="utf-8")
    return load_registry(folder)


def _smtp(server: SmtpServer) -> SmtpSender:
    return SmtpSender("127.0.0.1", server.port, starttls=False, timeout=5)


def _collect(workspace: Path, db: Database, registry: Registry) -> None:
    inbox = DropFolder.agency_inbox(workspace)
    for item in inbox.pending():
        take_file(item, inbox, db, registry, now=NOW)


def test_the_open_period_is_the_month_whose_due_date_is_next() -> None:
    assert open_period(RULES, date(2025, 5, 15)) == parse_period("2025-05")
    assert open_period(RULES, date(2025, 5, 18)) == parse_period("2025-05")
    assert open_period(RULES, date(2025, 5, 19)) == parse_period("2025-06")
    assert open_period(RULES, date(2025, 12, 20)) == parse_period("2026-01")


def test_reminders_go_once_to_units_that_have_not_reported(
        tmp_path: Path, db: Database, mail_registry: Registry,
        smtp_server: SmtpServer) -> None:
    """SNV has reported (no mail); STP has not: one mail listing its tasks T2 (due
    14/05/2025, the window's last day: not yet overdue) and T4 (no deadline), not SNV's
    T1; UBND-LX has no address and is listed. A rerun the same day sends nothing; the
    round of the 17th reminds again."""
    workspace = tmp_path / "ws"
    scenario.drop_snv(workspace, mail_registry)
    _collect(workspace, db, mail_registry)
    deliveries = DeliveryLog(db)

    plan = plan_reminders(mail_registry, db, RULES, date(2025, 5, 15))
    assert plan.period.label == "2025-05" and plan.due == date(2025, 5, 18)
    result = send_reminders(plan, deliveries, _smtp(smtp_server), SENDER,
                            today=date(2025, 5, 15), clock=system_clock)
    assert result.no_email == ("UBND-LX (UBND thành phố Long Xuyên)",)
    [(recipients, message)] = smtp_server.handler.received
    assert recipients == [STP_MAIL]
    assert message["Subject"] == "[CCHC] Nhắc nộp báo cáo CCHC tháng 5/2025 (hạn 18/05/2025)"
    body = str(message.get_body(("plain",)).get_content())
    assert "Kính gửi: Sở Tư pháp," in body
    assert ("- T2 (thể chế): Rà soát — hạn 14/05/2025; tình trạng đã báo cáo: chưa báo cáo"
            in body)
    assert "- T4 (tuyên truyền): Tuyên truyền — không có thời hạn" in body
    assert "T1" not in body and "hết ngày 18/05/2025" in body

    again = send_reminders(plan_reminders(mail_registry, db, RULES, date(2025, 5, 15)),
                           deliveries, _smtp(smtp_server), SENDER, today=date(2025, 5, 15),
                           clock=system_clock)
    assert len(smtp_server.handler.received) == 1
    assert again.sent == () and again.already_sent == (f"STP (Sở Tư pháp) → {STP_MAIL}",)

    send_reminders(plan_reminders(mail_registry, db, RULES, date(2025, 5, 17)), deliveries,
                   _smtp(smtp_server), SENDER, today=date(2025, 5, 17), clock=system_clock)
    assert [r for r, _ in smtp_server.handler.received] == [[STP_MAIL], [STP_MAIL]]


# written by hand: a month that does not exist
BAD_FILE = '{"Mã đơn vị": "STP", "Kỳ báo cáo": "13/2025", "Nhiệm vụ": [], "Chỉ tiêu": []}'


def test_a_rejected_files_receipt_is_mailed_once_and_retried_after_a_failure(
        tmp_path: Path, db: Database, mail_registry: Registry,
        smtp_server: SmtpServer) -> None:
    workspace = tmp_path / "ws"
    bad = workspace / "inbox" / "STP" / "stp-thang-13.json"
    bad.parent.mkdir(parents=True)
    bad.write_text(BAD_FILE, encoding="utf-8")
    _collect(workspace, db, mail_registry)
    deliveries = DeliveryLog(db)

    smtp_server.handler.refuse = "451 thử lại sau"
    failed = send_receipts(db, mail_registry, deliveries, _smtp(smtp_server), SENDER, now=NOW,
                           clock=system_clock)
    assert failed.failed == (f"STP/stp-thang-13.json → {STP_MAIL}",)
    assert smtp_server.handler.received == []

    smtp_server.handler.refuse = None
    sent = send_receipts(db, mail_registry, deliveries, _smtp(smtp_server), SENDER, now=NOW,
                           clock=system_clock)
    assert sent.sent == (f"STP/stp-thang-13.json → {STP_MAIL}",)
    [(recipients, message)] = smtp_server.handler.received
    assert recipients == [STP_MAIL]
    assert message["Subject"] == "[CCHC] Phiếu báo lỗi tệp báo cáo «stp-thang-13.json»"
    body = str(message.get_body(("plain",)).get_content())
    assert "PHIẾU BÁO LỖI TỆP BÁO CÁO" in body and "stp-thang-13.json" in body
    assert "tháng phải từ 1 đến 12" in body

    rerun = send_receipts(db, mail_registry, deliveries, _smtp(smtp_server), SENDER, now=NOW,
                           clock=system_clock)
    assert rerun.sent == () and len(smtp_server.handler.received) == 1


ACCEPTED_AT = datetime(2025, 6, 1, 3, tzinfo=UTC)  # 10:00 on 01/06/2025 in Vietnam


def _take_odd_may(workspace: Path, db: Database, registry: Registry, agency: str,
                  task: str, value: int) -> None:
    """``agency``'s «kiem_tra» of the last 12 months stored (tests/builders.py: median 20,
    MAD 1), then its May file with ``value`` taken in on 01/06/2025 with the plausibility
    checks on."""
    store_history(db, agency, "kiem_tra")
    write_submission(workspace / "inbox" / agency / f"{agency.lower()}-2025-05.xlsx",
                     registry, agency, entries=[TaskEntry(task, "Đang thực hiện", 50)],
                     metrics={"kiem_tra": value})
    inbox = DropFolder.agency_inbox(workspace)
    intake = Intake(inbox, db, registry, rules=RULES, index766=load_index766(REGISTRY_DIR),
                    clock=fixed_clock(ACCEPTED_AT),
                    plausibility=load_plausibility(REGISTRY_DIR))
    [item] = [i for i in inbox.pending() if i.agency_folder == agency]
    outcome = intake.take(item)
    assert outcome is not None and outcome.outcome == "accepted"


def test_an_accepted_files_warning_receipt_is_mailed_once_and_agencies_without_mail_listed(
        tmp_path: Path, db: Database, mail_registry: Registry,
        smtp_server: SmtpServer) -> None:
    """STP's May «kiem_tra» at 250 against a history of median 20 (an outlier), UBND-LX's
    at 240 (an outlier, no address), SNV's at 21 against the same history (plausible):
    one mail, to STP, saying the file was accepted with figures to check; UBND-LX listed;
    a rerun sends nothing."""
    workspace = tmp_path / "ws"
    _take_odd_may(workspace, db, mail_registry, "STP", "T2", 250)
    _take_odd_may(workspace, db, mail_registry, "UBND-LX", "T3", 240)
    _take_odd_may(workspace, db, mail_registry, "SNV", "T1", 21)
    deliveries = DeliveryLog(db)

    sent = send_warning_receipts(db, mail_registry, deliveries, _smtp(smtp_server), SENDER,
                                 now=ACCEPTED_AT, clock=system_clock)
    assert sent.sent == (f"STP/stp-2025-05.xlsx → {STP_MAIL}",)
    assert sent.no_email == ("UBND-LX/ubnd-lx-2025-05.xlsx",)
    [(recipients, message)] = smtp_server.handler.received
    assert recipients == [STP_MAIL]
    assert message["Subject"] == ("[CCHC] Đã tiếp nhận tệp báo cáo «stp-2025-05.xlsx» — có "
                                  "số liệu cần kiểm tra")
    body = str(message.get_body(("plain",)).get_content())
    assert body.startswith("PHIẾU BÁO TIẾP NHẬN TỆP BÁO CÁO — CÓ SỐ LIỆU CẦN KIỂM TRA")
    assert "Tệp đã được tiếp nhận (kỳ 2025-05)" in body
    assert ("Số cuộc kiểm tra 2025-05 = 250, trung vị 12 tháng trước 20 (MAD 1); cao gấp "
            "12,5 lần") in body
    assert str(workspace) not in body
    # the rejected files' receipts are a separate kind: none here
    assert send_receipts(db, mail_registry, deliveries, _smtp(smtp_server), SENDER,
                         now=ACCEPTED_AT, clock=system_clock).sent == ()

    rerun = send_warning_receipts(db, mail_registry, deliveries, _smtp(smtp_server), SENDER,
                                  now=ACCEPTED_AT, clock=system_clock)
    assert rerun.sent == () and rerun.already_sent == (f"STP/stp-2025-05.xlsx → {STP_MAIL}",)
    assert len(smtp_server.handler.received) == 1
