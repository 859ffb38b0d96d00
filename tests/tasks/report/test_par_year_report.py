"""The year's CCHC index in the year's report (tasks/report/par_year_report.py, the annex in
par_annex.py, its sheets in workbook.py, word.py, html.py): the scenario of
tests/par_scenario.py published as months in a real database, then the year 2025 built and
written; the cells, the Word text and the HTML text are read back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from config.index766 import load_index766
from config.settings import REGISTRY_DIR
from connectors.database import Database
from tasks.model.par_assessment import AssessedCriterion
from tasks.model.periods import parse_period
from tasks.model.rules import ReportingRules
from tasks.report.letterhead import Letterhead
from tasks.report.par_year_report import last_year_totals
from tasks.report.reporting import Reporting
from tasks.report.workbook import SHEET_PAR_DETAIL, SHEET_PAR_INDEX
from tests import par_scenario, scenario

WRITTEN_AT = datetime(2025, 12, 20, 2, 0, tzinfo=UTC)
YEAR = parse_period("2025")


class Assessed:
    """The points from outside, as the store of self-assessments and appraisals gives them."""

    def __init__(self, rows: Sequence[AssessedCriterion]) -> None:
        self.rows = list(rows)

    def assessments(self, year: int) -> Sequence[AssessedCriterion]:
        return [row for row in self.rows if row.year == year]


def _reporting(db: Database, workspace: Path, tmp_path: Path,
               assessed: Sequence[AssessedCriterion]) -> Reporting:
    registry = scenario.write_registry(tmp_path / "registry")
    return Reporting(db, registry, rules=ReportingRules(), index766=load_index766(REGISTRY_DIR),
                     reports_dir=workspace / "reports", letterhead=Letterhead(),
                     clock=lambda: WRITTEN_AT, par_criteria=par_scenario.criteria(),
                     assessments=Assessed(assessed))


def _last_year(db: Database, reports: Path) -> None:
    """Last year's published year report, whose index gave SNV 7.25 points."""
    claim = db.claim_report_version("2024", "nam-truoc", None, reports_dir=reports)
    folder = Path(claim.version.path)
    folder.mkdir(parents=True)
    (folder / "indicators.json").write_text(json.dumps({"par_index": {"groups": [
        {"units": [{"unit": "SNV", "points": 7.25}]}]}}), encoding="utf-8")


@pytest.fixture
def written(db: Database, workspace: Path, tmp_path: Path) -> Path:
    par_scenario.publish_months(db, workspace / "reports")
    _last_year(db, workspace / "reports")
    reporting = _reporting(db, workspace, tmp_path, par_scenario.ASSESSED)
    built = reporting.build(*reporting.gather(YEAR), data_gaps=(), dossier_counts=None,
                            waiting=(), provisional=False)
    assert built.content.par_index is not None
    outcome = reporting.publish(built, force=False, run_id="nam")
    return Path(outcome.folder)


def test_the_workbook_has_the_index_and_every_criterion(written: Path) -> None:
    book = load_workbook(written / "bao-cao-cchc-2025.xlsx")
    sheet = book[SHEET_PAR_INDEX]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2, max_row=4)]
    # rank, code, total, band, last year, change, successors (worked out in test_par_year)
    assert [(r[1], r[2], r[5], r[7], r[8], r[9]) for r in rows] == [
        (1, "SNV", 8, "Tốt", 7.25, 0.75), (2, "STP", 5.5, "Đạt", None, None),
        (3, "SKHDT", 5, "Đạt", None, None)]
    assert rows[2][4] == "2 tháng (01–02)" and rows[2][10] == "Sở Tư pháp (STP)"
    assert [rows[0][11], rows[0][12]] == [5.5, 2.5]  # SNV's areas
    detail = book[SHEET_PAR_DETAIL]
    snv_1_1 = next(row for row in detail.iter_rows(values_only=True)
                   if row[0] == "SNV" and row[2] == "1.1")
    assert snv_1_1[6] == 2 and snv_1_1[7] == "Sở Nội vụ thẩm định"
    assert (snv_1_1[9], snv_1_1[10]) == (600, 660)
    assert "đối chiếu hồ sơ tháng 3" in str(snv_1_1[12])


