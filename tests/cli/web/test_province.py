"""Sở Nội vụ's page over HTTP: every unit's state for a period, the filter by kind, the
report versions and their downloads, the button that starts a period's report, and the
refusals (agencies, CSRF). A real workspace and database, the folder's real ``Intake``,
the report's real steps, a real subprocess."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from cli.web.app import WebLimits, create_app
from cli.web.report_launch import LOG_DIR, cli_command, default_launcher
from flows.resources import WebResources
from tasks.intake.template import TaskEntry, write_template
from tasks.model.periods import Period, parse_period
from tasks.model.rules import ReportingRules
from tests.cli.web.conftest import NOW

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
ROW = re.compile(r'<tr data-unit="([^"]+)">.*?<td class="tinh-trang">([^<]*)</td>', re.S)
PROVINCE, AGENCY = "snv-tinh@example.vn", "snv@example.vn"


def harmless(workspace: Path, period: Period) -> Sequence[str]:
    return [sys.executable, "-c", "import sys; print('chạy báo cáo kỳ', sys.argv[1])",
            period.label]


@pytest.fixture
def passwords(web: WebResources) -> dict[str, str]:
    return {PROVINCE: web.accounts.add(PROVINCE, agency_code=None, now=NOW),
            AGENCY: web.accounts.add(AGENCY, agency_code="SNV", now=NOW)}


@pytest.fixture
def client(web: WebResources) -> TestClient:
    launch = default_launcher(web.run.settings.workspace, web.run.now, harmless)
    return TestClient(create_app(web, "k" * 40, WebLimits(logins_per_minute=50),
                                 launch=launch))


def _csrf(client: TestClient, url: str) -> str:
    found = CSRF.search(client.get(url).text)
    assert found is not None
    return found.group(1)


def _login(client: TestClient, email: str, passwords: dict[str, str]) -> None:
    response = client.post("/dang-nhap", data={"email": email, "password": passwords[email],
                                               "csrf": _csrf(client, "/dang-nhap")},
                           follow_redirects=False)
    assert response.status_code == 303


def _logout(client: TestClient) -> None:
    client.cookies.clear()


def _rows(html: str) -> dict[str, str]:
    return dict(ROW.findall(html))


def _upload_may(client: TestClient, web: WebResources, tmp_path: Path) -> httpx.Response:
    path = write_template(web.run.registry, "SNV", parse_period("2025-05"),
                          tmp_path / "snv.xlsx",
                          [TaskEntry("IV.1", "Đang thực hiện", 50)], {"kiem_tra_cchc": 2},
                          rules=ReportingRules())
    with path.open("rb") as stream:
        return client.post("/don-vi/SNV/nop", data={"csrf": _csrf(client, "/don-vi/SNV")},
                           files={"tep": ("snv.xlsx", stream, "application/octet-stream")})


def _publish(web: WebResources, label: str) -> None:
    """The report's own steps, as a run makes them: gather, build, publish."""
    reporting = web.run.reporting
    inputs, portal, rejections = reporting.gather(parse_period(label))
    built = reporting.build(inputs, portal, rejections, data_gaps=(), dossier_counts=None,
                            waiting=(), provisional=False)
    reporting.publish(built, force=False, run_id="test")


def _audit(web: WebResources, email: str) -> list[tuple[str, str | None]]:
    return [(e.action, e.detail) for e in web.accounts.audit_log(email)]


def test_units_and_their_states_after_an_agencys_upload(
        client: TestClient, web: WebResources, passwords: dict[str, str],
        tmp_path: Path) -> None:
    _login(client, AGENCY, passwords)
    assert "tiếp nhận" in _upload_may(client, web, tmp_path).text
    _logout(client)
    (web.run.inbox.inbox / "STP" / "dang-ghi.xlsx").write_bytes(b"PK")  # not yet taken in
    _login(client, PROVINCE, passwords)
    page = client.get("/so-noi-vu?ky=2025-05")
    assert page.status_code == 200
    rows = _rows(page.text)
    expected = {a.code for a in web.run.rules.expected_units(web.run.registry,
                                                              parse_period("2025-05"))}
    assert set(rows) == expected
    assert rows["SNV"] == "đã nộp đúng hạn"
    assert rows["STP"] == "tệp đang chờ thu nhận"
    assert set(rows.values()) == {"đã nộp đúng hạn", "tệp đang chờ thu nhận", "chưa nộp"}
    assert '<a href="/don-vi/SNV">' in page.text
    assert "16/05/2025 10:00" in page.text  # arrival, in the province's time
    assert f"chưa nộp: <strong>{len(expected) - 2}</strong>" in page.text
    # the province's home is the same page, for the last closed month (May: its data
    # window ended on 14/5)
    home = client.get("/")
    assert "(2025-05)" in home.text
    assert _rows(home.text) == rows


def test_filter_by_kind(client: TestClient, web: WebResources,
                        passwords: dict[str, str]) -> None:
    _login(client, PROVINCE, passwords)
    kinds = {a.code: a.kind for a in web.run.registry.agencies}
    departments = _rows(client.get("/so-noi-vu?ky=2025-05&loai=so").text)
    assert departments and {kinds[c] for c in departments} == {"so-ban-nganh"}
    assert "Sở, ban, ngành tỉnh" in client.get("/so-noi-vu?ky=2025-05&loai=so").text
    assert _rows(client.get("/so-noi-vu?ky=2025-05&loai=xa").text) == {}  # before 1/7/2025
    communes = client.get("/so-noi-vu?ky=2025-07&loai=xa").text
    assert len(_rows(communes)) == 102
    assert {kinds[c] for c in _rows(communes)} == {"ubnd-xa"}
    everyone = _rows(client.get("/so-noi-vu?ky=2025-07").text)
    assert set(_rows(communes)) < set(everyone)


