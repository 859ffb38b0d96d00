"""The monthly flow asking the portal API (a real HTTP server on 127.0.0.1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from prefect.artifacts import Artifact
from prefect.blocks.system import Secret
from pydantic import SecretStr
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from config.settings import load_settings
from flows.monthly_report import monthly_report
from flows.resources import build_portal_api
from tasks.model.report import INCOMPLETE_VI, PORTAL_MISSING_VI
from tasks.report.workbook import SHEET_SUMMARY
from tests import scenario

TOKEN = "flow-tok-5c1b7e0a-DO-NOT-LEAK"
SNV = {"ma": "SNV", "tenThongKe": "Sở Nội vụ", "tongSo": 105, "tiepNhanQuaMang": 30,
       "tiepNhanTrucTiep": 60, "tiepNhanQuaBCCI": 10, "tiepNhanKyTruoc": 5,
       "daXuLyDungHan": 76, "daXuLyQuaHan": 4, "dangXuLyTrongHan": 20, "dangXuLyQuaHan": 5,
       "tongBoSung": 1, "tongTraLai": 0}
LX = {"ma": "UBND-LX", "tenThongKe": "UBND thành phố Long Xuyên", "tongSo": 500,
      "tiepNhanQuaMang": 200, "tiepNhanTrucTiep": 290, "tiepNhanQuaBCCI": 10,
      "tiepNhanKyTruoc": 0, "daXuLyDungHan": 441, "daXuLyQuaHan": 9,
      "dangXuLyTrongHan": 47, "dangXuLyQuaHan": 3, "tongBoSung": 2, "tongTraLai": 1}


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer) -> Path:
    """The scenario's workspace without the portal export: figures come from the API."""
    registry_dir = tmp_path / "registry"
    registry = scenario.write_registry(registry_dir)
    workspace = tmp_path / "workspace"
    scenario.build_workspace(workspace, registry)
    for export in (workspace / "portal").glob("*.xlsx"):
        export.unlink()
    monkeypatch.setenv("CCHC_REGISTRY_DIR", str(registry_dir))
    monkeypatch.delenv("CCHC_DATABASE_URL", raising=False)
    monkeypatch.setenv("CCHC_PORTAL_API_URL", httpserver.url_for("/"))
    monkeypatch.setenv("CCHC_PORTAL_API_TOKEN", TOKEN)
    monkeypatch.setenv("CCHC_PORTAL_API_RETRIES", "1")
    monkeypatch.setenv("CCHC_PORTAL_API_BACKOFF", "0")
    monkeypatch.setenv("CCHC_PORTAL_API_TASK_RETRIES", "1")
    monkeypatch.setenv("CCHC_PORTAL_API_TASK_RETRY_DELAY", "0")
    return workspace


def serve(server: HTTPServer, answer: Response) -> list[int]:
    calls: list[int] = []

    def handle(request: Request) -> Response:
        calls.append(int(request.args["page"]))
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return Response("unauthorised", status=401)
        return answer

    server.expect_request("/thong-ke/don-vi").respond_with_handler(handle)
    return calls


def _leaks(workspace: Path, artifact_keys: list[str]) -> list[str]:
    files = [str(p) for p in workspace.rglob("*")
             if p.is_file() and TOKEN.encode() in p.read_bytes()]
    for key in artifact_keys:
        artifact = Artifact.get(key)
        if artifact is not None and TOKEN in str(artifact.data):
            files.append(f"artifact {key}")
    return files


def api_part(summary: dict[str, object]) -> dict[str, Any]:
    part = summary["portal_api"]
    assert isinstance(part, dict)
    return part


KEYS = ["bao-cao-cchc-2025-05", "bao-cao-cchc-2025-05-tom-tat", "thu-nhan-bao-cao"]


