"""The consolidated report workbook: layout, number formats, N/A, formula safety, PDF export."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from tasks.model.report import (
    PROVINCE,
    STATUS_MET,
    STATUS_NO_DATA,
    STATUS_NO_TARGET,
    STATUS_NOT_MET,
    IndicatorValue,
    MissingUnitRow,
    RejectedFileRow,
    ReportContent,
    TaskProgressRow,
)
from tasks.report.workbook import (
    MISSING_HEADERS,
    REJECTED_HEADERS,
    SHEET_NAMES,
    SUMMARY_HEADERS,
    TASK_HEADERS,
    clean_text,
    write_report_workbook,
)

HOSTILE_FILE = '=HYPERLINK("http://evil.example/x","bao_cao.xlsx")'
HOSTILE_RESULT = "=1+1"
HOSTILE_DIFFICULTY = "@SUM(A1)"
SUMMARY_HEADER_ROW = 6


def _content() -> ReportContent:
    names = {
        "2.1": "2.1 Tỷ lệ hồ sơ giải quyết đúng hạn",
        "3.3": "3.3 Tỷ lệ hồ sơ trực tuyến",
        "HS_QUA_HAN": "Số hồ sơ quá hạn",
    }
    kinds = {"2.1": "rate", "3.3": "rate", "HS_QUA_HAN": "count"}
    indicators = [
        IndicatorValue(PROVINCE, "2.1", 45, 50, 90.0, 80, ">=", STATUS_MET),
        IndicatorValue(PROVINCE, "3.3", 0, 0, None, 80, ">=", STATUS_NO_DATA),
        IndicatorValue(PROVINCE, "HS_QUA_HAN", 3, None, 3, 0, "<=", STATUS_NOT_MET),
        IndicatorValue("SNV", "2.1", 20, 25, 80.0, 80, ">=", STATUS_MET),
        IndicatorValue("SNV", "3.3", 0, 0, None, 80, ">=", STATUS_NO_DATA),
        IndicatorValue("SNV", "HS_QUA_HAN", 1, None, 1, None, None, STATUS_NO_TARGET),
        IndicatorValue("STC", "2.1", 25, 25, 100.0, 80, ">=", STATUS_MET),
        IndicatorValue("STC", "HS_QUA_HAN", 2, None, 2, None, None, STATUS_NO_TARGET),
    ]
    tasks = [
        TaskProgressRow(
            task_id="IV.6.1",
            area="Chỉ đạo điều hành",
            text="Trình kế hoạch nhiệm vụ trọng tâm của người đứng đầu các sở " * 3,
            unit="SNV",
            unit_name="Sở Nội vụ",
            deadline=date(2025, 3, 31),
            status="Đang thực hiện",
            progress=60.0,
            completed_on=None,
            overdue=True,
            result=HOSTILE_RESULT,
            difficulties=HOSTILE_DIFFICULTY,
        ),
        TaskProgressRow(
            task_id="IV.9.2",
            area="Tài chính công",
            text="Đề xuất nghị quyết miễn phí, lệ phí dịch vụ công trực tuyến",
            unit="STC",
            unit_name="Sở Tài chính",
            deadline=None,
            status="Hoàn thành",
            progress=100.0,
            completed_on=date(2025, 2, 20),
            overdue=False,
            result="Đã trình\x07 HĐND tỉnh",  # a control character to strip
            difficulties="#N/A",  # an Excel error literal must stay text
        ),
    ]
    return ReportContent(
        period="2025-03",
        period_label_vi="tháng 03/2025",
        version=2,
        generated_at=datetime(2025, 3, 16, 1, 30, tzinfo=UTC),
        window=(date(2025, 2, 15), date(2025, 3, 14)),
        indicators=indicators,
        indicator_names=names,
        indicator_kinds=kinds,
        unit_names={"SNV": "Sở Nội vụ", "STC": "Sở Tài chính", "SYT": "Sở Y tế"},
        tasks=tasks,
        missing=[
            MissingUnitRow("SYT", "Sở Y tế", "chưa nộp"),
            MissingUnitRow(
                "STC", "Sở Tài chính", "nộp muộn", datetime(2025, 3, 20, 2, 0, tzinfo=UTC)
            ),
        ],
        rejected=[
            RejectedFileRow(
                agency_folder="SYT",
                file_name=HOSTILE_FILE,
                received_at=datetime(2025, 3, 18, 9, 15),
                problems="Dòng 5: «abc» không phải là số\nDòng 7: thiếu Mã nhiệm vụ",
            )
        ],
    )


def _empty_content() -> ReportContent:
    return ReportContent(
        period="2025-04",
        period_label_vi="tháng 04/2025",
        version=1,
        generated_at=datetime(2025, 4, 16, 8, 0),
        window=(date(2025, 3, 15), date(2025, 4, 14)),
        indicators=[],
        indicator_names={},
        indicator_kinds={},
        unit_names={},
    )


@pytest.fixture()
def workbook_path(tmp_path: Path) -> Path:
    return write_report_workbook(_content(), tmp_path / "out" / "bao_cao_2025-03.xlsx")


def _row(ws: Worksheet, row: int) -> list[object]:
    return [cell.value for cell in ws[row]]


def _find(ws: Worksheet, text: str) -> list[tuple[int, int]]:
    return [
        (cell.row, cell.column)
        for row in ws.iter_rows()
        for cell in row
        if cell.value == text and cell.row is not None and cell.column is not None
    ]


def test_sheets_in_order_with_headers_and_frozen_panes(workbook_path: Path) -> None:
    assert workbook_path.is_file()
    wb = openpyxl.load_workbook(workbook_path)
    assert wb.sheetnames == list(SHEET_NAMES)
    assert wb.sheetnames == [
        "Tổng hợp",
        "Chỉ số theo đơn vị",
        "Tiến độ nhiệm vụ",
        "Đơn vị chưa nộp",
        "Lỗi dữ liệu",
    ]
    assert not list(workbook_path.parent.glob(".tmp-*"))  # the temporary file is gone

    summary = wb["Tổng hợp"]
    title = str(summary["A1"].value)
    assert title.startswith("BÁO CÁO TỔNG HỢP CÔNG TÁC CẢI CÁCH HÀNH CHÍNH")
    assert "THÁNG 03/2025" in title
    texts = " ".join(str(summary.cell(row=r, column=1).value) for r in range(1, 5))
    assert "15/02/2025" in texts and "14/03/2025" in texts
    assert "Phiên bản: 2" in texts
    assert "16/03/2025 08:30" in texts  # 01:30 UTC is 08:30 in Vietnam
    assert _row(summary, SUMMARY_HEADER_ROW) == list(SUMMARY_HEADERS)
    assert summary.freeze_panes == f"A{SUMMARY_HEADER_ROW + 1}"
    assert summary.auto_filter.ref == f"A{SUMMARY_HEADER_ROW}:F{SUMMARY_HEADER_ROW + 3}"
    assert summary.cell(row=SUMMARY_HEADER_ROW, column=1).font.b
    assert summary.cell(row=SUMMARY_HEADER_ROW, column=1).fill.fill_type == "solid"
    assert summary.cell(row=SUMMARY_HEADER_ROW + 1, column=1).font.name == "Times New Roman"

    units = wb["Chỉ số theo đơn vị"]
    assert _row(units, 1) == [
        "Mã đơn vị",
        "Tên đơn vị",
        "2.1 Tỷ lệ hồ sơ giải quyết đúng hạn",
        "3.3 Tỷ lệ hồ sơ trực tuyến",
        "Số hồ sơ quá hạn",
    ]
    assert units.freeze_panes == "C2"
    assert units.auto_filter.ref == "A1:E3"

    assert _row(wb["Tiến độ nhiệm vụ"], 1) == list(TASK_HEADERS)
    assert _row(wb["Đơn vị chưa nộp"], 1) == list(MISSING_HEADERS)
    assert _row(wb["Lỗi dữ liệu"], 1) == list(REJECTED_HEADERS)
    for name in ("Tiến độ nhiệm vụ", "Đơn vị chưa nộp", "Lỗi dữ liệu"):
        assert wb[name].freeze_panes is not None and wb[name].freeze_panes.endswith("2")
        assert wb[name].auto_filter.ref is not None
    for ws in wb.worksheets:
        assert len(ws.title) <= 31
        for letter in ("A", "B"):
            assert 8 <= (ws.column_dimensions[letter].width or 0) <= 70


def test_province_figures_rates_counts_and_na(workbook_path: Path) -> None:
    ws = openpyxl.load_workbook(workbook_path)["Tổng hợp"]
    rows = {
        row[0].value: row
        for row in ws.iter_rows(min_row=SUMMARY_HEADER_ROW + 1)
        if row[0].value is not None
    }
    on_time = rows["2.1 Tỷ lệ hồ sơ giải quyết đúng hạn"]
    assert [c.value for c in on_time[1:3]] == [45, 50]
    assert on_time[3].value == pytest.approx(0.90)
    assert "%" in on_time[3].number_format
    assert on_time[4].value == "≥ 80%"
    assert on_time[5].value == "đạt"

    online = rows["3.3 Tỷ lệ hồ sơ trực tuyến"]
    assert online[3].value == "N/A"
    assert online[3].data_type == "s"
    assert online[5].value == "không có số liệu"

    overdue = rows["Số hồ sơ quá hạn"]
    assert overdue[3].value == 3 and isinstance(overdue[3].value, int)
    assert "%" not in overdue[3].number_format
    assert overdue[2].value is None
    assert overdue[4].value == "≤ 0"
    assert overdue[5].value == "chưa đạt"

    units = openpyxl.load_workbook(workbook_path)["Chỉ số theo đơn vị"]
    by_unit = {row[0].value: [c for c in row] for row in units.iter_rows(min_row=2)}
    assert set(by_unit) == {"SNV", "STC"}  # not TINH
    assert by_unit["SNV"][1].value == "Sở Nội vụ"
    assert by_unit["SNV"][2].value == pytest.approx(0.80)
    assert "%" in by_unit["SNV"][2].number_format
    assert by_unit["SNV"][3].value == "N/A"
    assert by_unit["STC"][2].value == pytest.approx(1.0)
    assert by_unit["STC"][3].value is None  # STC has no 3.3 value at all
    assert by_unit["STC"][4].value == 2


def test_status_columns_have_conditional_colours(workbook_path: Path) -> None:
    wb = openpyxl.load_workbook(workbook_path)
    summary = wb["Tổng hợp"]
    status_range = f"F{SUMMARY_HEADER_ROW + 1}:F{SUMMARY_HEADER_ROW + 3}"
    rules = {
        str(rule.formula[0]): rule
        for cf in summary.conditional_formatting
        if str(cf.sqref) == status_range
        for rule in cf.rules
    }
    assert set(rules) == {f'"{STATUS_MET}"', f'"{STATUS_NOT_MET}"', f'"{STATUS_NO_DATA}"'}
    assert all(rule.type == "cellIs" and rule.operator == "equal" for rule in rules.values())
    fills = {key: rule.dxf.fill.fgColor.rgb for key, rule in rules.items()}
    assert fills[f'"{STATUS_MET}"'] != fills[f'"{STATUS_NOT_MET}"']

    tasks = wb["Tiến độ nhiệm vụ"]
    overdue_rules = [
        rule for cf in tasks.conditional_formatting if str(cf.sqref) == "I2:I3" for rule in cf.rules
    ]
    assert [str(rule.formula[0]) for rule in overdue_rules] == ['"Quá hạn"']


def test_tasks_missing_rejected_values(workbook_path: Path) -> None:
    wb = openpyxl.load_workbook(workbook_path)
    tasks = wb["Tiến độ nhiệm vụ"]
    first = [c for c in tasks[2]]
    assert first[0].value == "IV.6.1"
    assert first[2].alignment.wrap_text
    assert (tasks.column_dimensions["C"].width or 0) >= 40
    assert first[4].value == datetime(2025, 3, 31)
    assert first[4].number_format.upper() == "DD/MM/YYYY"
    assert first[6].value == pytest.approx(0.6) and "%" in first[6].number_format
    assert first[8].value == "Quá hạn"
    second = [c for c in tasks[3]]
    assert second[4].value is None  # no deadline: empty
    assert second[7].value == datetime(2025, 2, 20)
    assert second[8].value is None
    assert second[9].value == "Đã trình HĐND tỉnh"  # control character removed
    assert second[10].value == "#N/A" and second[10].data_type == "s"

    missing = wb["Đơn vị chưa nộp"]
    assert _row(missing, 2) == ["SYT", "Sở Y tế", "chưa nộp", None]
    assert _row(missing, 3) == ["STC", "Sở Tài chính", "nộp muộn", datetime(2025, 3, 20, 9, 0)]

    rejected = wb["Lỗi dữ liệu"]
    assert rejected["C2"].value == datetime(2025, 3, 18, 9, 15)
    assert rejected["D2"].alignment.wrap_text


@pytest.mark.parametrize(
    ("sheet", "coordinate", "original"),
    [
        ("Lỗi dữ liệu", "B2", HOSTILE_FILE),
        ("Tiến độ nhiệm vụ", "J2", HOSTILE_RESULT),
        ("Tiến độ nhiệm vụ", "K2", HOSTILE_DIFFICULTY),
    ],
)
def test_hostile_texts_are_not_formulas(
    workbook_path: Path, sheet: str, coordinate: str, original: str
) -> None:
    cell = openpyxl.load_workbook(workbook_path)[sheet][coordinate]
    assert cell.data_type == "s"
    assert cell.value == original  # exactly as typed: no visible apostrophe
    assert cell.quotePrefix


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("=1+1", "=1+1"),
        ("+84 912 345 678", "+84 912 345 678"),
        ("- Đã ban hành Kế hoạch số 12/KH-UBND", "- Đã ban hành Kế hoạch số 12/KH-UBND"),
        ("@SUM(A1:A9)", "@SUM(A1:A9)"),
        ("\t=cmd|' /C calc'!A0", "\t=cmd|' /C calc'!A0"),
        # a carriage return is a line break; workbooks store line breaks as line feeds
        ("\r=1+1", "\n=1+1"),
        ("\r\n-5", "\n-5"),
        ("\x00=1+1", "=1+1"),  # a formula start hidden behind a NUL
    ],
)
def test_texts_read_back_as_typed_and_quote_prefixed(
    tmp_path: Path, typed: str, stored: str
) -> None:
    content = _content()
    tasks = [replace(content.tasks[0], result=typed, difficulties=typed), *content.tasks[1:]]
    path = write_report_workbook(replace(content, tasks=tasks), tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(path)["Tiến độ nhiệm vụ"]
    for coordinate in ("J2", "K2"):
        cell = ws[coordinate]
        assert cell.value == stored
        assert cell.data_type == "s"
        assert cell.quotePrefix


def test_no_formula_anywhere(workbook_path: Path) -> None:
    wb = openpyxl.load_workbook(workbook_path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
                assert cell.data_type != "e", (ws.title, cell.coordinate)


def test_clean_text() -> None:
    assert clean_text("Sở Nội vụ") == "Sở Nội vụ"
    assert clean_text("- Đã ban hành") == "- Đã ban hành"  # no apostrophe added
    assert clean_text(" =1") == " =1"
    assert clean_text("a\x00b\x1fc\td\ne") == "abc\td\ne"
    assert len(clean_text("x" * 40000)) <= 32767


def test_every_text_cell_is_quote_prefixed(workbook_path: Path) -> None:
    wb = openpyxl.load_workbook(workbook_path)
    texts = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)]
    assert texts
    assert all(c.quotePrefix for c in texts), [c.coordinate for c in texts if not c.quotePrefix]


def test_empty_sheets_say_khong_co(tmp_path: Path) -> None:
    path = write_report_workbook(_empty_content(), tmp_path / "empty.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == list(SHEET_NAMES)
    assert _row(wb["Tổng hợp"], SUMMARY_HEADER_ROW) == list(SUMMARY_HEADERS)
    assert wb["Tổng hợp"].cell(row=SUMMARY_HEADER_ROW + 1, column=1).value == "Không có"
    assert _row(wb["Chỉ số theo đơn vị"], 1) == ["Mã đơn vị", "Tên đơn vị"]
    for name in SHEET_NAMES[1:]:
        ws = wb[name]
        assert ws["A2"].value == "Không có", name
        assert ws.freeze_panes is not None


def test_rewrite_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    write_report_workbook(_empty_content(), path)
    write_report_workbook(_content(), path)
    assert openpyxl.load_workbook(path)["Lỗi dữ liệu"]["A2"].value == "SYT"


def test_converts_to_pdf_with_libreoffice(workbook_path: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed on this machine")
    outdir = tmp_path / "pdf"
    profile = tmp_path / "lo-profile"  # a private profile: parallel runs do not lock each other
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(workbook_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    pdf = outdir / (workbook_path.stem + ".pdf")
    assert pdf.is_file(), (result.returncode, result.stdout, result.stderr)
    assert pdf.stat().st_size > 0
    assert pdf.read_bytes().startswith(b"%PDF")


def test_cells_of_one_style_stay_independent(tmp_path: Path) -> None:
    """Body cells share their style as copies: widening one long text wraps only that cell."""
    content = _content()
    long_id = "IV.6.1-" + "x" * 60  # longer than the widest column (50): its cell wraps
    first, second = content.tasks[:2]
    content = replace(content, tasks=[first, replace(second, task_id=long_id), first])
    path = write_report_workbook(content, tmp_path / "bao_cao.xlsx")
    tasks = openpyxl.load_workbook(path)["Tiến độ nhiệm vụ"]
    assert tasks["A3"].value == long_id and tasks["A3"].alignment.wrap_text
    for short in ("A2", "A4"):  # same column, same style, short: not wrapped
        assert not tasks[short].alignment.wrap_text
        assert tasks[short].font.name == "Times New Roman"
        assert tasks[short].border.left.style == "thin"
        assert tasks[short].quotePrefix and tasks[short].alignment.vertical == "top"
    assert tasks["G2"].number_format == "0%" and not tasks["G2"].quotePrefix
