"""The faster intake paths keep what the slower ones did: an accepted file's rows are one
transaction, sightings are read once a scan, private copies leave nothing behind, and
workbook styles kept from an earlier file never leak into another file's reading."""

from __future__ import annotations

import multiprocessing
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from config.registry import Registry
from connectors.database import Database
from connectors.db_schema import (
    FileSightingRow,
    IntakeClaimRow,
    MetricReportRow,
    SubmissionRow,
    TaskReportRow,
)
from connectors.drop_folder import DropFolder
from tasks.intake import collect
from tasks.intake.collect import ready_files
from tasks.intake.template import TaskEntry
from tasks.model.periods import parse_period
from tasks.model.records import FileMeta
from tasks.model.submission import MetricLine, Submission, TaskLine
from tasks.sheets.workbook_limits import read_workbook
from tests.builders import take_file, write_submission

T0 = datetime(2025, 5, 16, 8, tzinfo=UTC)


def _count(db: Database, model: type) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def _meta(name: str, content_hash: str) -> FileMeta:
    return FileMeta("inbox", "SNV", name, f"/inbox/SNV/{name}", content_hash, T0, T0,
                    f"SNV/{name}")


def test_a_failure_mid_way_through_an_accepted_file_leaves_no_row(db: Database) -> None:
    """The third task line breaks a NOT NULL column after the submission row and the first
    lines were written: nothing of the file may stay (one transaction, rolled back)."""
    tasks = tuple(TaskLine(f"IV.{n}", "Đang thực hiện", 50.0, None, None, None, n + 5)
                  for n in range(1, 3))
    broken = TaskLine("IV.3", None, 50.0, None, None, None, 8)  # type: ignore[arg-type]
    submission = Submission("SNV", parse_period("2025-05"), (*tasks, broken),
                            (MetricLine("M1", 3.0, None, 5),))
    meta = _meta("bc.xlsx", "a" * 64)
    db.claim(meta, "/archive/aa/x.xlsx")
    with pytest.raises(RuntimeError):  # the store gives up after its retries
        db.add_submission(submission, meta, "/archive/aa/x.xlsx")
    assert (_count(db, SubmissionRow), _count(db, TaskReportRow),
            _count(db, MetricReportRow)) == (0, 0, 0)
    [claim] = db.claims("inbox")
    assert not claim.done  # the repair still sees an unfinished intake


def test_an_accepted_file_stores_every_line_and_supersedes_the_earlier_one(
        db: Database) -> None:
    period = parse_period("2025-05")
    lines = tuple(TaskLine(f"IV.{n}", "Đang thực hiện", float(n), None, f"kết quả {n}", None,
                           n + 5) for n in range(1, 4))
    first, second = _meta("a.xlsx", "a" * 64), _meta("b.xlsx", "b" * 64)
    second = FileMeta(**{**second.__dict__, "arrived_at": T0 + timedelta(hours=1)})
    old_id, _ = db.add_submission(Submission("SNV", period, lines, ()), first, "/a")
    new_id, superseded = db.add_submission(
        Submission("SNV", period, lines[:2], (MetricLine("M1", 1.0, "ghi chú", 9),)),
        second, "/b")
    assert superseded == [old_id]
    [current] = db.current_submissions("2025-05")
    assert (current.id, current.content_hash) == (new_id, "b" * 64)
    assert _count(db, TaskReportRow) == 5 and _count(db, MetricReportRow) == 1
    assert [r.task_id for r in db.task_reports_of("2025-05")] == ["IV.1", "IV.2"]


def test_sightings_are_recorded_once_a_scan_and_kept_for_the_next(
        workspace: Path, db: Database, registry: Registry) -> None:
    for name in ("a.xlsx", "b.xlsx"):
        path = write_submission(workspace / "inbox" / "SNV" / name, registry, "SNV",
                                entries=[TaskEntry("IV.1", "Đang thực hiện", 50)])
        old = datetime(2025, 5, 10, tzinfo=UTC).timestamp()
        os.utime(path, (old, old))
    folder = DropFolder.agency_inbox(workspace)
    folder.ensure()
    first = ready_files(folder, db, now=T0, settle=timedelta(0))
    again = ready_files(folder, db, now=T0 + timedelta(hours=2),
                        settle=timedelta(0))
    assert [i.seen_at for i in first] == [T0, T0] == [i.seen_at for i in again]
    assert _count(db, FileSightingRow) == 2
    outcome = take_file(again[0], folder, db, registry, now=T0 + timedelta(hours=2))
    assert outcome is not None and outcome.outcome == "accepted"
    [stored] = db.current_submissions("2025-05")
    assert stored.arrived_at == T0  # the first sighting, carried by the listing
    assert _count(db, FileSightingRow) == 1 and _count(db, IntakeClaimRow) == 0


def test_private_copies_of_equally_named_files_do_not_meet_and_are_removed(
        workspace: Path, db: Database, registry: Registry) -> None:
    for code in ("SNV", "STP"):
        write_submission(workspace / "inbox" / code / "bao-cao.xlsx", registry, code,
                         entries=[TaskEntry("IV.1", "Đang thực hiện", 50)],
                         metrics={"kiem_tra_cchc": 1})  # STP has no IV.1: not empty
    folder = DropFolder.agency_inbox(workspace)
    folder.ensure()
    items = ready_files(folder, db, now=T0 + timedelta(days=30),
                        settle=timedelta(0))
    outcomes = [take_file(i, folder, db, registry, now=T0 + timedelta(days=30))
                for i in items]
    assert [o.outcome if o else None for o in outcomes] == ["accepted", "accepted"]
    assert list(collect._private_folder().iterdir()) == []


def _percent_book(path: Path, percent: bool) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = 0.5
    if percent:
        sheet["A1"].number_format = "0%"
    book.save(path)
    return path


def test_styles_kept_from_one_workbook_do_not_apply_to_another(tmp_path: Path) -> None:
    with_percent = _percent_book(tmp_path / "a.xlsx", True)
    plain = _percent_book(tmp_path / "b.xlsx", False)
    for path, expected in ((with_percent, {(0, 0)}), (plain, set()),
                           (with_percent, {(0, 0)})):
        [sheet] = read_workbook(path)
        assert set(sheet.percent) == expected


def test_a_forked_child_copies_into_its_own_private_folder() -> None:
    """A child forked after the parent made its folder (a process pool, the crash soak)
    gets another one: a child killed mid-file leaves nothing in the parent's folder."""
    parent = collect._private_folder()
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[str] = context.Queue()
    child = context.Process(target=lambda: queue.put(str(collect._private_folder())))
    child.start()
    child_folder = Path(queue.get(timeout=30))
    child.join(timeout=30)
    assert child.exitcode == 0
    assert child_folder != parent
    assert collect._private_folder() == parent
