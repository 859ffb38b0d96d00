"""Each validation rule, with a file that breaks it; the receipt names sheet, row, column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from config.registry import Registry
from tasks.intake.reader import read_submission
from tasks.intake.template import TaskEntry
from tasks.intake.validation import validate_submission
from tasks.model.problems import Problem
from tasks.model.rules import ReportingRules
from tasks.model.submission import Submission
from tests.builders import TODAY, submission_or_problems, write_submission

DONE = "Hoàn thành"


def _validate(path: Path, registry: Registry, folder: str | None = "SNV",
              today: date = TODAY) -> Submission | list[Problem]:
    return submission_or_problems(validate_submission(read_submission(path), registry, today=today,
                               folder_agency=folder, rules=ReportingRules()))


def _edit(path: Path, sheet: str, cell: str, value: object) -> None:
    wb = load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)


def _row_of(path: Path, sheet: str, key: str) -> int:
    ws = load_workbook(path)[sheet]
    return next(c.row for c in ws["A"] if c.value == key)


def _only(result: Submission | list[Problem]) -> Problem:
    assert isinstance(result, list), result
    assert len(result) == 1, result
    return result[0]


def test_valid_file(tmp_path: Path, registry: Registry) -> None:
    path = write_submission(tmp_path / "snv.xlsx", registry, "SNV", entries=[
        TaskEntry("IV.6.b", DONE, 100, date(2025, 3, 28), "Kế hoạch số 45/KH-UBND"),
        TaskEntry("IV.1", "Đang thực hiện", 60),
    ], metrics={"kiem_tra_cchc": 4})
    result = _validate(path, registry)
    assert isinstance(result, Submission)
    assert result.agency_code == "SNV" and result.period.label == "2025-05"
    assert {t.task_id: t.progress for t in result.tasks} == {"IV.6.b": 100.0, "IV.1": 60.0}
    assert result.metrics[0].metric_code == "kiem_tra_cchc" and result.metrics[0].value == 4


def test_agency_must_match_folder(tmp_path: Path, registry: Registry) -> None:
    path = write_submission(tmp_path / "stp.xlsx", registry, "STP")
    problem = _only(_validate(path, registry, folder="SNV"))
    assert (problem.sheet, problem.row, problem.column) == ("Thông tin", 3, "Mã đơn vị")
    assert "thư mục của SNV" in problem.message


def test_unknown_agency(tmp_path: Path, registry: Registry) -> None:
    path = write_submission(tmp_path / "x.xlsx", registry, "SNV")
    _edit(path, "Thông tin", "B3", "SXYZ")
    problem = _only(_validate(path, registry, folder=None))
    assert (problem.sheet, problem.row, problem.column) == ("Thông tin", 3, "Mã đơn vị")
    assert "SXYZ" in problem.message


def test_agency_not_valid_in_period(tmp_path: Path, registry: Registry) -> None:
    path = write_submission(tmp_path / "lx.xlsx", registry, "UBND-LX")
    _edit(path, "Thông tin", "B5", "08/2025")
    problem = _only(_validate(path, registry, folder="UBND-LX", today=date(2025, 9, 1)))
    assert (problem.sheet, problem.column) == ("Thông tin", "Mã đơn vị")
    assert "2025-08" in problem.message


@pytest.mark.parametrize(("value", "fragment"), [("13/2025", "không có thật"),
                                                 ("quý năm", "không đúng định dạng"),
                                                 ("07/2025", "tương lai")])
def test_period_must_be_real_and_past(tmp_path: Path, registry: Registry, value: str,
                                      fragment: str) -> None:
    path = write_submission(tmp_path / "p.xlsx", registry, "SNV")
    _edit(path, "Thông tin", "B5", value)
    problem = _only(_validate(path, registry))
    assert (problem.sheet, problem.row, problem.column) == ("Thông tin", 5, "Kỳ báo cáo")
    assert fragment in problem.message


def test_task_must_exist(tmp_path: Path, registry: Registry) -> None:
    path = write_submission(tmp_path / "t.xlsx", registry, "SNV",
                            entries=[TaskEntry("IV.1", "Đang thực hiện", 10)])
    row = _row_of(path, "Nhiệm vụ", "IV.1")
    _edit(path, "Nhiệm vụ", f"A{row}", "IV.99")
    problem = _only(_validate(path, registry))
    assert (problem.sheet, problem.row, problem.column) == ("Nhiệm vụ", row, "Mã nhiệm vụ")
    assert "IV.99" in problem.message


def test_task_must_be_assigned_to_agency(tmp_path: Path, registry: Registry) -> None:
    path = write_submission(tmp_path / "t.xlsx", registry, "STP",
                            entries=[TaskEntry("IV.3.a", "Đang thực hiện", 10)])
    row = _row_of(path, "Nhiệm vụ", "IV.3.a")
    _edit(path, "Nhiệm vụ", f"A{row}", "IV.6.b")  # Sở Nội vụ's task
    problem = _only(_validate(path, registry, folder="STP"))
    assert (problem.sheet, problem.row, problem.column) == ("Nhiệm vụ", row, "Mã nhiệm vụ")
    assert "không được giao" in problem.message


def test_status_must_be_known(tmp_path: Path, registry: Registry) -> None:
    path = write_submission(tmp_path / "t.xlsx", registry, "SNV",
                            entries=[TaskEntry("IV.1", "Xong rồi", 10)])
    row = _row_of(path, "Nhiệm vụ", "IV.1")
    problem = _only(_validate(path, registry))
    assert (problem.sheet, problem.row, problem.column) == ("Nhiệm vụ", row, "Tình trạng")


def test_status_matches_without_diacritics(tmp_path: Path, registry: Registry) -> None:
    path = write_submission(tmp_path / "t.xlsx", registry, "SNV",
                            entries=[TaskEntry("IV.1", "dang thuc hien", 10)])
    result = _validate(path, registry)
    assert isinstance(result, Submission) and result.tasks[0].status == "Đang thực hiện"


@pytest.mark.parametrize("progress", [120, -5, "nhiều"])
def test_progress_between_0_and_100(tmp_path: Path, registry: Registry,
                                    progress: object) -> None:
    path = write_submission(tmp_path / "t.xlsx", registry, "SNV",
                            entries=[TaskEntry("IV.1", "Đang thực hiện")])
    row = _row_of(path, "Nhiệm vụ", "IV.1")
    _edit(path, "Nhiệm vụ", f"E{row}", progress)
    problem = _only(_validate(path, registry))
    assert (problem.sheet, problem.row, problem.column) == ("Nhiệm vụ", row, "Tiến độ (%)")


def test_done_needs_completion_date_and_100(tmp_path: Path, registry: Registry) -> None:
    path = write_submission(tmp_path / "t.xlsx", registry, "SNV",
                            entries=[TaskEntry("IV.6.b", DONE, 80)])
    row = _row_of(path, "Nhiệm vụ", "IV.6.b")
    result = _validate(path, registry)
    assert isinstance(result, list)
    assert {(p.sheet, p.row, p.column) for p in result} == {
        ("Nhiệm vụ", row, "Ngày hoàn thành"), ("Nhiệm vụ", row, "Tiến độ (%)")}


def test_completion_date_not_in_future(tmp_path: Path, registry: Registry) -> None:
    path = write_submission(tmp_path / "t.xlsx", registry, "SNV",
                            entries=[TaskEntry("IV.6.b", DONE, 100, date(2025, 7, 1))])
    row = _row_of(path, "Nhiệm vụ", "IV.6.b")
    problem = _only(_validate(path, registry))
    assert (problem.sheet, problem.row, problem.column) == ("Nhiệm vụ", row, "Ngày hoàn thành")
    assert "tương lai" in problem.message


def test_metric_must_exist_and_be_non_negative(tmp_path: Path, registry: Registry) -> None:
    path = write_submission(tmp_path / "m.xlsx", registry, "SNV",
                            metrics={"kiem_tra_cchc": -2, "vbqppl_ra_soat": 3})
    first = _row_of(path, "Chỉ tiêu", "kiem_tra_cchc")
    second = _row_of(path, "Chỉ tiêu", "vbqppl_ra_soat")
    _edit(path, "Chỉ tiêu", f"A{second}", "so_cuoc_hop")
    result = _validate(path, registry)
    assert isinstance(result, list)
    assert [(p.sheet, p.row, p.column) for p in result] == [
        ("Chỉ tiêu", first, "Giá trị"), ("Chỉ tiêu", second, "Mã chỉ tiêu")]


def test_metric_value_must_be_a_number(tmp_path: Path, registry: Registry) -> None:
    path = write_submission(tmp_path / "m.xlsx", registry, "SNV", metrics={"kiem_tra_cchc": 1})
    row = _row_of(path, "Chỉ tiêu", "kiem_tra_cchc")
    _edit(path, "Chỉ tiêu", f"D{row}", "ba cuộc")
    problem = _only(_validate(path, registry))
    assert (problem.sheet, problem.row, problem.column) == ("Chỉ tiêu", row, "Giá trị")


def test_all_problems_listed_not_only_the_first(tmp_path: Path, registry: Registry) -> None:
    path = write_submission(tmp_path / "many.xlsx", registry, "SNV", entries=[
        TaskEntry("IV.1", "Sai", 10), TaskEntry("IV.5", "Đang thực hiện", 300),
        TaskEntry("IV.6.b", DONE, 100),
    ], metrics={"kiem_tra_cchc": -1})
    _edit(path, "Thông tin", "B5", "99/2025")
    result = _validate(path, registry)
    assert isinstance(result, list)
    columns = sorted((p.sheet or "", p.column or "") for p in result)
    assert columns == sorted([("Thông tin", "Kỳ báo cáo"), ("Nhiệm vụ", "Tình trạng"),
                              ("Nhiệm vụ", "Tiến độ (%)"), ("Nhiệm vụ", "Ngày hoàn thành"),
                              ("Chỉ tiêu", "Giá trị")])


def test_duplicate_task_rows(tmp_path: Path, registry: Registry) -> None:
    path = write_submission(tmp_path / "d.xlsx", registry, "SNV",
                            entries=[TaskEntry("IV.1", "Đang thực hiện", 10)])
    wb = load_workbook(path)
    wb["Nhiệm vụ"].append(["IV.1", None, None, "Đang thực hiện", 20])
    wb.save(path)
    problem = _only(_validate(path, registry))
    assert problem.column == "Mã nhiệm vụ" and "đã khai ở dòng" in problem.message


EMPTY_CSV = ("Thông tin\nMã đơn vị;SNV\nKỳ báo cáo;05/2025\nNhiệm vụ\n"
             "Mã nhiệm vụ;Tình trạng;Tiến độ (%);Ngày hoàn thành;Kết quả/Sản phẩm;"
             "Khó khăn, vướng mắc\nChỉ tiêu\nMã chỉ tiêu;Giá trị;Ghi chú\n")


def _empty_file(tmp_path: Path, registry: Registry, kind: str) -> Path:
    if kind == "xlsx":  # the agency's template sent back as it came: tasks listed, none filled
        return write_submission(tmp_path / "snv.xlsx", registry, "SNV")
    if kind == "csv":  # the header lines only
        path = tmp_path / "snv.csv"
        path.write_text(EMPTY_CSV, encoding="utf-8")
        return path
    path = tmp_path / "snv.json"
    path.write_text('{"Mã đơn vị": "SNV", "Kỳ báo cáo": "05/2025", "Nhiệm vụ": [], '
                    '"Chỉ tiêu": []}', encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["xlsx", "csv", "json"])
def test_a_file_with_no_task_and_no_metric_is_refused(tmp_path: Path, registry: Registry,
                                                      kind: str) -> None:
    problem = _only(_validate(_empty_file(tmp_path, registry, kind), registry))
    assert (problem.sheet, problem.row, problem.column) == (None, None, None)
    assert problem.message.startswith("tệp không có dòng nhiệm vụ hay chỉ tiêu nào")


def test_one_metric_alone_is_a_report(tmp_path: Path, registry: Registry) -> None:
    path = tmp_path / "snv.csv"
    path.write_text(EMPTY_CSV + "kiem_tra_cchc;0;\n", encoding="utf-8")
    result = _validate(path, registry)
    assert isinstance(result, Submission), result
    assert (result.tasks, [m.value for m in result.metrics]) == ((), [0.0])


def test_an_empty_file_with_a_wrong_row_lists_only_the_row(tmp_path: Path,
                                                           registry: Registry) -> None:
    path = tmp_path / "snv.csv"
    path.write_text(EMPTY_CSV + "khong_co;1;\n", encoding="utf-8")
    problem = _only(_validate(path, registry))
    assert (problem.sheet, problem.column) == ("Chỉ tiêu", "Mã chỉ tiêu")
