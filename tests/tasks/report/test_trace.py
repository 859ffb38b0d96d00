"""`cchc trace`: one published figure back to its files and rows (the small scenario)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from config.registry import Registry
from connectors.database import Database
from tasks.report.publish import publish_version
from tasks.report.trace import TraceError, trace_figure, trace_lines
from tests import scenario
from tests.tasks.indicators.test_compute import built_report

TZ = "Asia/Ho_Chi_Minh"


@pytest.fixture
def small_registry(tmp_path: Path) -> Registry:
    return scenario.write_registry(tmp_path / "registry")


def _hashes(workspace: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in (workspace / "inbox").rglob("*.xlsx")} | {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (workspace / "portal").glob("*.xlsx")}


def _publish(workspace: Path, db: Database, registry: Registry) -> None:
    publish_version(db, built_report(workspace, db, registry), workspace / "reports",
                    force=False, run_id="r", now=datetime.now(UTC), timezone=TZ)


def _file(workspace: Path, name: str, owner: str, content_hash: str, seen: str) -> list[str]:
    return [f"- {name} ({owner})", f"  mã băm SHA-256: {content_hash}",
            f"  thấy lần đầu: {seen}",
            f"  lưu tại: {workspace / 'archive' / content_hash[:2] / (content_hash + '.xlsx')}"]


def test_a_unit_task_figure_shows_its_file_and_task_rows(
        workspace: Path, db: Database, small_registry: Registry) -> None:
    scenario.build_workspace(workspace, small_registry)
    hashes = _hashes(workspace)
    _publish(workspace, db, small_registry)
    lines = trace_lines(trace_figure(db, "2025-05", "SNV", "task_completion_rate"), TZ)
    # T1 done, T2 due on the last day and in progress: 1 of 2 (scenario.drop_snv)
    assert lines == [
        "Kỳ 2025-05, bản v1: chỉ số «task_completion_rate» của SNV",
        "Giá trị: 50.00% = tử số 1 / mẫu số 2 × 100",
        "Tệp đầu vào (1):",
        *_file(workspace, "snv.xlsx", "SNV", hashes["snv.xlsx"], "10/05/2025 10:00:00"),
        "  trang «Nhiệm vụ», dòng 3: T1 — Hoàn thành (100%), hoàn thành 28/03/2025",
        "  trang «Nhiệm vụ», dòng 4: T2 — Đang thực hiện (50%)",
    ]


def test_a_province_portal_figure_shows_the_units_summed_and_their_rows(
        workspace: Path, db: Database, small_registry: Registry) -> None:
    scenario.build_workspace(workspace, small_registry)
    hashes = _hashes(workspace)
    _publish(workspace, db, small_registry)
    trace = trace_figure(db, "2025-05", "TINH", "on_time_rate")
    lines = trace_lines(trace, TZ)
    name = "thong-ke-2025-05.xlsx"
    assert lines[:5] == [
        "Kỳ 2025-05, bản v1: chỉ số «on_time_rate» của TINH",
        "Giá trị: 97.55% = tử số 517 / mẫu số 530 × 100",
        "Cộng từ các đơn vị:",
        "  SNV: 76 / 80",
        "  UBND-LX: 441 / 450",
    ]
    assert lines[5:8] == ["Tệp đầu vào (1):", f"- {name} (cổng dịch vụ công)",
                          f"  mã băm SHA-256: {hashes[name]}"]
    kept = workspace / "archive" / hashes[name][:2] / (hashes[name] + ".xlsx")
    assert lines[9] == f"  lưu tại: {kept}"
    assert lines[10:] == [
        "  dòng 7 (SNV): tiếp nhận trực tuyến 30, trực tiếp 60, BCCI 10, kỳ trước chuyển qua "
        "5; đã giải quyết 80 (đúng hạn 76, quá hạn 4); đang giải quyết 25 (quá hạn 5)",
        "  dòng 8 (UBND-LX): tiếp nhận trực tuyến 200, trực tiếp 290, BCCI 10, kỳ trước "
        "chuyển qua 0; đã giải quyết 450 (đúng hạn 441, quá hạn 9); đang giải quyết 50 "
        "(quá hạn 3)",
    ]


def test_an_earlier_version_is_traced_as_it_was(
        workspace: Path, db: Database, small_registry: Registry) -> None:
    scenario.build_workspace(workspace, small_registry)
    _publish(workspace, db, small_registry)
    scenario.drop_snv(workspace, small_registry, t2_done=True)  # the correction: T2 done
    _publish(workspace, db, small_registry)
    latest = trace_figure(db, "2025-05", "SNV", "task_completion_rate")
    first = trace_figure(db, "2025-05", "SNV", "task_completion_rate", version=1)
    assert (latest.version, latest.value.numerator, [i.file_name for i in latest.inputs]) == (
        2, 2, ["snv-sua.xlsx"])
    assert (first.version, first.value.numerator, [i.file_name for i in first.inputs]) == (
        1, 1, ["snv.xlsx"])
    with pytest.raises(TraceError, match="không có chỉ số «khong_co» của đơn vị SNV"):
        trace_figure(db, "2025-05", "SNV", "khong_co")
    with pytest.raises(TraceError, match="chưa có bản báo cáo v9"):
        trace_figure(db, "2025-05", "SNV", "task_completion_rate", version=9)


def test_cli_trace_prints_a_metric_and_its_row(tmp_path: Path, small_registry: Registry,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    monkeypatch.delenv("CCHC_DATABASE_URL", raising=False)
    monkeypatch.setenv("CCHC_REGISTRY_DIR", str(tmp_path / "registry"))
    db = Database.from_url(f"sqlite:///{workspace / 'cchc.db'}")
    db.migrate()
    scenario.build_workspace(workspace, small_registry)
    _publish(workspace, db, small_registry)
    db.dispose()
    result = CliRunner().invoke(app, ["trace", "--period", "2025-05", "--unit", "snv",
                                      "--indicator", "kiem_tra", "--workspace", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "Giá trị: 3 (số đếm 3)" in result.output
    assert "- snv.xlsx (SNV)" in result.output
    assert "  trang «Chỉ tiêu», dòng 3: kiem_tra = 3" in result.output
    assert "thong-ke" not in result.output
    missing = CliRunner().invoke(app, ["trace", "--period", "2025-04", "--unit", "SNV",
                                       "--indicator", "kiem_tra", "--workspace", str(workspace)])
    assert missing.exit_code == 1
    assert "kỳ 2025-04 chưa có bản báo cáo" in missing.output
