"""The portal statistics API against a real HTTP server on 127.0.0.1 (pytest-httpserver).

The answers are written by hand below; the registry is the hand-made scenario's
(SNV, STP, UBND-LX, SKHDT). Period 2025-05 (ministry window 15/04/2025 - 14/05/2025).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pydantic import SecretStr
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from config.portal_api import PortalApiConfig, load_portal_api_config
from config.registry import Registry
from connectors.database import Database
from connectors.portal_api import (
    PortalApi,
    PortalBadAnswer,
    PortalUnavailable,
    latest_snapshot,
)
from tasks.model.periods import parse_period
from tasks.model.report import INCOMPLETE_VI, PORTAL_MISSING_VI
from tasks.model.rules import ReportingRules
from tasks.portal.api_records import (
    portal_fetch_failed,
    read_portal_api_records,
    record_portal_snapshot,
)
from tasks.report.build import build_report
from tasks.report.period_inputs import gather_inputs
from tasks.report.version_files import indicators_document, write_report
from tasks.report.workbook import SHEET_SUMMARY
from tests import scenario

TOKEN = "tok-9f8e7d6c5b4a-DO-NOT-LEAK"
PATH = "/thong-ke/don-vi"
PERIOD = parse_period("2025-05")
START, END = PERIOD.window("ministry")
NOW = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)
WINDOW = {"tuNgay": "15/04/2025", "denNgay": "14/05/2025"}

# written by hand: SNV 105 = 30 + 60 + 10 + 5; UBND-LX 500 = 200 + 290 + 10 + 0
SNV = {"ma": "SNV", "tenThongKe": "Sở Nội vụ", "tongSo": 105, "tiepNhanQuaMang": 30,
       "tiepNhanTrucTiep": 60, "tiepNhanQuaBCCI": 10, "tiepNhanKyTruoc": 5,
       "daXuLyDungHan": 76, "daXuLyQuaHan": 4, "dangXuLyTrongHan": 20, "dangXuLyQuaHan": 5,
       "tongBoSung": 1, "tongTraLai": 0}
LX = {"ma": "UBND-LX", "tenThongKe": "UBND thành phố Long Xuyên", "tongSo": 500,
      "tiepNhanQuaMang": 200, "tiepNhanTrucTiep": 290, "tiepNhanQuaBCCI": 10,
      "tiepNhanKyTruoc": 0, "daXuLyDungHan": 441, "daXuLyQuaHan": 9,
      "dangXuLyTrongHan": 47, "dangXuLyQuaHan": 3, "tongBoSung": 2, "tongTraLai": 1}

Answer = Callable[[], Response]


def page(records: list[Any], total_pages: int) -> Answer:
    return lambda: Response(json.dumps({"data": records, "totalPages": total_pages}),
                            content_type="application/json")


def status(code: int, headers: dict[str, str] | None = None) -> Answer:
    return lambda: Response("lỗi", status=code, headers=headers)


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


class FakePortal:
    """Answers each page's requests in turn from a script; checks the token and window."""

    def __init__(self, server: HTTPServer, script: dict[int, list[Answer]]) -> None:
        self.script = script
        self.calls: list[tuple[int, float]] = []
        server.expect_request(PATH).respond_with_handler(self.handle)

    def handle(self, request: Request) -> Response:
        number = int(request.args["page"])
        self.calls.append((number, time.monotonic()))
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return Response("unauthorised", status=401)
        if {k: request.args[k] for k in WINDOW} != WINDOW:
            return Response("wrong window", status=400)
        answers = self.script.get(number)
        if not answers:
            return Response("not found", status=404)
        return (answers.pop(0) if len(answers) > 1 else answers[0])()

    def pages_asked(self) -> list[int]:
        return [n for n, _ in self.calls]


@pytest.fixture
def config() -> PortalApiConfig:
    return load_portal_api_config()


@pytest.fixture
def scenario_registry(tmp_path: Path) -> Registry:
    return scenario.write_registry(tmp_path / "registry")


def make_api(server: HTTPServer, config: PortalApiConfig, *, read_timeout: float = 5.0,
             retries: int = 2) -> Iterator[PortalApi]:
    api = PortalApi(server.url_for("/"), SecretStr(TOKEN), config, connect_timeout=2.0,
                    read_timeout=read_timeout, retries=retries, backoff=0.0,
                    max_retry_after=5.0)
    yield api
    api.close()