def test_versions_listed_and_downloaded(client: TestClient, web: WebResources,
                                        passwords: dict[str, str], tmp_path: Path) -> None:
    _login(client, AGENCY, passwords)
    _upload_may(client, web, tmp_path)
    _logout(client)
    _login(client, PROVINCE, passwords)
    assert "Chưa có bản báo cáo nào" in client.get("/so-noi-vu?ky=2025-05").text
    _publish(web, "2025-05")
    page = client.get("/so-noi-vu?ky=2025-05").text
    assert 'data-version="1"' in page
    for kind in ("xlsx", "docx", "html"):
        assert f'href="/so-noi-vu/bao-cao/2025-05/v1/{kind}"' in page
    workbook = client.get("/so-noi-vu/bao-cao/2025-05/v1/xlsx")
    assert workbook.status_code == 200
    assert workbook.content == (web.run.settings.workspace / "reports" / "2025-05" / "v1"
                                / "bao-cao-cchc-2025-05.xlsx").read_bytes()
    assert "bao-cao-cchc-2025-05.xlsx" in workbook.headers["content-disposition"]
    assert client.get("/so-noi-vu/bao-cao/2025-05/v1/docx").content[:2] == b"PK"
    assert "<html" in client.get("/so-noi-vu/bao-cao/2025-05/v1/html").text.lower()
    for missing in ("/so-noi-vu/bao-cao/2025-05/v2/xlsx", "/so-noi-vu/bao-cao/2025-05/v1/json",
                    "/so-noi-vu/bao-cao/..%2F..%2Fetc/v1/xlsx",
                    "/so-noi-vu/bao-cao/2025-05/v1/..%2Fmanifest.json"):
        answer = client.get(missing)
        assert answer.status_code == 404, missing
        assert str(tmp_path) not in answer.text


def test_agencies_are_refused_every_province_route_and_audited(
        client: TestClient, web: WebResources, passwords: dict[str, str]) -> None:
    _login(client, AGENCY, passwords)
    assert client.get("/so-noi-vu").status_code == 403
    assert client.get("/so-noi-vu/bao-cao/2025-05/v1/xlsx").status_code == 403
    token = _csrf(client, "/don-vi/SNV")
    refused = client.post("/so-noi-vu/lap-bao-cao", data={"csrf": token, "ky": "2025-04"})
    assert refused.status_code == 403
    assert "Sở Nội vụ" in refused.text
    assert [d for a, d in _audit(web, AGENCY) if a == "refused"] == [
        "xem trang Sở Nội vụ", "tải báo cáo 2025-05 v1 (xlsx)", "lập báo cáo kỳ 2025-04"]
    assert not (web.run.settings.workspace / LOG_DIR).exists()


def test_run_button_starts_the_cli_path_without_prefect(
        client: TestClient, web: WebResources, passwords: dict[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    _login(client, PROVINCE, passwords)
    token = _csrf(client, "/so-noi-vu")
    answer = client.post("/so-noi-vu/lap-bao-cao", data={"csrf": token, "ky": "2025-04"})
    assert answer.status_code == 200
    assert "Đã bắt đầu lập báo cáo kỳ 2025-04" in answer.text
    logs = list((web.run.settings.workspace / LOG_DIR).glob("web-run-2025-04-*.log"))
    assert len(logs) == 1
    deadline = time.monotonic() + 30
    while "chạy báo cáo kỳ 2025-04" not in logs[0].read_text(encoding="utf-8"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    runs = [d for a, d in _audit(web, PROVINCE) if a == "run_report"]
    assert len(runs) == 1 and runs[0] is not None and "cchc run --period 2025-04" in runs[0]


def test_run_button_refuses_without_csrf_or_for_an_open_period(
        client: TestClient, web: WebResources, passwords: dict[str, str]) -> None:
    _login(client, PROVINCE, passwords)
    forged = client.post("/so-noi-vu/lap-bao-cao", data={"csrf": "gia", "ky": "2025-04"})
    assert forged.status_code == 403
    assert ("refused", "lập báo cáo: thiếu mã CSRF") in _audit(web, PROVINCE)
    token = _csrf(client, "/so-noi-vu")
    still_open = client.post("/so-noi-vu/lap-bao-cao", data={"csrf": token, "ky": "2025-06"})
    assert still_open.status_code == 400
    assert 'id="loi"' in still_open.text
    assert not (web.run.settings.workspace / LOG_DIR).exists()


def test_the_cli_command_is_cchc_run() -> None:
    """The launcher's real command line is the CLI's ``run`` (its help answers)."""
    argv = cli_command(Path("/tmp/ws"), parse_period("2025-04"))
    assert argv[3:] == ["run", "--period", "2025-04", "--workspace", "/tmp/ws"]
    shown = subprocess.run([*argv[:4], "--help"], capture_output=True, text=True,
                           timeout=120, check=True)
    assert "--period" in shown.stdout


def test_run_button_uses_the_deployment_when_prefect_is_configured(
        client: TestClient, web: WebResources, passwords: dict[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``PREFECT_API_URL`` set the CLI path is not taken; a server that cannot be
    reached is said on the page (503, Vietnamese, no traceback) and audited."""
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    _login(client, PROVINCE, passwords)
    token = _csrf(client, "/so-noi-vu")
    answer = client.post("/so-noi-vu/lap-bao-cao", data={"csrf": token, "ky": "2025-04"})
    assert answer.status_code == 503
    assert "Không khởi động được việc lập báo cáo" in answer.text
    assert "Traceback" not in answer.text
    assert ("run_report", "kỳ 2025-04: không khởi động được") in _audit(web, PROVINCE)
    assert not (web.run.settings.workspace / LOG_DIR).exists()
