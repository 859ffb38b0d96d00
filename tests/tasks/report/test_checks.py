"""Each report run checks itself: stored parts against wholes, and the province figures
against the portal export's own «Tổng cộng» row; disagreements are listed, never dropped."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from sqlalchemy import update

from config.registry import Registry
from connectors.database import Database
from connectors.db_schema import PortalStatRow
from tasks.demo.province import write_portal_export
from tasks.model.portal import PortalUnitStats
from tasks.model.report import IndicatorValue
from tasks.portal.export_figures import export_figures
from tasks.portal.export_reader import read_portal_export
from tasks.report.checks import export_total_issues
from tasks.report.html import html_name
from tasks.report.publish import publish_version
from tasks.report.version_files import workbook_name
from tasks.report.word import word_name
from tasks.report.workbook import SHEET_REJECTED
from tests import scenario
from tests.tasks.indicators.test_compute import built_report, collect_all

FILE = "thong-ke-2025-05.xlsx"


@pytest.fixture
def small_registry(tmp_path: Path) -> Registry:
    return scenario.write_registry(tmp_path / "registry")


def test_a_consistent_period_has_no_data_issues(workspace: Path, db: Database,
                                                small_registry: Registry) -> None:
    scenario.build_workspace(workspace, small_registry)
    assert built_report(workspace, db, small_registry).content.data_issues == []


def test_stored_figures_that_disagree_with_the_export_are_listed(
        workspace: Path, db: Database, small_registry: Registry) -> None:
    scenario.build_workspace(workspace, small_registry)
    collect_all(workspace, db, small_registry)
    with db.engine.begin() as conn:  # the stored figures drift from the archived file
        conn.execute(update(PortalStatRow).where(PortalStatRow.unit == "SNV")
                     .values(resolved_on_time=70, in_progress_total=30))
    built = built_report(workspace, db, small_registry)
    expected = [
        "Đơn vị SNV (dòng 7 của tệp cổng dịch vụ công): số hồ sơ đã giải quyết 80 khác "
        "trả đúng hạn 70 + trả quá hạn 4",
        f"Đơn vị SNV (dòng 7 của tệp «{FILE}»): số hồ sơ đang giải quyết đã lưu 30 khác "
        "chưa đến hạn 20 + quá hạn 5",
        f"Toàn tỉnh, số hồ sơ trả đúng hạn: báo cáo tính 511 nhưng dòng «Tổng cộng» "
        f"(dòng 9) của tệp «{FILE}» ghi 517",
        f"Toàn tỉnh, số hồ sơ đang giải quyết (tổng số): báo cáo tính 80 nhưng dòng "
        f"«Tổng cộng» (dòng 9) của tệp «{FILE}» ghi 75",
    ]
    assert built.content.data_issues == expected
    outcome = publish_version(db, built, workspace / "reports", force=False, run_id="r",
                              now=datetime.now(UTC), timezone="Asia/Ho_Chi_Minh")
    doc = json.loads((outcome.folder / "indicators.json").read_text(encoding="utf-8"))
    assert doc["data_issues"] == expected
    sheet = openpyxl.load_workbook(outcome.folder / workbook_name("2025-05"))[SHEET_REJECTED]
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert all(issue in cells for issue in expected)
    html = (outcome.folder / html_name("2025-05")).read_text(encoding="utf-8")
    assert "Đối chiếu số liệu" in html and "báo cáo tính 511" in html
    word = docx.Document(str(outcome.folder / word_name("2025-05")))
    word_cells = [cell.text for table in word.tables for row in table.rows
                  for cell in row.cells]
    assert all(issue in word_cells for issue in expected)


def _export_with_wrong_total(path: Path) -> Path:
    write_portal_export(path, scenario.PERIOD, scenario.PORTAL)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None and sheet["B9"].value == "Tổng cộng"
    sheet["J9"] = 500  # «Trả đúng thời hạn»: the units say 76 + 441 = 517
    book.save(path)
    return path


def test_export_whose_total_row_disagrees(tmp_path: Path, small_registry: Registry) -> None:
    path = _export_with_wrong_total(tmp_path / FILE)
    checked = read_portal_export(path, small_registry)
    assert checked.value is None
    assert [p.message for p in checked.problems] == [
        "Dòng tổng ghi 500 nhưng tổng các đơn vị là 517"]
    figures = export_figures(path)
    assert figures is not None and figures.total_row == 9
    units = [PortalUnitStats("SNV", 7, 5, 30, 60, 10, 80, 76, 4, 25, 5),
             PortalUnitStats("UBND-LX", 8, 0, 200, 290, 10, 450, 441, 9, 50, 3)]
    province = [IndicatorValue("TINH", "online_filing_rate", 230, 600, 230 / 600 * 100),
                IndicatorValue("TINH", "on_time_rate", 517, 530, 517 / 530 * 100),
                IndicatorValue("TINH", "overdue_in_progress", 8, None, 8)]
    assert export_total_issues(figures, units, province, FILE) == [
        f"Toàn tỉnh, số hồ sơ trả đúng hạn: báo cáo tính 517 nhưng dòng «Tổng cộng» "
        f"(dòng 9) của tệp «{FILE}» ghi 500"]
