"""Hostile and faulty input, second round (issue 22, points 11 and 12): rows and keys.

- 11: CSV and JSON are held to the workbook's limits (:data:`MAX_ROWS` rows and
  :data:`MAX_COLUMNS` columns per sheet, :data:`MAX_FILE_BYTES` on disk), and reading
  stops at the limit; a receipt lists the first :data:`MAX_LISTED_PROBLEMS` problems and
  says how many more there are, in the ``.loi.txt``, the ``.loi.json`` and the database.
- 12: a JSON file naming one section or field under two spellings is refused, naming both;
  a control character in a cell is refused at its cell and never shown raw.

Every file is written by hand here (text and JSON literals), in a real temporary folder;
collections run against the real SQLite / PostgreSQL database.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from config.registry import Registry
from connectors.database import Database
from connectors.db_schema import RejectionRow
from connectors.drop_folder import DropFolder
from tasks.intake.collect import CollectSummary, FileOutcome
from tasks.intake.reader import UnreadableFile, read_submission
from tasks.intake.summaries import collect_markdown
from tasks.intake.template import TaskEntry
from tasks.intake.validation import validate_submission
from tasks.model.problems import MAX_LISTED_PROBLEMS, Problem
from tasks.model.rules import ReportingRules
from tasks.model.submission import Submission
from tasks.sheets.workbook_limits import MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS
from tests.builders import TODAY, submission_or_problems, take_file, write_submission

NOW = datetime(2025, 5, 16, 8, tzinfo=UTC)
LIMIT_WORDS = "tối đa 5.000 dòng và 60 cột"  # as the .xlsx refusal says it

INFO = "Thông tin\nMã đơn vị;SNV\nKỳ báo cáo;05/2025\n"
TASK_HEADER = "Nhiệm vụ\nMã nhiệm vụ;Tình trạng;Tiến độ (%)\n"
METRICS = "Chỉ tiêu\nMã chỉ tiêu;Giá trị;Ghi chú\nkiem_tra_cchc;3;\n"


def _collect(workspace: Path, db: Database, registry: Registry) -> FileOutcome:
    folder = DropFolder.agency_inbox(workspace)
    folder.ensure(["SNV"])
    [item] = folder.pending()
    outcome = take_file(item, folder, db, registry, now=NOW)
    assert outcome is not None
    return outcome


def _inbox_file(workspace: Path, name: str, text: str) -> Path:
    path = workspace / "inbox" / "SNV" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _validated(path: Path, registry: Registry) -> Submission | list[Problem]:
    return submission_or_problems(validate_submission(read_submission(path), registry, today=TODAY,
                               folder_agency="SNV", rules=ReportingRules()))


def _refusal(path: Path) -> str:
    with pytest.raises(UnreadableFile) as caught:
        read_submission(path)
    return str(caught.value)


# --- 11. CSV and JSON within the workbook's limits ----------------------------------------
def _task_lines(count: int) -> str:
    return "".join(f"IV.1;Đang thực hiện;{n % 100}\n" for n in range(count))


def test_a_csv_with_more_task_lines_than_a_sheet_is_refused_at_the_limit(
        workspace: Path, db: Database, registry: Registry) -> None:
    # 5,001 task lines under the header: the block holds 5,002 rows, as a sheet would.
    # A quote left open at the very end would make the whole file unreadable: the refusal
    # names the limit, so reading stopped there and never reached it.
    text = INFO + TASK_HEADER + _task_lines(5_001) + METRICS + 'x;"never closed\n'
    _inbox_file(workspace, "bc.csv", text)
    outcome = _collect(workspace, db, registry)
    assert outcome.outcome == "rejected"
    [problem] = outcome.problems
    assert "«Nhiệm vụ»" in problem.message and LIMIT_WORDS in problem.message, problem
    assert "dấu nháy" not in problem.message, problem
    receipt = Path(outcome.kept_at + ".loi.txt").read_text(encoding="utf-8")
    assert LIMIT_WORDS in receipt, receipt


def test_a_csv_at_the_limit_is_still_read(tmp_path: Path, registry: Registry) -> None:
    # the task block: header + 4,999 lines = 5,000 rows, the most a sheet holds
    path = tmp_path / "bc.csv"
    path.write_text(INFO + TASK_HEADER + _task_lines(MAX_ROWS - 1) + METRICS,
                    encoding="utf-8")
    raw = read_submission(path)
    assert len(raw.tasks) == MAX_ROWS - 1 and not raw.problems


def test_a_csv_too_large_on_disk_is_refused_without_being_read(tmp_path: Path) -> None:
    # what issue 22 measured: 557k task lines, 50 MB, took 93 s and 1.3 GB
    path = tmp_path / "bc.csv"
    line = "IV.1;Đang thực hiện;40;;" + "Đã rà soát, tổng hợp, trình lãnh đạo Sở" * 2 + ";\n"
    count = 50 * 1024 * 1024 // len(line.encode())
    path.write_text(INFO + TASK_HEADER + line * count + METRICS, encoding="utf-8")
    assert path.stat().st_size > MAX_FILE_BYTES
    started = time.monotonic()
    message = _refusal(path)
    assert time.monotonic() - started < 5, "the size alone decides"
    assert "quá lớn" in message and "20 MB" in message, message


def test_a_csv_cell_beyond_the_last_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bc.csv"
    last = ";" * (MAX_COLUMNS - 3) + "x"  # three cells, then a value in column 60
    path.write_text(INFO + TASK_HEADER + "IV.1;Đang thực hiện;40" + last + "\n" + METRICS,
                    encoding="utf-8")
    assert len(read_submission(path).tasks) == 1
    path.write_text(INFO + TASK_HEADER + "IV.1;Đang thực hiện;40;" + last + "\n" + METRICS,
                    encoding="utf-8")  # column 61
    message = _refusal(path)
    assert "cột thứ 61" in message and LIMIT_WORDS in message, message


def test_empty_cells_beyond_the_last_column_cost_nothing(tmp_path: Path,
                                                         registry: Registry) -> None:
    # Excel pads a CSV row with separators up to the widest row
    path = tmp_path / "bc.csv"
    pad = ";" * 200
    path.write_text(INFO + TASK_HEADER + "IV.1;Đang thực hiện;40" + pad + "\n" + METRICS,
                    encoding="utf-8")
    assert isinstance(_validated(path, registry), Submission)


def _json(path: Path, tasks: list[dict[str, object]],
          metrics: list[dict[str, object]] | None = None) -> Path:
    data = {"Mã đơn vị": "SNV", "Kỳ báo cáo": "2025-05", "Nhiệm vụ": tasks,
            "Chỉ tiêu": metrics or []}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("section", ["Nhiệm vụ", "Chỉ tiêu"])
def test_a_json_list_longer_than_a_sheet_is_refused(tmp_path: Path, section: str) -> None:
    row: dict[str, object] = ({"Mã nhiệm vụ": "IV.1", "Tình trạng": "Đang thực hiện"}
                              if section == "Nhiệm vụ"
                              else {"Mã chỉ tiêu": "kiem_tra_cchc", "Giá trị": 3})
    rows = [row] * (MAX_ROWS + 1)
    path = (_json(tmp_path / "bc.json", rows) if section == "Nhiệm vụ"
            else _json(tmp_path / "bc.json", [], rows))
    message = _refusal(path)
    assert f"«{section}»" in message and "5.001" in message and LIMIT_WORDS in message, \
        message


def test_a_json_row_wider_than_a_sheet_is_refused(tmp_path: Path) -> None:
    row: dict[str, object] = {f"cột {n}": n for n in range(MAX_COLUMNS + 1)}
    message = _refusal(_json(tmp_path / "bc.json", [row]))
    assert "«Nhiệm vụ»" in message and "dòng 1" in message and LIMIT_WORDS in message, \
        message


def test_a_json_list_at_the_limit_is_still_read(tmp_path: Path) -> None:
    rows: list[dict[str, object]] = [{"Mã nhiệm vụ": "IV.1"}] * MAX_ROWS
    raw = read_submission(_json(tmp_path / "bc.json", rows))
    assert len(raw.tasks) == MAX_ROWS and not raw.problems


# --- 11. receipts of bounded size ---------------------------------------------------------
def test_a_file_with_a_thousand_bad_rows_gets_a_bounded_receipt(
        workspace: Path, db: Database, registry: Registry) -> None:
    bad = "".join(f"IV.1;Đang thực hiện;{200 + n}\n" for n in range(1_000))  # progress > 100
    path = _inbox_file(workspace, "bc.csv", INFO + TASK_HEADER + bad + METRICS)
    found = _validated(path, registry)
    assert isinstance(found, list)
    total = len(found)
    assert total >= 1_000
    rest = f"{total - MAX_LISTED_PROBLEMS:,}".replace(",", ".")

    outcome = _collect(workspace, db, registry)
    assert outcome.outcome == "rejected"
    text = Path(outcome.kept_at + ".loi.txt").read_text(encoding="utf-8")
    numbered = [line for line in text.splitlines() if re.match(r"\d+\. ", line)]
    assert len(numbered) == MAX_LISTED_PROBLEMS
    assert f"… và {rest} lỗi khác" in text, text[-800:]
    assert f"có {total:,} lỗi".replace(",", ".") in text
    assert len(text.encode()) < 200 * MAX_LISTED_PROBLEMS

    data = json.loads(Path(outcome.kept_at + ".loi.json").read_text(encoding="utf-8"))
    assert len(data["problems"]) == MAX_LISTED_PROBLEMS
    assert data["problem_count"] == total
    assert data["problems_not_listed"] == total - MAX_LISTED_PROBLEMS

    with db.engine.connect() as conn:
        stored = json.loads(conn.execute(select(RejectionRow.problems)).scalar_one())
    assert len(stored) == MAX_LISTED_PROBLEMS + 1
    assert stored[-1]["message"] == f"… và {rest} lỗi khác"
    assert stored[:MAX_LISTED_PROBLEMS] == data["problems"]
    assert len(outcome.problems) == MAX_LISTED_PROBLEMS + 1
    # the collection's summary in the Prefect UI counts every problem, not the listed ones
    assert outcome.total_problems == total
    shown = collect_markdown(CollectSummary(0, 0, 0, 1, [outcome]), "Thu nhận")
    assert f"(+{total - 5:,} lỗi)".replace(",", ".") in shown, shown


def test_a_receipt_with_few_problems_lists_them_all(workspace: Path, db: Database,
                                                    registry: Registry) -> None:
    bad = "".join(f"IV.1;Đang thực hiện;{200 + n}\n" for n in range(3))
    _inbox_file(workspace, "bc.csv", INFO + TASK_HEADER + bad + METRICS)
    outcome = _collect(workspace, db, registry)
    text = Path(outcome.kept_at + ".loi.txt").read_text(encoding="utf-8")
    assert "lỗi khác" not in text
    data = json.loads(Path(outcome.kept_at + ".loi.json").read_text(encoding="utf-8"))
    assert data["problems_not_listed"] == 0
    assert data["problem_count"] == len(data["problems"]) == len(outcome.problems)


# --- 12a. one section under two spellings ---------------------------------------------------
@pytest.mark.parametrize(("first", "second"), [
    ("Nhiệm vụ", "tasks"),
    ("Chỉ tiêu", "metrics"),
    ("Mã đơn vị", "agency_code"),
    ("Kỳ báo cáo", "period"),
    ("Nhiệm vụ", "nhiem vu"),
])
def test_a_json_section_under_two_spellings_is_refused(tmp_path: Path, first: str,
                                                       second: str) -> None:
    values: dict[str, object] = {
        "Nhiệm vụ": [{"Mã nhiệm vụ": "IV.1", "Tình trạng": "Đang thực hiện"}],
        "Chỉ tiêu": [{"Mã chỉ tiêu": "kiem_tra_cchc", "Giá trị": 3}],
        "Mã đơn vị": "SNV", "Kỳ báo cáo": "2025-05"}
    other = {"Nhiệm vụ": [{"Mã nhiệm vụ": "IV.2", "Tình trạng": "Hoàn thành"}],
             "Chỉ tiêu": [{"Mã chỉ tiêu": "kiem_tra_cchc", "Giá trị": 9}],
             "Mã đơn vị": "STP", "Kỳ báo cáo": "2025-04"}[first]
    text = json.dumps({**values, second: other}, ensure_ascii=False)
    path = tmp_path / "bc.json"
    path.write_text(text, encoding="utf-8")
    message = _refusal(path)
    assert f"«{first}»" in message and f"«{second}»" in message, message


def test_a_json_row_naming_a_column_twice_is_refused(tmp_path: Path,
                                                     registry: Registry) -> None:
    path = tmp_path / "bc.json"
    path.write_text('{"Mã đơn vị": "SNV", "Kỳ báo cáo": "2025-05", "Nhiệm vụ": ['
                    '{"Mã nhiệm vụ": "IV.1", "Tình trạng": "Đang thực hiện"},'
                    '{"Mã nhiệm vụ": "IV.1", "task_id": "IV.2", "Tình trạng": "Hoàn thành"}'
                    '], "Chỉ tiêu": []}', encoding="utf-8")
    found = _validated(path, registry)
    assert isinstance(found, list), found
    [problem] = [p for p in found if "task_id" in p.message]
    assert (problem.sheet, problem.row) == ("Nhiệm vụ", 2), problem
    assert "«Mã nhiệm vụ»" in problem.message, problem


# --- 12b. control characters in a cell -------------------------------------------------------
@pytest.mark.parametrize(("character", "shown"), [("\x00", "\\x00"), ("\x1b", "\\x1b"),
                                                  ("\x7f", "\\x7f"), ("\x85", "\\x85")])
def test_a_control_character_in_a_csv_cell_is_refused_at_its_cell(
        workspace: Path, db: Database, registry: Registry, character: str,
        shown: str) -> None:
    text = (INFO + "Nhiệm vụ\nMã nhiệm vụ;Tình trạng;Tiến độ (%);Kết quả/Sản phẩm\n"
            f"IV.1;Đang thực hiện;40;Đã rà{character}soát\n" + METRICS)
    _inbox_file(workspace, "bc.csv", text)
    outcome = _collect(workspace, db, registry)
    assert outcome.outcome == "rejected"
    [problem] = outcome.problems
    assert (problem.sheet, problem.row, problem.column) == \
        ("Nhiệm vụ", 6, "Kết quả/Sản phẩm"), problem
    assert shown in problem.message, problem
    for suffix in (".loi.txt", ".loi.json"):
        receipt = Path(outcome.kept_at + suffix).read_text(encoding="utf-8")
        assert character not in receipt
    text_receipt = Path(outcome.kept_at + ".loi.txt").read_text(encoding="utf-8")
    assert "dòng 6, cột «Kết quả/Sản phẩm»" in text_receipt and shown in text_receipt


def test_a_control_character_quoted_by_another_check_is_shown_escaped(
        workspace: Path, db: Database, registry: Registry) -> None:
    # the task code is also unknown: that problem quotes the cell, escaped as well
    _inbox_file(workspace, "bc.csv",
                INFO + TASK_HEADER + "IV.1\x00;Đang thực hiện;40\n" + METRICS)
    outcome = _collect(workspace, db, registry)
    assert outcome.outcome == "rejected"
    assert any("\\x00" in p.message and p.column == "Mã nhiệm vụ" for p in outcome.problems)
    for suffix in (".loi.txt", ".loi.json"):
        assert "\x00" not in Path(outcome.kept_at + suffix).read_text(encoding="utf-8")
    with db.engine.connect() as conn:
        assert "\x00" not in conn.execute(select(RejectionRow.problems)).scalar_one()


def test_line_breaks_and_tabs_in_a_cell_are_still_taken(tmp_path: Path,
                                                        registry: Registry) -> None:
    path = tmp_path / "bc.csv"
    path.write_text(INFO + "Nhiệm vụ\nMã nhiệm vụ;Tình trạng;Tiến độ (%);Kết quả/Sản phẩm\n"
                    'IV.1;Đang thực hiện;40;"Đã rà soát\r\n\tvà tổng hợp"\n' + METRICS,
                    encoding="utf-8")
    assert isinstance(_validated(path, registry), Submission)


def test_two_csv_blocks_of_one_sheet_are_refused(tmp_path: Path) -> None:
    # the second block used to replace the first without a word
    path = tmp_path / "bc.csv"
    path.write_text(INFO + TASK_HEADER + "IV.1;Đang thực hiện;40\n"
                    + "tasks\nMã nhiệm vụ;Tình trạng\nIV.2;Hoàn thành\n" + METRICS,
                    encoding="utf-8")
    message = _refusal(path)
    assert "hai khối «Nhiệm vụ»" in message and "dòng 4" in message \
        and "dòng 7" in message, message


def test_an_empty_repeated_block_name_is_still_read(tmp_path: Path) -> None:
    # a sheet name line, then the same name as a title line: nothing is lost
    path = tmp_path / "bc.csv"
    path.write_text(INFO + "Nhiệm vụ\n" + TASK_HEADER + "IV.1;Đang thực hiện;40\n" + METRICS,
                    encoding="utf-8")
    assert [r.cells["Mã nhiệm vụ"] for r in read_submission(path).tasks] == ["IV.1"]


def test_a_workbook_with_two_sheets_of_one_name_is_refused(tmp_path: Path,
                                                           registry: Registry) -> None:
    path = write_submission(tmp_path / "bc.xlsx", registry, "SNV",
                            entries=[TaskEntry("IV.1", "Đang thực hiện", 50)])
    workbook = openpyxl.load_workbook(path)
    extra = workbook.create_sheet("tasks")
    extra.append(["Mã nhiệm vụ", "Tình trạng"])
    extra.append(["IV.2", "Hoàn thành"])
    workbook.save(path)
    message = _refusal(path)
    assert "«Nhiệm vụ»" in message and "«tasks»" in message, message
