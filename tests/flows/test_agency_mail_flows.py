"""The collection flow mails receipts (never failing on mail), and the reminders flow runs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from flows.collect import collect_submissions
from flows.reminders import reminders
from tasks.delivery.agency_notices import open_period
from tasks.model.rules import ReportingRules
from tests import scenario
from tests.servers import MailHandler, SmtpServer, free_port

STP_MAIL = "vanthu@stp.angiang.gov.vn"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, SmtpServer]:
    registry_dir = tmp_path / "registry"
    registry = scenario.write_registry(registry_dir)
    agencies = [{**a, **({"email": STP_MAIL} if a["code"] == "STP" else {})}
                for a in scenario.AGENCIES]
    (registry_dir / "agencies.yaml").write_text(
        yaml.safe_dump({"agencies": agencies}, allow_unicode=True), encoding="utf-8")
    workspace = tmp_path / "workspace"
    scenario.build_workspace(workspace, registry)
    server = SmtpServer(MailHandler(), free_port())
    for name, value in {"REGISTRY_DIR": str(registry_dir), "SETTLE_SECONDS": "0",
                        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port),
                        "SMTP_STARTTLS": "false", "SMTP_TIMEOUT": "5",
                        "MAIL_SENDER": "cchc@angiang.gov.vn"}.items():
        monkeypatch.setenv(f"CCHC_{name}", value)
    monkeypatch.delenv("CCHC_DATABASE_URL", raising=False)
    monkeypatch.delenv("CCHC_MAIL_RECIPIENTS", raising=False)
    return workspace, server


def test_collection_mails_a_receipt_once_and_survives_a_mail_failure(
        env: tuple[Path, SmtpServer]) -> None:
    workspace, server = env
    (workspace / "inbox" / "STP" / "hong.xlsx").parent.mkdir(parents=True, exist_ok=True)
    (workspace / "inbox" / "STP" / "hong.xlsx").write_bytes(b"not a workbook")
    counts = collect_submissions(workspace=str(workspace))  # no mail server listening
    assert counts["rejected"] == 1 and counts["accepted"] == 2
    server.start()
    try:
        collect_submissions(workspace=str(workspace))  # retried by the next collection
        collect_submissions(workspace=str(workspace))  # and not sent twice
    finally:
        server.stop()
    [(recipients, message)] = server.handler.received
    assert recipients == [STP_MAIL]
    assert message["Subject"] == "[CCHC] Phiếu báo lỗi tệp báo cáo «hong.xlsx»"


def test_the_reminders_flow_lists_units_without_an_address(
        env: tuple[Path, SmtpServer]) -> None:
    workspace, server = env
    rules = ReportingRules()
    expected = open_period(rules, rules.today(datetime.now(UTC)))
    server.start()
    try:
        result = reminders(workspace=str(workspace))
    finally:
        server.stop()
    assert result["period"] == expected.label
    assert result["sent"] == [f"STP (Sở Tư pháp) → {STP_MAIL}"]
    assert "SNV (Sở Nội vụ)" in result["no_email"]  # type: ignore[operator]
