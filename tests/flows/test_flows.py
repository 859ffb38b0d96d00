"""The flows end to end on a temporary workspace with a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from prefect.artifacts import Artifact

from config.registry import load_registry
from flows.collect import collect_submissions
from flows.monthly_report import monthly_report
from tasks.intake.template import TaskEntry, write_template
from tasks.model.rules import ReportingRules
from tests import scenario


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    registry_dir = tmp_path / "registry"
    registry = scenario.write_registry(registry_dir)
    workspace = tmp_path / "workspace"
    scenario.build_workspace(workspace, registry)
    monkeypatch.setenv("CCHC_REGISTRY_DIR", str(registry_dir))
    monkeypatch.delenv("CCHC_DATABASE_URL", raising=False)
    monkeypatch.setenv("CCHC_SETTLE_SECONDS", "0")  # the files were written just now
    return workspace


def test_collect_flow_counts(env: Path) -> None:
    (env / "inbox" / "STP").mkdir(parents=True, exist_ok=True)
    (env / "inbox" / "STP" / "hong.xlsx").write_bytes(b"not a workbook")
    counts = collect_submissions(period="2025-05", workspace=str(env))
    assert counts == {"accepted": 2, "duplicate": 0, "superseded": 0, "rejected": 1,
                      "waiting": 0, "portal_accepted": 1, "portal_duplicate": 0,
                      "portal_rejected": 0, "portal_waiting": 0, "waiting_files": []}
    assert (env / "cchc.db").exists()
    again = collect_submissions(workspace=str(env))
    assert again["accepted"] == 0 and again["rejected"] == 0
    table = Artifact.get("thu-nhan-tung-tep")
    assert table is not None
    assert "hong.xlsx" in json.dumps(json.loads(str(table.data)), ensure_ascii=False)


def test_monthly_report_flow_publishes_and_shows_artifacts(env: Path) -> None:
    summary = monthly_report(period="2025-05", workspace=str(env))
    assert (summary["period"], summary["version"], summary["created"]) == ("2025-05", 1, True)
    assert summary["missing_units"] == 1
    outbox = env / "outbox" / "so-noi-vu" / "2025-05" / "v1"
    assert summary["published_to"] == str(outbox)
    assert (outbox / "bao-cao-cchc-2025-05.xlsx").exists()
    doc = json.loads((outbox / "indicators.json").read_text(encoding="utf-8"))
    assert doc["version"] == 1

    table = Artifact.get("bao-cao-cchc-2025-05")
    assert table is not None and table.type == "table"
    rows = json.loads(str(table.data))
    online = next(r for r in rows if r["Chỉ số"] == "Tỷ lệ trực tuyến")
    assert (online["Tử số"], online["Mẫu số"], online["Giá trị"]) == ("230", "600", "38,33%")
    markdown = Artifact.get("bao-cao-cchc-2025-05-tom-tat")
    assert markdown is not None and "STP — Sở Tư pháp" in str(markdown.data)
    link = Artifact.get("bao-cao-cchc-2025-05-thu-muc")
    assert link is not None and "reports/2025-05/v1" in str(link.data)
    assert {t["period"] for t in doc["trend"]} == {"2025-05"}  # no earlier month published
    trend = Artifact.get("bao-cao-cchc-2025-05-xu-huong")
    assert trend is not None and trend.type == "table"
    assert all("Quy về đơn vị hiện nay" in row for row in json.loads(str(trend.data)))

    rerun = monthly_report(period="2025-05", workspace=str(env), publish=False)
    assert (rerun["version"], rerun["created"], rerun["published_to"]) == (1, False, None)


def test_collect_flow_waits_for_a_running_collection_then_stops_clearly(
        env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from connectors.workspace_lock import WorkspaceBusy, WorkspaceLock

    monkeypatch.setenv("CCHC_LOCK_TIMEOUT_SECONDS", "0.3")
    with WorkspaceLock(env), pytest.raises(WorkspaceBusy, match="một lượt thu nhận khác"):
        collect_submissions(workspace=str(env))
    assert (env / "inbox" / "SNV" / "snv.xlsx").exists()  # nothing was taken in
    counts = collect_submissions(workspace=str(env))  # the lock is free again
    assert counts["accepted"] == 2


def test_monthly_report_mails_once_and_a_failed_mail_fails_the_run(
        env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tasks.delivery import steps
    from tasks.delivery.deliver import UNSENT_MARKER, DeliveryFailed
    from tasks.report.text_safety import escape_markdown
    from tests.servers import MailHandler, SmtpServer, free_port

    server = SmtpServer(MailHandler(), free_port())
    for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port),
                        "SMTP_STARTTLS": "false", "SMTP_TIMEOUT": "5",
                        "MAIL_SENDER": "cchc@angiang.gov.vn",
                        "MAIL_RECIPIENTS": "vanthu@snv.angiang.gov.vn"}.items():
        monkeypatch.setenv(f"CCHC_{name}", value)
    monkeypatch.setattr(steps, "deliver_report", steps.deliver_report.with_options(retries=0))

    with pytest.raises(DeliveryFailed, match="vanthu@snv"):  # no server listening yet
        monthly_report(period="2025-05", workspace=str(env))
    outbox = env / "outbox" / "so-noi-vu" / "2025-05" / "v1"
    assert (outbox / UNSENT_MARKER).exists()
    markdown = Artifact.get("bao-cao-cchc-2025-05-tom-tat")  # the artifacts came first
    assert markdown is not None and escape_markdown(str(env)) in str(markdown.data)

    server.start()
    try:
        summary = monthly_report(period="2025-05", workspace=str(env))
        again = monthly_report(period="2025-05", workspace=str(env))
    finally:
        server.stop()
    assert [m["Subject"] for _, m in server.handler.received] == [
        "[CCHC] Báo cáo CCHC tháng 5/2025 - bản v1"]
    assert "thư điện tử đã gửi: 2025-05 v1" in str(summary["delivery"])
    assert "không gửi lại" in str(again["delivery"])
    assert not (outbox / UNSENT_MARKER).exists()


def test_the_smtp_password_comes_from_a_prefect_secret_block() -> None:
    from prefect.blocks.system import Secret
    from pydantic import SecretStr

    from config.settings import load_settings
    from flows.resources import build_mail_channel

    Secret(value=SecretStr("mat-khau-trong-block")).save("cchc-smtp-thu", overwrite=True)
    settings = load_settings(smtp_host="127.0.0.1", mail_sender="cchc@angiang.gov.vn",
                             mail_recipients=["vanthu@snv.angiang.gov.vn"],
                             smtp_password="khong-dung-cai-nay",
                             smtp_password_block="cchc-smtp-thu")
    mail = build_mail_channel(settings)
    assert mail is not None and mail.smtp.password == "mat-khau-trong-block"
    assert "mat-khau-trong-block" not in repr(mail)


def _drop_stp(env: Path) -> Path:
    """STP's report, written just now (its modification time is this second's)."""
    registry = load_registry(env.parent / "registry")
    return write_template(registry, "STP", scenario.PERIOD, env / "inbox" / "STP" / "stp.xlsx",
                          [TaskEntry("T2", "Đang thực hiện",
                                     40)], {"kiem_tra": 1}, rules=ReportingRules())


def test_drop_then_run_waits_for_the_new_file_and_counts_it(
        env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCHC_SETTLE_SECONDS", "3")
    _drop_stp(env)
    summary = monthly_report(period="2025-05", workspace=str(env), publish=False,
                             wait_for_files=True)
    assert summary["missing_units"] == 0  # STP's file was waited for, then taken in
    assert summary["waiting_files"] == []
    assert not (env / "inbox" / "STP" / "stp.xlsx").exists()


def test_a_scheduled_run_lists_the_file_it_did_not_wait_for(
        env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    collect_submissions(workspace=str(env))  # the earlier files, taken in a quarter ago
    monkeypatch.setenv("CCHC_SETTLE_SECONDS", "60")
    _drop_stp(env)
    summary = monthly_report(period="2025-05", workspace=str(env))  # as scheduled: no wait
    waiting_files = summary["waiting_files"]
    assert isinstance(waiting_files, list) and len(waiting_files) == 1
    waiting = waiting_files[0]
    assert (waiting["file"], waiting["unit"]) == ("inbox/STP/stp.xlsx", "STP")
    assert (env / "inbox" / "STP" / "stp.xlsx").exists()  # left for the next intake
    assert summary["missing_units"] == 0 and summary["waiting_units"] == 1

    table = Artifact.get("thu-nhan-tung-tep")
    assert table is not None
    rows = json.loads(str(table.data))
    assert {"Tệp": "STP/stp.xlsx", "Kết quả": "đang chờ thu nhận (tệp đang được ghi)"}.items() \
        <= next(r for r in rows if r["Tệp"] == "STP/stp.xlsx").items()

    version = Path(str(summary["folder"]))
    sheet = load_workbook(version / "bao-cao-cchc-2025-05.xlsx")["Đơn vị chưa nộp"]
    lines = [[str(c) if c is not None else "" for c in row]
             for row in sheet.iter_rows(values_only=True)]
    stp = next(line for line in lines if "STP" in line)
    assert "tệp đang chờ thu nhận" in stp and "inbox/STP/stp.xlsx" in " ".join(stp)
    assert not any(cell == "chưa nộp" for line in lines for cell in line)
    html = (version / "bao-cao-cchc-2025-05.html").read_text(encoding="utf-8")
    assert "inbox/STP/stp.xlsx" in html and "tệp đang chờ thu nhận" in html