@pytest.fixture
def api(httpserver: HTTPServer, config: PortalApiConfig) -> Iterator[PortalApi]:
    yield from make_api(httpserver, config)


def fetch(api: PortalApi, workspace: Path) -> Any:
    return api.fetch(PERIOD.label, START, END, workspace / "raw" / "portal", NOW)


# --- the connector ---------------------------------------------------------------------


def test_two_pages_are_fetched_and_each_answer_saved(
        httpserver: HTTPServer, api: PortalApi, workspace: Path) -> None:
    portal = FakePortal(httpserver, {1: [page([SNV], 2)], 2: [page([LX], 2)]})
    snapshot = fetch(api, workspace)
    assert portal.pages_asked() == [1, 2]
    assert [p.records for p in snapshot.pages] == [[SNV], [LX]]
    folder = workspace / "raw" / "portal" / "2025-05"
    saved = sorted(p.name for p in folder.glob("*/page-*.json"))
    assert saved == ["page-001.json", "page-002.json"]
    first = json.loads(next(folder.glob("*/page-001.json")).read_text(encoding="utf-8"))
    assert first == {"data": [SNV], "totalPages": 2}
    assert snapshot.source.endswith("/thong-ke/don-vi?tuNgay=15%2F04%2F2025&denNgay=14%2F05%2F2025")
    again = latest_snapshot(workspace / "raw" / "portal", "2025-05", api.config)
    assert again is not None and again.content_hash == snapshot.content_hash


def test_a_500_is_retried_then_the_answer_used(
        httpserver: HTTPServer, api: PortalApi, workspace: Path) -> None:
    portal = FakePortal(httpserver, {1: [status(500), page([SNV, LX], 1)]})
    snapshot = fetch(api, workspace)
    assert portal.pages_asked() == [1, 1]
    assert snapshot.pages[0].records == [SNV, LX]


def test_a_429_waits_as_long_as_retry_after_says(
        httpserver: HTTPServer, api: PortalApi, workspace: Path) -> None:
    portal = FakePortal(httpserver, {1: [status(429, {"Retry-After": "1"}), page([SNV], 1)]})
    fetch(api, workspace)
    (_, first), (_, second) = portal.calls
    assert second - first >= 0.95  # backoff is 0 here: only Retry-After makes it wait


def test_a_portal_that_stays_down_fails_after_a_bounded_number_of_tries(
        httpserver: HTTPServer, api: PortalApi, workspace: Path) -> None:
    portal = FakePortal(httpserver, {1: [status(503)]})
    with pytest.raises(PortalUnavailable, match="HTTP 503") as caught:
        fetch(api, workspace)
    assert caught.value.retryable
    assert portal.pages_asked() == [1, 1, 1]  # the first try and two retries


