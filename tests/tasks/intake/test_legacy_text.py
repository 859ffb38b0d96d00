"""Legacy Vietnamese text (TCVN3, VNI) in agency files: converted as the file is read, and
the conversion noted with a sample on the receipt and in the intake summary."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

from config.registry import Registry
from connectors.database import Database
from connectors.drop_folder import DropFolder
from tasks.intake.collect import summarize
from tasks.intake.reader import read_submission
from tasks.intake.summaries import collect_markdown, collect_table
from tasks.intake.template import TaskEntry
from tasks.intake.validation import validate_submission
from tasks.model.rules import ReportingRules
from tasks.model.submission import Submission
from tasks.sheets.workbook_limits import read_workbook
from tests.builders import TODAY, submission_or_problems, take_file, write_submission

# typed by hand from the TCVN3 and VNI charts (docs/legacy-encodings.md)
TCVN3_IN_PROGRESS = "§ang thùc hiÖn"  # "Đang thực hiện" in .VnTime
VNI_DIFFICULTIES = "Khoù khaên veà kinh phí"  # "Khó khăn về kinh phí" in VNI-Times
TCVN3_SHORT = "vô"  # "vụ" in .VnTime; as plain text it reads like Unicode "vô"


def _cell(sheet: openpyxl.worksheet.worksheet.Worksheet, header: str, task_id: str
          ) -> openpyxl.cell.cell.Cell:
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == header:
                column = cell.column
                for line in sheet.iter_rows(min_row=cell.row + 1):
                    if line[0].value == task_id:
                        return sheet.cell(line[0].row, column)
    raise AssertionError(f"no {header} / {task_id}")


def _legacy_workbook(path: Path, registry: Registry) -> Path:
    write_submission(path, registry, "SNV",
                     entries=[TaskEntry("IV.1", "Đang thực hiện", 40)],
                     metrics={"kiem_tra_cchc": 2})
    book = openpyxl.load_workbook(path)
    tasks = book["Nhiệm vụ"]
    status = _cell(tasks, "Tình trạng", "IV.1")
    status.value, status.font = TCVN3_IN_PROGRESS, Font(name=".VnTime")
    difficulties = _cell(tasks, "Khó khăn, vướng mắc", "IV.1")
    difficulties.value, difficulties.font = VNI_DIFFICULTIES, Font(name="VNI-Times")
    result = _cell(tasks, "Kết quả/Sản phẩm", "IV.1")
    result.value, result.font = TCVN3_SHORT, Font(name=".VnTime")
    book.save(path)
    return path


def test_workbook_scan_records_the_font_of_text_cells(tmp_path: Path,
                                                       registry: Registry) -> None:
    path = _legacy_workbook(tmp_path / "bc.xlsx", registry)
    sheet = next(s for s in read_workbook(path) if s.name == "Nhiệm vụ")
    legacy = {sheet.rows[r][c]: font for (r, c), font in sheet.fonts.items()
              if font in (".VnTime", "VNI-Times")}
    assert legacy == {TCVN3_IN_PROGRESS: ".VnTime", TCVN3_SHORT: ".VnTime",
                      VNI_DIFFICULTIES: "VNI-Times"}


def test_cells_in_legacy_fonts_are_converted(tmp_path: Path, registry: Registry) -> None:
    path = _legacy_workbook(tmp_path / "bc.xlsx", registry)
    raw = read_submission(path)
    result = submission_or_problems(
        validate_submission(raw, registry, today=TODAY, folder_agency="SNV",
                                 rules=ReportingRules()))
    assert isinstance(result, Submission), result
    line = result.tasks[0]
    assert (line.status, line.result, line.difficulties) == (
        "Đang thực hiện", "vụ", "Khó khăn về kinh phí")
    assert {(c.conversion.original, c.conversion.converted) for c in raw.conversions} == {
        (TCVN3_IN_PROGRESS, "Đang thực hiện"), (TCVN3_SHORT, "vụ"),
        (VNI_DIFFICULTIES, "Khó khăn về kinh phí")}


def test_short_text_in_a_unicode_font_is_left_alone(tmp_path: Path,
                                                    registry: Registry) -> None:
    path = _legacy_workbook(tmp_path / "bc.xlsx", registry)
    book = openpyxl.load_workbook(path)
    _cell(book["Nhiệm vụ"], "Kết quả/Sản phẩm", "IV.1").font = Font(name="Times New Roman")
    book.save(path)
    result = submission_or_problems(
        validate_submission(read_submission(path), registry, today=TODAY,
                                 rules=ReportingRules()))
    assert isinstance(result, Submission)
    assert result.tasks[0].result == "vô"  # statistics cannot tell: kept as typed


CSV_TCVN3 = """Thông tin
Mã đơn vị;SNV
Kỳ báo cáo;05/2025
Nhiệm vụ
Mã nhiệm vụ;Tình trạng;Tiến độ (%);Ngày hoàn thành;Kết quả/Sản phẩm;Khó khăn, vướng mắc
IV.1;§ang thùc hiÖn;40;;;Khã kh¨n vÒ kinh phÝ
Chỉ tiêu
Mã chỉ tiêu;Giá trị;Ghi chú
kiem_tra_cchc;3;
"""


def test_csv_in_legacy_text_is_converted_by_statistics(tmp_path: Path,
                                                        registry: Registry) -> None:
    path = tmp_path / "bc.csv"
    path.write_text(CSV_TCVN3, encoding="utf-8")
    raw = read_submission(path)
    result = submission_or_problems(
        validate_submission(raw, registry, today=TODAY, folder_agency="SNV",
                                 rules=ReportingRules()))
    assert isinstance(result, Submission), result
    assert (result.tasks[0].status, result.tasks[0].difficulties) == (
        "Đang thực hiện", "Khó khăn về kinh phí")
    assert [(c.sheet, c.row, c.column) for c in raw.conversions] == [
        ("Nhiệm vụ", 6, 2), ("Nhiệm vụ", 6, 6)]


def test_json_in_vni_text_is_converted(tmp_path: Path, registry: Registry) -> None:
    path = tmp_path / "bc.json"
    path.write_text(json.dumps({
        "Mã đơn vị": "SNV", "Kỳ báo cáo": "05/2025",
        "Nhiệm vụ": [{"Mã nhiệm vụ": "IV.1", "Tình trạng": "Ñang thöïc hieän",
                      "Tiến độ (%)": 40}],
        "Chỉ tiêu": [{"Mã chỉ tiêu": "kiem_tra_cchc", "Giá trị": 3}]},
        ensure_ascii=False), encoding="utf-8")
    result = submission_or_problems(
        validate_submission(read_submission(path), registry, today=TODAY,
                                 rules=ReportingRules()))
    assert isinstance(result, Submission), result
    assert result.tasks[0].status == "Đang thực hiện"


def test_accepted_file_notes_the_conversion_in_the_summary(
        workspace: Path, db: Database, registry: Registry) -> None:
    _legacy_workbook(workspace / "inbox" / "SNV" / "bc.xlsx", registry)
    folder = DropFolder.agency_inbox(workspace)
    summary = summarize([take_file(item, folder, db, registry, now=datetime.now(UTC))
                         for item in folder.pending()])
    assert summary.accepted == 1
    (outcome,) = summary.files
    assert len(outcome.notes) == 1
    note = outcome.notes[0]
    assert "Đã chuyển 3 ô từ bảng mã TCVN3 (ABC) và VNI sang Unicode" in note
    assert f"«{TCVN3_IN_PROGRESS}» → «Đang thực hiện»" in note
    assert note in collect_table(summary)[0]["Ghi chú"]
    assert "Ghi chú (đã chuyển bảng mã cũ sang Unicode)" in collect_markdown(summary, "Thu")


def test_receipt_of_a_rejected_file_shows_a_converted_sample(
        workspace: Path, db: Database, registry: Registry) -> None:
    path = workspace / "inbox" / "SNV" / "bc.csv"
    path.parent.mkdir(parents=True)
    path.write_text(CSV_TCVN3.replace("IV.1;", "KHONG.CO;"), encoding="utf-8")
    folder = DropFolder.agency_inbox(workspace)
    summary = summarize([take_file(item, folder, db, registry, now=datetime.now(UTC))
                         for item in folder.pending()])
    assert summary.rejected == 1
    receipts = list((workspace / "quarantine").rglob("*.txt"))
    assert receipts, list((workspace / "quarantine").rglob("*"))
    text = receipts[0].read_text(encoding="utf-8")
    assert "Ghi chú:" in text
    assert "«§ang thùc hiÖn» → «Đang thực hiện»" in text
    assert "trang «Nhiệm vụ», dòng 6" in text
