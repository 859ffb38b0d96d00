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
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from config.registry import Registry
from connectors.database import Database
from connectors.db_schema import RejectionRow
from connectors.drop_folder import DropFolder
from tasks.intake.collect import FileOutcome, collect_submission_file
from tasks.intake.reader import read_submission
from tasks.intake.validation import validate_submission
from tasks.model.problems import MAX_LISTED_PROBLEMS
from tests.builders import TODAY

NOW = datetime(2025, 5, 16, 8, tzinfo=UTC)

INFO = "Thông tin\nMã đơn vị;SNV\nKỳ báo cáo;05/2025\n"
TASK_HEADER = "Nhiệm vụ\nMã nhiệm vụ;Tình trạng;Tiến độ (%)\n"
METRICS = "Chỉ tiêu\nMã chỉ tiêu;Giá trị;Ghi chú\nkiem_tra_cchc;3;\n"


def _collect(workspace: Path, db: Database, registry: Registry) -> FileOutcome:
    folder = DropFolder.agency_inbox(workspace)
    folder.ensure(["SNV"])
    [item] = folder.pending()
    outcome = collect_submission_file(item, folder, db, registry, today=TODAY, now=NOW)
    assert outcome is not None
    return outcome


def _inbox_file(workspace: Path, name: str, text: str) -> Path:
    path = workspace / "inbox" / "SNV" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _validated(path: Path, registry: Registry) -> object:
    return validate_submission(read_submission(path), registry, today=TODAY,
                               folder_agency="SNV")


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
