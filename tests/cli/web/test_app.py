"""The web pages over HTTP (Starlette's TestClient): a real workspace, a real SQLite (and
PostgreSQL) database, the folder's real ``Intake``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from cli.web.app import WebLimits, create_app
from config.registry import Registry
from connectors.db_schema import RejectionRow, SubmissionRow, WebUserRow
from connectors.web_accounts import MAX_FAILED_LOGINS
from flows.resources import WebResources
from tasks.intake.template import TaskEntry, write_template
from tasks.model.periods import parse_period
from tasks.model.rules import ReportingRules
from tests.builders import store_history
from tests.cli.web.conftest import NOW

PASSWORD_FIELD = re.compile(r'name="csrf" value="([^"]+)"')
LIMIT = 200_000


@pytest.fixture
def passwords(web: WebResources) -> dict[str, str]:
    return {"snv@example.vn": web.accounts.add("snv@example.vn", agency_code="SNV", now=NOW),
            "stp@example.vn": web.accounts.add("STP@example.vn", agency_code="STP", now=NOW)}


@pytest.fixture
def client(web: WebResources) -> TestClient:
    return TestClient(create_app(web, "k" * 40, WebLimits(max_upload_bytes=LIMIT,
                                                             logins_per_minute=30)))


def _csrf(client: TestClient, url: str = "/dang-nhap") -> str:
    found = PASSWORD_FIELD.search(client.get(url).text)
    assert found is not None
    return found.group(1)


def _login(client: TestClient, email: str, password: str) -> httpx.Response:
    return client.post("/dang-nhap", data={"email": email, "password": password,
                                           "csrf": _csrf(client)}, follow_redirects=False)


def _workbook(tmp_path: Path, registry: Registry, name: str, progress: float) -> Path:
    return write_template(registry, "SNV", parse_period("2025-05"), tmp_path / name,
                          [TaskEntry("IV.1", "Đang thực hiện", progress)],
                          {"kiem_tra_cchc": 2}, rules=ReportingRules())


def _upload(client: TestClient, path: Path, name: str, code: str = "SNV") -> httpx.Response:
    token = _csrf(client, f"/don-vi/{code}") if code == "SNV" else _csrf(client, "/don-vi/SNV")
    with path.open("rb") as stream:
        return client.post(f"/don-vi/{code}/nop", data={"csrf": token},
                           files={"tep": (name, stream, "application/octet-stream")})


def _actions(web: WebResources, email: str) -> list[tuple[str, str | None]]:
    return [(e.action, e.detail) for e in web.accounts.audit_log(email)]


def test_login_ok_shows_the_agencys_own_page_and_is_audited(
        client: TestClient, web: WebResources, passwords: dict[str, str]) -> None:
    answer = _login(client, "snv@example.vn", passwords["snv@example.vn"])
    assert answer.status_code == 303
    page = client.get("/")
    assert page.status_code == 200 and "Sở Nội vụ" in page.text and "SNV" in page.text
    assert "Hạn nộp: 18/05/2025" in page.text and "Tải tệp mẫu" in page.text
    assert ("login_ok", None) in _actions(web, "snv@example.vn")


def test_wrong_password_refused_and_audited(client: TestClient, web: WebResources,
                                            passwords: dict[str, str]) -> None:
    answer = _login(client, "snv@example.vn", "sai-mat-khau")
    assert answer.status_code == 401 and "Sai địa chỉ thư hoặc mật khẩu" in answer.text
    assert client.get("/don-vi/SNV", follow_redirects=False).status_code == 303
    assert ("login_failed", None) in _actions(web, "snv@example.vn")


def test_five_failed_logins_lock_the_account_for_15_minutes(
        client: TestClient, web: WebResources, passwords: dict[str, str]) -> None:
    for _ in range(MAX_FAILED_LOGINS):
        _login(client, "snv@example.vn", "sai")
    answer = _login(client, "snv@example.vn", passwords["snv@example.vn"])
    assert answer.status_code == 401 and "tạm khoá" in answer.text
    with web.run.db.engine.connect() as conn:
        locked = conn.scalars(select(WebUserRow.locked_until)
                              .filter_by(email="snv@example.vn")).one()
    assert locked == NOW + timedelta(minutes=15)
    assert web.accounts.login("snv@example.vn", passwords["snv@example.vn"],
                              NOW + timedelta(minutes=16)).user is not None


def test_login_rate_limited(web: WebResources, passwords: dict[str, str]) -> None:
    client = TestClient(create_app(web, "k" * 40, WebLimits(logins_per_minute=2)))
    codes = [_login(client, "x@example.vn", "sai").status_code for _ in range(3)]
    assert codes == [401, 401, 429]


def test_login_without_csrf_token_refused(client: TestClient, web: WebResources,
                                          passwords: dict[str, str]) -> None:
    client.get("/dang-nhap")
    answer = client.post("/dang-nhap", data={"email": "snv@example.vn",
                                             "password": passwords["snv@example.vn"],
                                             "csrf": "gia-mao"})
    assert answer.status_code == 403
    assert client.get("/don-vi/SNV", follow_redirects=False).status_code == 303


def test_logout_ends_the_session(client: TestClient, web: WebResources,
                                 passwords: dict[str, str]) -> None:
    _login(client, "snv@example.vn", passwords["snv@example.vn"])
    token = _csrf(client, "/don-vi/SNV")
    assert client.post("/dang-xuat", data={"csrf": token},
                       follow_redirects=False).status_code == 303
    assert client.get("/don-vi/SNV", follow_redirects=False).status_code == 303
    assert ("logout", None) in _actions(web, "snv@example.vn")


def test_another_units_page_template_and_upload_refused_and_audited(
        client: TestClient, web: WebResources, passwords: dict[str, str],
        tmp_path: Path) -> None:
    _login(client, "snv@example.vn", passwords["snv@example.vn"])
    assert client.get("/don-vi/STP").status_code == 403
    assert client.get("/don-vi/stp/mau?ky=2025-05").status_code == 403
    path = tmp_path / "x.csv"
    path.write_text("x", encoding="utf-8")
    assert _upload(client, path, "x.csv", code="STP").status_code == 403
    refused = [d for a, d in _actions(web, "snv@example.vn") if a == "refused"]
    assert len(refused) == 3 and all("STP" in (d or "") for d in refused)
    assert not list((web.run.settings.workspace / "inbox" / "STP").iterdir())


def test_template_download(client: TestClient, passwords: dict[str, str]) -> None:
    _login(client, "snv@example.vn", passwords["snv@example.vn"])
    answer = client.get("/don-vi/SNV/mau?ky=2025-05")
    assert answer.status_code == 200 and answer.content[:2] == b"PK"
    assert "mau-bao-cao-SNV-2025-05.xlsx" in answer.headers["content-disposition"]


def test_invalid_upload_shows_the_vietnamese_receipt_then_a_corrected_one_is_stored(
        client: TestClient, web: WebResources, passwords: dict[str, str], registry: Registry,
        tmp_path: Path) -> None:
    _login(client, "snv@example.vn", passwords["snv@example.vn"])
    bad = _workbook(tmp_path, registry, "bad.xlsx", 250)
    answer = _upload(client, bad, "bao-cao.xlsx")
    assert answer.status_code == 200 and "Tệp chưa được tiếp nhận" in answer.text
    assert "Tiến độ (%)" in answer.text and "dòng" in answer.text
    assert str(web.run.settings.workspace) not in answer.text
    good = _workbook(tmp_path, registry, "good.xlsx", 50)
    answer = _upload(client, good, "bao-cao.xlsx")
    assert "Tệp đã được tiếp nhận" in answer.text and "2025-05" in answer.text
    with web.run.db.engine.connect() as conn:
        [stored] = conn.execute(select(SubmissionRow.agency_code, SubmissionRow.period,
                                       SubmissionRow.arrived_at)).all()
        rejected = conn.scalars(select(RejectionRow.agency_folder)).all()
    assert stored == ("SNV", "2025-05", NOW) and rejected == ["SNV"]
    page = client.get("/don-vi/SNV").text
    assert "đã nộp đúng hạn" in page and "bị trả lại" in page
    # the agency recognises its files: the stored names keep the name it sent
    assert len(re.findall(r"web-\d{8}-\d{6}-[0-9a-f]{8}-bao-cao\.xlsx", page)) == 2
    uploads = [d for a, d in _actions(web, "snv@example.vn") if a == "upload"]
    assert uploads == ["bao-cao.xlsx: rejected (kỳ 2025-05)",
                       "bao-cao.xlsx: accepted (kỳ 2025-05)"]


def test_oversize_upload_refused_before_intake(client: TestClient, web: WebResources,
                                               passwords: dict[str, str],
                                               tmp_path: Path) -> None:
    _login(client, "snv@example.vn", passwords["snv@example.vn"])
    big = tmp_path / "big.csv"
    big.write_bytes(b"a" * (LIMIT * 2))
    answer = _upload(client, big, "big.csv")
    assert answer.status_code == 413 and "Tệp quá lớn" in answer.text
    assert not list((web.run.settings.workspace / "inbox" / "SNV").iterdir())
    with web.run.db.engine.connect() as conn:
        assert conn.scalars(select(RejectionRow.id)).all() == []


def test_streaming_cap_refuses_a_body_longer_than_its_content_length(
        client: TestClient, web: WebResources, passwords: dict[str, str]) -> None:
    _login(client, "snv@example.vn", passwords["snv@example.vn"])
    token = _csrf(client, "/don-vi/SNV")
    boundary = "b0und"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"tep\"; "
            f"filename=\"a.csv\"\r\n\r\n").encode() + b"a" * (LIMIT * 2) \
        + f"\r\n--{boundary}--\r\n".encode()

    def chunks() -> Iterator[bytes]:  # sent chunked: no Content-Length to trust
        for start in range(0, len(body), 65536):
            yield body[start:start + 65536]

    answer = client.post("/don-vi/SNV/nop", content=chunks(), headers={
        "content-type": f"multipart/form-data; boundary={boundary}",
        "content-length": "100"})
    assert answer.status_code == 413
    # refused by the cap on the body as it arrived, not by the Content-Length check
    assert ("upload", "bị từ chối: quá lớn") in _actions(web, "snv@example.vn")
    assert not list((web.run.settings.workspace / "inbox" / "SNV").iterdir())


def test_client_file_name_with_dot_dot_is_never_a_path(
        client: TestClient, web: WebResources, passwords: dict[str, str], registry: Registry,
        tmp_path: Path) -> None:
    _login(client, "snv@example.vn", passwords["snv@example.vn"])
    good = _workbook(tmp_path, registry, "good.xlsx", 50)
    answer = _upload(client, good, "../../STP/../../evil.xlsx")
    assert answer.status_code == 200 and "Tệp đã được tiếp nhận" in answer.text
    workspace = web.run.settings.workspace
    assert not (workspace.parent / "evil.xlsx").exists()
    assert not list((workspace / "inbox" / "STP").iterdir())
    assert not list(workspace.rglob("evil.xlsx"))
    with web.run.db.engine.connect() as conn:
        [name] = conn.scalars(select(SubmissionRow.file_name)).all()
    assert re.fullmatch(r"web-\d{8}-\d{6}-[0-9a-f]{8}-evil\.xlsx", name)


def test_upload_without_csrf_refused(client: TestClient, web: WebResources,
                                     passwords: dict[str, str], tmp_path: Path) -> None:
    _login(client, "snv@example.vn", passwords["snv@example.vn"])
    path = tmp_path / "a.csv"
    path.write_text("x", encoding="utf-8")
    with path.open("rb") as stream:
        answer = client.post("/don-vi/SNV/nop", data={"csrf": "sai"},
                             files={"tep": ("a.csv", stream, "text/csv")})
    assert answer.status_code == 403
    assert not list((web.run.settings.workspace / "inbox" / "SNV").iterdir())


def test_unknown_page_shows_no_trace(client: TestClient) -> None:
    answer = client.get("/khong-co")
    assert answer.status_code == 404 and "Không tìm thấy trang" in answer.text
    assert "Traceback" not in answer.text


def test_upload_rate_limited_and_audited(web: WebResources, passwords: dict[str, str],
                                         registry: Registry, tmp_path: Path) -> None:
    client = TestClient(create_app(web, "k" * 40, WebLimits(uploads_per_minute=2)))
    _login(client, "snv@example.vn", passwords["snv@example.vn"])
    good = _workbook(tmp_path, registry, "good.xlsx", 50)
    codes = [_upload(client, good, "bao-cao.xlsx").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    actions = [a for a, _ in _actions(web, "snv@example.vn")]
    assert actions.count("upload") == 2 and "upload_rate_limited" in actions
    assert list((web.run.settings.workspace / "inbox" / "SNV").glob("web-*")) == []


def test_the_agency_page_shows_an_accepted_files_warning_receipt_to_its_own_agency_only(
        client: TestClient, web: WebResources, passwords: dict[str, str], registry: Registry,
        tmp_path: Path) -> None:
    """SNV's «kiem_tra_cchc» of the last 12 months stored (tests/builders.py: median 20,
    MAD 1); its May file with 250 uploaded is accepted, and its page shows that the file
    has a warning receipt, with the receipt's text; STP's page is refused to SNV."""
    store_history(web.run.db, "SNV", "kiem_tra_cchc")
    _login(client, "snv@example.vn", passwords["snv@example.vn"])
    odd = write_template(registry, "SNV", parse_period("2025-05"), tmp_path / "odd.xlsx",
                         [TaskEntry("IV.1", "Đang thực hiện", 50)], {"kiem_tra_cchc": 250},
                         rules=ReportingRules())
    answer = _upload(client, odd, "bao-cao.xlsx")
    assert "Tệp đã được tiếp nhận" in answer.text

    page = client.get("/don-vi/SNV").text
    assert "có số liệu cần kiểm tra (phiếu cảnh báo)" in page
    assert "PHIẾU BÁO TIẾP NHẬN TỆP BÁO CÁO — CÓ SỐ LIỆU CẦN KIỂM TRA" in page
    assert "2025-05 = 250, trung vị 12 tháng trước 20 (MAD 1); cao gấp 12,5 lần" in page
    assert str(web.run.settings.workspace) not in page
    assert client.get("/don-vi/STP").status_code == 403
