"""Header and number variants: sheet names and headers in any case, with or without
diacritics, title rows above the header, blank rows, CSV and JSON twins."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from config.registry import Registry
from tasks.intake.reader import UnreadableFile, read_submission
from tasks.intake.validation import validate_submission
from tasks.model.rules import ReportingRules
from tasks.model.submission import Submission
from tests import paths
from tests.builders import TODAY, submission_or_problems


def _hand_made(path: Path) -> Path:
    """A workbook typed by hand: odd sheet names and headers, titles, blank rows."""
    wb = Workbook()
    info = wb.active
    assert info is not None
    info.title = "THONG TIN"
    info.append(["BÁO CÁO CCHC"])
    info.append(["ma don vi", "snv"])
    info.append(["Kỳ  báo cáo"])
    info.append(["Tháng 5/2025"])
    tasks = wb.create_sheet("nhiem vu")
    tasks.append(["Sở Nội vụ - báo cáo nhiệm vụ"])
    tasks.append([])
    tasks.append(["MÃ NHIỆM VỤ", "Tình   trạng", "Tiến độ\n(%)", "ngay hoan thanh",
                  "Kết quả / Sản phẩm", "Khó khăn,vướng mắc"])
    tasks.append(["IV.1", "Đang thực hiện", "85%", None, "Đã trình dự thảo", None])
    tasks.append([None, None, None, None, None, None])
    tasks.append(["IV.6.b", "hoàn thành", "100", "28/03/2025", "Kế hoạch 45", None])
    tasks.append(["IV.5", "Đang thực hiện", 0.5, None, None, "Thiếu biên chế"])
    metrics = wb.create_sheet("Chi tieu")
    metrics.append(["Mã chỉ tiêu", "Giá trị", "Ghi chú"])
    metrics.append(["vbqppl_ra_soat", "1.234", None])
    metrics.append(["tin_bai_tuyen_truyen", "12,5", "nửa tin"])
    wb.save(path)
    return path


def test_hand_made_workbook(tmp_path: Path, registry: Registry) -> None:
    raw = read_submission(_hand_made(tmp_path / "bc.xlsx"))
    assert raw.problems == []
    assert [r.row for r in raw.tasks] == [4, 6, 7]
    result = submission_or_problems(
        validate_submission(raw, registry, today=TODAY, folder_agency="SNV",
                                 rules=ReportingRules()))
    assert isinstance(result, Submission), result
    progress = {t.task_id: t.progress for t in result.tasks}
    assert progress == {"IV.1": 85.0, "IV.6.b": 100.0, "IV.5": 50.0}
    done = next(t for t in result.tasks if t.task_id == "IV.6.b")
    assert done.status == "Hoàn thành" and done.completed_on == date(2025, 3, 28)
    assert {m.metric_code: m.value for m in result.metrics} == {
        "vbqppl_ra_soat": 1234.0, "tin_bai_tuyen_truyen": 12.5}


def test_excel_percent_format(tmp_path: Path, registry: Registry) -> None:
    path = _hand_made(tmp_path / "bc.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(path)
    cell = wb["nhiem vu"]["C4"]
    cell.value = 1.0
    cell.number_format = "0%"
    # 100 % is a finished task (100 % while «Đang thực hiện» is refused)
    wb["nhiem vu"]["B4"], wb["nhiem vu"]["D4"] = "Hoàn thành", "20/05/2025"
    wb.save(path)
    result = submission_or_problems(
        validate_submission(read_submission(path), registry, today=TODAY,
                                 rules=ReportingRules()))
    assert isinstance(result, Submission)
    assert next(t for t in result.tasks if t.task_id == "IV.1").progress == 100.0


CSV = """Thông tin
Mã đơn vị;SNV
Kỳ báo cáo;05/2025
Nhiệm vụ
Mã nhiệm vụ;Tình trạng;Tiến độ (%);Ngày hoàn thành;Kết quả/Sản phẩm;Khó khăn, vướng mắc
IV.1;Đang thực hiện;40;;;
IV.6.b;Hoàn thành;100%;15/3/2025;Kế hoạch;
Chỉ tiêu
Mã chỉ tiêu;Giá trị;Ghi chú
kiem_tra_cchc;3;
"""


def test_csv_twin(tmp_path: Path, registry: Registry) -> None:
    path = tmp_path / "bc.csv"
    path.write_text(CSV, encoding="utf-8-sig")
    result = submission_or_problems(
        validate_submission(read_submission(path), registry, today=TODAY,
                                 folder_agency="SNV", rules=ReportingRules()))
    assert isinstance(result, Submission), result
    assert [(t.task_id, t.progress) for t in result.tasks] == [("IV.1", 40.0),
                                                               ("IV.6.b", 100.0)]
    assert result.metrics[0].value == 3


def test_csv_errors_name_the_csv_line(tmp_path: Path, registry: Registry) -> None:
    path = tmp_path / "bc.csv"
    path.write_text(CSV.replace("IV.1;Đang thực hiện;40", "IV.1;Đang thực hiện;400"),
                    encoding="utf-8")
    result = submission_or_problems(
        validate_submission(read_submission(path), registry, today=TODAY,
                                 rules=ReportingRules()))
    assert isinstance(result, list)
    assert [(p.sheet, p.row, p.column) for p in result] == [("Nhiệm vụ", 6, "Tiến độ (%)")]


def test_json_twin(tmp_path: Path, registry: Registry) -> None:
    path = tmp_path / "bc.json"
    path.write_text(json.dumps({
        "Mã đơn vị": "SNV", "Kỳ báo cáo": "2025-05",
        "Nhiệm vụ": [{"Mã nhiệm vụ": "IV.1", "Tình trạng": "Đang thực hiện", "Tiến độ (%)": 30},
                     {"Mã nhiệm vụ": "IV.5", "Tình trạng": "Chưa thực hiện"}],
        "Chỉ tiêu": [{"Mã chỉ tiêu": "kiem_tra_cchc", "Giá trị": "2"}],
    }, ensure_ascii=False), encoding="utf-8")
    result = submission_or_problems(
        validate_submission(read_submission(path), registry, today=TODAY,
                                 folder_agency="SNV", rules=ReportingRules()))
    assert isinstance(result, Submission), result
    assert [t.task_id for t in result.tasks] == ["IV.1", "IV.5"]


def test_json_error_names_the_item(tmp_path: Path, registry: Registry) -> None:
    path = tmp_path / "bc.json"
    path.write_text(json.dumps({"agency": "SNV", "period": "2025-05", "tasks": [
        {"task_id": "IV.1", "status": "Đang thực hiện"},
        {"task_id": "IV.1x", "status": "Đang thực hiện"}]}), encoding="utf-8")
    result = submission_or_problems(
        validate_submission(read_submission(path), registry, today=TODAY,
                                 rules=ReportingRules()))
    assert isinstance(result, list)
    assert [(p.sheet, p.row, p.column) for p in result] == [("Nhiệm vụ", 2, "Mã nhiệm vụ")]


def test_missing_sheet_and_column(tmp_path: Path, registry: Registry) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Nhiệm vụ"
    ws.append(["Mã nhiệm vụ", "Tiến độ (%)"])
    ws.append(["IV.1", 10])
    wb.save(tmp_path / "x.xlsx")
    raw = read_submission(tmp_path / "x.xlsx")
    assert ("Thông tin", None) in {(p.sheet, p.column) for p in raw.problems}
    assert ("Nhiệm vụ", "Tình trạng") in {(p.sheet, p.column) for p in raw.problems}


@pytest.mark.parametrize(("name", "content"), [("x.xlsx", b"not a zip"), ("x.pdf", b"%PDF"),
                                               ("x.json", b"{broken")])
def test_unreadable(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile):
        read_submission(path)


# --- edges: workbooks from outside are read within limits --------------------------------


def _with_cell(path: Path, sheet: str, ref: str, *, value: object = None,
               number_format: str | None = None) -> Path:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    cell = wb[sheet][ref]
    if value is not None:
        cell.value = value
    if number_format is not None:
        cell.number_format = number_format
    wb.save(path)
    return path


def test_far_formatted_empty_cell_is_not_data(tmp_path: Path, registry: Registry) -> None:
    """One formatted cell at XFD1048576 made the reader walk a billion empty cells."""
    path = _with_cell(_hand_made(tmp_path / "bc.xlsx"), "nhiem vu", "XFD1048576",
                      number_format="0%")
    raw = read_submission(path)
    assert raw.problems == []
    assert [r.row for r in raw.tasks] == [4, 6, 7]
    assert isinstance(submission_or_problems(
        validate_submission(raw, registry, today=TODAY, folder_agency="SNV",
                                          rules=ReportingRules())),
                      Submission)


@pytest.mark.parametrize("ref", ["A5001", "BI1", "XFD1048576"])
def test_value_outside_the_limits_is_refused(tmp_path: Path, ref: str) -> None:
    path = _with_cell(_hand_made(tmp_path / "bc.xlsx"), "nhiem vu", ref, value="x")
    with pytest.raises(UnreadableFile) as caught:
        read_submission(path)
    message = str(caught.value)
    assert f"ô {ref}" in message and "«nhiem vu»" in message
    assert "5.000 dòng và 60 cột" in message and "BH5000" in message


def test_value_at_the_last_cell_within_the_limits_is_read(tmp_path: Path) -> None:
    path = _with_cell(_hand_made(tmp_path / "bc.xlsx"), "nhiem vu", "BH5000", value="x")
    raw = read_submission(path)
    assert raw.problems == [] and [r.row for r in raw.tasks] == [4, 6, 7]


def _add_padding(path: Path, size: int) -> Path:
    """Add a part of ``size`` zero bytes, which deflate packs into a few kilobytes."""
    import zipfile

    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", bytes(size))
    return path


def test_zip_bomb_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    path = _add_padding(_hand_made(tmp_path / "bc.xlsx"), 8 * 1024 * 1024)
    with pytest.raises(UnreadableFile) as caught:
        read_submission(path)
    assert "nén bất thường" in str(caught.value)


def test_text_file_named_xlsx_gets_a_sentence_not_an_exception(tmp_path: Path) -> None:
    path = tmp_path / "bao-cao.xlsx"
    path.write_text("Báo cáo tháng 5", encoding="utf-8")
    with pytest.raises(UnreadableFile) as caught:
        read_submission(path)
    assert str(caught.value) == ("tệp không phải là tệp Excel .xlsx hợp lệ; "
                                 "hãy lưu lại bằng Excel dưới dạng .xlsx")


def test_broken_json_message_has_no_python_text(tmp_path: Path) -> None:
    path = tmp_path / "bc.json"
    path.write_text('{"Mã đơn vị": "SNV",\n "Kỳ báo cáo" "05/2025"}', encoding="utf-8")
    with pytest.raises(UnreadableFile) as caught:
        read_submission(path)
    message = str(caught.value)
    assert "dòng 2" in message and "Expecting" not in message and str(tmp_path) not in message


def test_custom_percent_format(tmp_path: Path, registry: Registry) -> None:
    path = _with_cell(_hand_made(tmp_path / "bc.xlsx"), "nhiem vu", "C7", value=0.455,
                      number_format='0.0" %"')
    result = submission_or_problems(
        validate_submission(read_submission(path), registry, today=TODAY,
                                 rules=ReportingRules()))
    assert isinstance(result, Submission)
    assert next(t for t in result.tasks if t.task_id == "IV.5").progress == 45.5


# --- edges: the CSV separator is decided from the header lines -----------------------------

FIXTURES = paths.FIXTURES / "csv"


@pytest.mark.parametrize("name", ["agency-semicolon-commas.csv",
                                  "agency-comma-quoted-semicolons.csv", "agency-tab.csv"])
def test_csv_separator_from_the_header_lines(name: str, registry: Registry) -> None:
    raw = read_submission(FIXTURES / name)
    assert raw.problems == []
    assert "thiếu kinh phí" in str(raw.tasks[0].cells["Khó khăn, vướng mắc"])
    result = submission_or_problems(
        validate_submission(raw, registry, today=TODAY, folder_agency="SNV",
                                 rules=ReportingRules()))
    assert isinstance(result, Submission), result
    assert [(t.task_id, t.progress) for t in result.tasks] == [("IV.1", 40.0),
                                                               ("IV.6.b", 100.0)]
    assert [(m.metric_code, m.value) for m in result.metrics] == [("kiem_tra_cchc", 3.0)]


def test_csv_that_cannot_be_split_gets_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / "bc.csv"
    path.write_text('Thông tin\nMã đơn vị;"SNV\n' + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(UnreadableFile) as caught:
        read_submission(path)
    assert "tệp CSV không đúng định dạng" in str(caught.value)
    assert "field" not in str(caught.value)


# --- edges: a CSV saved as Unicode text (UTF-16), as Excel's «Unicode Text» writes ----------

UNICODE_TEXT = CSV.replace(";", "\t").replace("\n", "\r\n")


@pytest.mark.parametrize(("bom", "encoding"), [
    (b"\xff\xfe", "utf-16-le"),  # Excel's «Unicode Text»: little-endian, with a BOM
    (b"\xfe\xff", "utf-16-be"),
    (b"", "utf-16-le"),  # no BOM: every other byte NUL, unambiguous
    (b"", "utf-16-be"),
])
def test_csv_saved_as_utf16_is_read(tmp_path: Path, registry: Registry, bom: bytes,
                                    encoding: str) -> None:
    path = tmp_path / "bc.csv"
    path.write_bytes(bom + UNICODE_TEXT.encode(encoding))
    raw = read_submission(path)
    assert raw.problems == []
    checked = validate_submission(raw, registry, today=TODAY, folder_agency="SNV",
                                  rules=ReportingRules())
    result = checked.value
    assert result is not None, checked.problems
    assert [(t.task_id, t.status, t.progress, t.result) for t in result.tasks] == [
        ("IV.1", "Đang thực hiện", 40.0, None),
        ("IV.6.b", "Hoàn thành", 100.0, "Kế hoạch")]
    assert [(m.metric_code, m.value) for m in result.metrics] == [("kiem_tra_cchc", 3.0)]


def test_json_saved_as_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bc.json"
    path.write_bytes(b"\xff\xfe" + json.dumps({
        "Mã đơn vị": "SNV", "Kỳ báo cáo": "2025-05",
        "Nhiệm vụ": [{"Mã nhiệm vụ": "IV.1", "Tình trạng": "Đang thực hiện"}],
    }, ensure_ascii=False).encode("utf-16-le"))
    raw = read_submission(path)
    assert raw.problems == []
    assert raw.tasks[0].cells["Tình trạng"] == "Đang thực hiện"


@pytest.mark.parametrize("data", [
    b"\xff\xfe" + UNICODE_TEXT.encode("utf-16-le")[:-1],  # BOM, cut short by one byte
    UNICODE_TEXT.encode("utf-16-le")[:-1],  # no BOM, cut short
    b"\xff\xfe" + "Thông tin\r\n".encode("utf-16-le") + b"\x00\xd8\x41\x00",  # lone surrogate
])
def test_broken_utf16_csv_gets_a_sentence_on_how_to_save_it(tmp_path: Path,
                                                             data: bytes) -> None:
    path = tmp_path / "bc.csv"
    path.write_bytes(data)
    with pytest.raises(UnreadableFile) as caught:
        read_submission(path)
    message = str(caught.value)
    assert "UTF-16" in message and "CSV UTF-8 (Comma delimited)" in message
    assert "Nhiệm vụ" not in message


def test_a_nul_byte_in_a_utf8_csv_is_not_taken_for_utf16(tmp_path: Path) -> None:
    path = tmp_path / "bc.csv"
    path.write_bytes(CSV.replace("IV.1;", "IV.1\x00;").encode("utf-8"))
    raw = read_submission(path)
    assert [(p.sheet, p.column) for p in raw.problems] == [("Nhiệm vụ", "Mã nhiệm vụ")]
    assert "\\x00" in raw.problems[0].message