def test_a_slow_portal_times_out_after_retries(
        httpserver: HTTPServer, config: PortalApiConfig, workspace: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    def slow() -> Response:
        time.sleep(0.6)
        return page([SNV], 1)()

    portal = FakePortal(httpserver, {1: [slow]})
    for api in make_api(httpserver, config, read_timeout=0.2, retries=1):
        with pytest.raises(PortalUnavailable, match="không trả lời kịp"):
            fetch(api, workspace)
    # the server handles one request at a time: the retry, queued behind the first, reaches
    # the handler after the client gave up; wait for it so it does not leak into a later test
    deadline = time.monotonic() + 5
    while len(portal.calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert portal.pages_asked() == [1, 1]
    retried = [r for r in caplog.records if "Retrying" in r.getMessage()
               and "Read timed out" in r.getMessage()]
    assert len(retried) == 1  # one retry, then the clear failure


def test_malformed_json_fails_at_once_and_is_kept_for_audit(
        httpserver: HTTPServer, api: PortalApi, workspace: Path) -> None:
    garbage = lambda: Response('{"data": [ {"ma": "SNV",', content_type="application/json")  # noqa: E731
    portal = FakePortal(httpserver, {1: [garbage]})
    with pytest.raises(PortalBadAnswer, match=r"Trang 1: .*không phải JSON hợp lệ") as caught:
        fetch(api, workspace)
    assert not caught.value.retryable
    assert portal.pages_asked() == [1]
    kept = list((workspace / "raw" / "portal" / "2025-05").glob("*/page-001.json"))
    assert [p.read_text(encoding="utf-8") for p in kept] == ['{"data": [ {"ma": "SNV",']
    assert latest_snapshot(workspace / "raw" / "portal", "2025-05", config_of(api)) is None


def config_of(api: PortalApi) -> PortalApiConfig:
    return api.config


def test_a_missing_page_fails_clearly_without_retrying(
        httpserver: HTTPServer, api: PortalApi, workspace: Path) -> None:
    portal = FakePortal(httpserver, {1: [page([SNV], 2)]})  # page 2 is a 404
    with pytest.raises(PortalBadAnswer, match="Trang 2: cổng trả lỗi HTTP 404"):
        fetch(api, workspace)
    assert portal.pages_asked() == [1, 2]


def test_a_wrong_envelope_is_a_bad_answer(
        httpserver: HTTPServer, api: PortalApi, workspace: Path) -> None:
    FakePortal(httpserver, {1: [lambda: Response('{"items": []}')]})
    with pytest.raises(PortalBadAnswer, match="thiếu danh sách «data»"):
        fetch(api, workspace)


def test_the_token_is_in_no_log_line_saved_file_or_message(
        httpserver: HTTPServer, api: PortalApi, workspace: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    FakePortal(httpserver, {1: [status(500), page([SNV], 2)], 2: [status(404)]})
    with pytest.raises(PortalBadAnswer) as caught:
        fetch(api, workspace)
    assert caplog.records, "urllib3 logs its retries at DEBUG"
    assert not [r for r in caplog.records if TOKEN in r.getMessage()]
    assert TOKEN not in str(caught.value) and TOKEN not in repr(api)
    assert TOKEN not in json.dumps(portal_fetch_failed(caught.value).summary())
    files = [p for p in workspace.rglob("*") if p.is_file()]
    assert files and not [p for p in files if TOKEN.encode() in p.read_bytes()]


# --- the records ---------------------------------------------------------------------------


def test_records_become_the_units_figures(config: PortalApiConfig,
                                          scenario_registry: Registry) -> None:
    export = read_portal_api_records([("page-001.json", [SNV]), ("page-002.json", [LX])],
                                     config.fields, scenario_registry, PERIOD).value
    assert export is not None and export.variant == "api"
    snv, lx = export.units
    assert (snv.unit, snv.received_online, snv.received_in_person, snv.received_post,
            snv.carried_over) == ("SNV", 30, 60, 10, 5)
    assert (snv.resolved_total, snv.resolved_on_time, snv.resolved_late) == (80, 76, 4)
    assert (snv.in_progress_total, snv.in_progress_overdue) == (25, 5)
    assert (lx.unit, lx.source_row, lx.resolved_total, lx.in_progress_total) == (
        "UBND-LX", 2, 450, 50)


def test_wrong_records_are_named_by_page_record_and_unit(
        config: PortalApiConfig, scenario_registry: Registry) -> None:
    unknown = {**SNV, "ma": "SXYZ"}
    negative = {**LX, "daXuLyQuaHan": -3}
    fraction = {**SNV, "ma": "STP", "tenThongKe": "Sở Tư pháp", "tiepNhanQuaMang": 30.5}
    missing = {k: v for k, v in SNV.items() if k != "dangXuLyQuaHan"}
    bad_sum = {**LX, "tongSo": 499}
    checked = read_portal_api_records(
        [("page-001.json", [unknown, negative]), ("page-002.json", [fraction, missing]),
         ("page-003.json", [bad_sum])], config.fields, scenario_registry, PERIOD)
    assert checked.value is None
    lines = [p.line_vi() for p in checked.problems]
    assert lines == [
        "Trang «page-001.json», dòng 1, cột «ma»: Mã đơn vị «SXYZ» không có trong danh mục "
        "đơn vị",
        "Trang «page-001.json», dòng 2, cột «daXuLyQuaHan»: Đơn vị UBND-LX: "
        "Số đã giải quyết quá hạn không được âm (-3)",
        "Trang «page-002.json», dòng 1, cột «tiepNhanQuaMang»: Đơn vị STP: "
        "Số mới tiếp nhận trực tuyến phải là số nguyên, không phải 30.5",
        "Trang «page-002.json», dòng 2, cột «dangXuLyQuaHan»: Đơn vị SNV: "
        "thiếu trường «dangXuLyQuaHan» (số đang giải quyết quá hạn)",
        "Trang «page-003.json», dòng 1, cột «tongSo»: Đơn vị UBND-LX: tổng số 499 khác tổng "
        "các thành phần: «tiepNhanQuaMang» 200 + «tiepNhanTrucTiep» 290 + "
        "«tiepNhanQuaBCCI» 10 + «tiepNhanKyTruoc» 0 = 500",
        "Trang «page-003.json», dòng 1, cột «ma»: Đơn vị UBND-LX (UBND thành phố Long "
        "Xuyên) đã có ở trang «page-001.json», bản ghi 2",
    ]


def test_an_empty_answer_is_not_taken_as_zero_dossiers(
        config: PortalApiConfig, scenario_registry: Registry) -> None:
    checked = read_portal_api_records([("page-001.json", [])], config.fields,
                                      scenario_registry, PERIOD)
    assert checked.value is None
    assert "không trả về bản ghi nào" in checked.problems[0].message


# --- stored, and the report ------------------------------------------------------------------


def _report(db: Database, registry: Registry, folder: Path, gaps: tuple[str, ...] = ()) -> Any:
    inputs, portal_file, rejections = gather_inputs(db, PERIOD, rules=ReportingRules())
    built = build_report(registry, inputs, portal_file, rejections, data_gaps=gaps)
    write_report(built, folder, version=1, generated_at=NOW, run_id=None,
                 timezone="Asia/Ho_Chi_Minh")
    return built


def test_a_fetched_period_is_stored_once_as_the_portal_figures(
        httpserver: HTTPServer, api: PortalApi, workspace: Path, db: Database,
        scenario_registry: Registry) -> None:
    FakePortal(httpserver, {1: [page([SNV], 2)], 2: [page([LX], 2)]})
    snapshot = fetch(api, workspace)
    outcome = record_portal_snapshot(db, scenario_registry, snapshot, api.config.fields,
                                     PERIOD, NOW)
    assert (outcome.stored, outcome.units, outcome.gaps) == (True, 2, ())
    current = db.current_portal("2025-05")
    assert current is not None
    stored, units = current
    assert (stored.variant, stored.content_hash) == ("api", snapshot.content_hash)
    assert [u.unit for u in units] == ["SNV", "UBND-LX"]
    rerun = record_portal_snapshot(db, scenario_registry, snapshot, api.config.fields,
                                   PERIOD, NOW)
    assert (rerun.stored, rerun.gaps) == (False, ())
    built = _report(db, scenario_registry, workspace / "report")
    assert not built.content.portal_missing and built.content.data_gaps == []


def test_garbage_records_leave_the_report_marked_as_lacking_portal_data(
        httpserver: HTTPServer, api: PortalApi, workspace: Path, db: Database,
        scenario_registry: Registry) -> None:
    FakePortal(httpserver, {1: [page([{**SNV, "tongSo": "nhiều"}], 1)]})
    outcome = record_portal_snapshot(db, scenario_registry, fetch(api, workspace),
                                     api.config.fields, PERIOD, NOW)
    assert not outcome.stored and db.current_portal("2025-05") is None
    assert "page-001.json" in outcome.gaps[0] and "tongSo" in outcome.gaps[0]
    folder = workspace / "report"
    built = _report(db, scenario_registry, folder, outcome.gaps)
    assert built.content.portal_missing
    doc = json.loads((folder / "indicators.json").read_text(encoding="utf-8"))
    assert doc["portal_missing"] is True
    assert doc["data_gaps"] == [PORTAL_MISSING_VI, outcome.gaps[0]]
    assert indicators_document(built.content)["portal_missing"] is True
    sheet = load_workbook(next(folder.glob("*.xlsx")))[SHEET_SUMMARY]
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert INCOMPLETE_VI in texts and f"• {PORTAL_MISSING_VI}" in texts