def test_the_word_report_has_the_annex(written: Path) -> None:
    document = Document(str(written / "bao-cao-cchc-2025.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Phụ lục I" in text and "CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025" in text
    assert "(Kèm theo Báo cáo kết quả thực hiện công tác cải cách hành chính năm 2025)" in text
    annex = document.tables[-1]
    cells = [[c.text for c in row.cells] for row in annex.rows]
    assert cells[0][:3] == ["Xếp hạng", "Đơn vị", "Thời gian chấm"]
    assert cells[1][:3] == ["1", "Sở Nội vụ", "cả năm"]
    assert "8" in cells[1] and "Tốt" in cells[1] and "+0,75" in cells[1]
    assert any("đơn vị kế thừa: Sở Tư pháp (STP)" in c for c in cells[3])


def test_the_html_report_has_the_annex(written: Path) -> None:
    page = (written / "bao-cao-cchc-2025.html").read_text(encoding="utf-8")
    assert "Phụ lục I" in page and "CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025" in page
    assert "<td>Sở Nội vụ</td>" in page and "chấm trên 2 tháng (01–02)" in page
    # the annex comes after the signature
    assert page.index("Nơi nhận:") < page.index("Phụ lục I")


def test_indicators_json_keeps_every_point_and_last_year_reads_it(
        written: Path, db: Database) -> None:
    document = json.loads((written / "indicators.json").read_text(encoding="utf-8"))
    (group,) = document["par_index"]["groups"]
    snv = group["units"][0]
    assert snv["unit"] == "SNV" and snv["points"] == 8
    assert last_year_totals(db, 2026) == {"SNV": 8, "STP": 5.5, "SKHDT": 5}


def test_a_later_appraisal_makes_a_new_version(db: Database, workspace: Path,
                                               tmp_path: Path) -> None:
    par_scenario.publish_months(db, workspace / "reports")
    first = _reporting(db, workspace, tmp_path / "a", par_scenario.ASSESSED)
    built = first.build(*first.gather(YEAR), data_gaps=(), dossier_counts=None, waiting=(),
                        provisional=False)
    changed = [*par_scenario.ASSESSED, AssessedCriterion(
        "STP", 2025, "2.1", appraised_points=2, appraisal_reason="Đạt",
        appraisal_source="tham-dinh-bo-sung.xlsx")]
    later = _reporting(db, workspace, tmp_path / "b", changed)
    rebuilt = later.build(*later.gather(YEAR), data_gaps=(), dossier_counts=None, waiting=(),
                          provisional=False)
    assert rebuilt.fingerprint != built.fingerprint
    assert rebuilt.content.par_index is not None
    stp = rebuilt.content.par_index.unit("STP")
    assert stp is not None and stp.points == 7.5  # 5.5 + 2


def test_a_month_has_no_index(db: Database, workspace: Path, tmp_path: Path) -> None:
    reporting = _reporting(db, workspace, tmp_path, par_scenario.ASSESSED)
    built = reporting.build(*reporting.gather(parse_period("2025-05")), data_gaps=(),
                            dossier_counts=None, waiting=(), provisional=False)
    assert built.content.par_index is None


def test_the_word_annex_is_a_landscape_section_filled_by_its_table(written: Path) -> None:
    from docx.enum.section import WD_ORIENT

    document = Document(str(written / "bao-cao-cchc-2025.docx"))
    first, annex = document.sections[0], document.sections[-1]
    assert first.orientation == WD_ORIENT.PORTRAIT
    assert annex.orientation == WD_ORIENT.LANDSCAPE
    assert (annex.page_width or 0) > (annex.page_height or 0)
    grid = document.tables[-1]._tbl.tblGrid
    # the annex table fills the landscape text width (24.5 cm = 13,900 twips, less rounding)
    width = sum(int(col.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w"))
                for col in grid)
    assert 13_800 <= width <= 13_900