def test_the_report_uses_the_portal_api_figures(env: Path, httpserver: HTTPServer) -> None:
    calls = serve(httpserver, Response(json.dumps({"data": [SNV, LX], "totalPages": 1})))
    summary = monthly_report(period="2025-05", workspace=str(env), publish=False)
    assert calls == [1]
    api = api_part(summary)
    assert (api["stored"], api["units"], api["gaps"]) == (True, 2, [])
    folder = Path(str(summary["folder"]))
    doc = json.loads((folder / "indicators.json").read_text(encoding="utf-8"))
    assert (doc["portal_missing"], doc["data_gaps"]) == (False, [])
    table = Artifact.get("bao-cao-cchc-2025-05")
    assert table is not None
    online = next(r for r in json.loads(str(table.data)) if r["Chỉ số"] == "Tỷ lệ trực tuyến")
    assert (online["Tử số"], online["Mẫu số"]) == ("230", "600")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    portal = next(i for i in manifest["inputs"] if i["kind"] == "portal")
    assert portal["path"] == api["snapshot"] and "raw/portal/2025-05/" in portal["path"]
    assert _leaks(env, KEYS) == []


def test_a_portal_that_stays_down_gives_a_report_marked_as_lacking_portal_data(
        env: Path, httpserver: HTTPServer) -> None:
    calls = serve(httpserver, Response("bảo trì", status=503))
    summary = monthly_report(period="2025-05", workspace=str(env), publish=False)
    assert calls == [1, 1, 1, 1]  # (first try + 1 HTTP retry) x (task + 1 task retry)
    gaps = api_part(summary)["gaps"]
    assert len(gaps) == 1 and "HTTP 503" in gaps[0]
    folder = Path(str(summary["folder"]))
    doc = json.loads((folder / "indicators.json").read_text(encoding="utf-8"))
    assert doc["portal_missing"] is True and doc["data_gaps"] == [PORTAL_MISSING_VI, gaps[0]]
    sheet = load_workbook(folder / "bao-cao-cchc-2025-05.xlsx")[SHEET_SUMMARY]
    assert INCOMPLETE_VI in [c.value for row in sheet.iter_rows(max_row=8) for c in row]
    markdown = Artifact.get("bao-cao-cchc-2025-05-tom-tat")
    assert markdown is not None and INCOMPLETE_VI in str(markdown.data)
    assert "HTTP 503" in str(markdown.data)
    assert _leaks(env, KEYS) == []


def test_a_missing_page_is_not_retried_and_the_report_is_marked(
        env: Path, httpserver: HTTPServer) -> None:
    calls = serve(httpserver, Response("không có", status=404))
    summary = monthly_report(period="2025-05", workspace=str(env), publish=False)
    assert calls == [1]  # a 404 is an answer: neither urllib3 nor Prefect asks again
    assert summary["portal_missing"] is True
    assert "HTTP 404" in api_part(summary)["gaps"][0]
    doc = json.loads((Path(str(summary["folder"])) / "indicators.json").read_text("utf-8"))
    assert doc["portal_missing"] is True


def test_the_token_can_come_from_a_prefect_secret_block(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CCHC_PORTAL_API_TOKEN", raising=False)
    Secret(value=SecretStr(TOKEN)).save("cchc-portal-api-token", overwrite=True)
    settings = load_settings(workspace=tmp_path, portal_api_url="http://127.0.0.1:9",
                             portal_api_token_block="cchc-portal-api-token")
    api = build_portal_api(settings)
    assert api is not None
    assert api._headers()["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in repr(api) and TOKEN not in repr(settings)


def test_when_the_portal_is_down_the_saved_answer_is_used(
        env: Path, httpserver: HTTPServer) -> None:
    serve(httpserver, Response(json.dumps({"data": [SNV, LX], "totalPages": 1})))
    first = monthly_report(period="2025-05", workspace=str(env), publish=False)
    assert api_part(first)["stored"] is True
    (env / "cchc.db").unlink()  # the database is rebuilt: only the saved answer is left
    httpserver.clear()
    calls = serve(httpserver, Response("bảo trì", status=503))
    summary = monthly_report(period="2025-05", workspace=str(env), publish=False)
    assert calls == [1, 1, 1, 1]
    api = api_part(summary)
    assert (api["stored"], api["units"], summary["portal_missing"]) == (True, 2, False)
    assert "HTTP 503" in api["gaps"][0] and "Dùng bản số liệu cổng đã lưu" in api["gaps"][1]
    doc = json.loads((Path(str(summary["folder"])) / "indicators.json").read_text("utf-8"))
    assert doc["portal_missing"] is False and len(doc["data_gaps"]) == 2
