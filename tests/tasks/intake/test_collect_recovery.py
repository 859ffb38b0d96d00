"""A run that dies between the steps of one file's intake: the next run repairs it.

The crash is simulated by doing the first steps of an intake with the same building
blocks ``intake`` uses (claim, copy, commit) and stopping there.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from config.registry import Registry
from connectors.database import Database
from connectors.db_schema import IntakeClaimRow, IntakeEventRow, SubmissionRow
from connectors.drop_folder import DropFolder
from tasks.intake.collect import CollectSummary, check_submission, ready_files, repair, summarize
from tasks.intake.template import TaskEntry
from tasks.model.records import FileMeta, InboxFile, sha256_of
from tasks.model.rules import ReportingRules
from tasks.model.submission import Submission
from tests.builders import TODAY, take_file, write_submission

T0 = datetime(2025, 5, 16, 8, tzinfo=UTC)


def _drop(workspace: Path, registry: Registry, name: str = "bc.xlsx") -> Path:
    path = write_submission(workspace / "inbox" / "SNV" / name, registry, "SNV",
                            entries=[TaskEntry("IV.1", "Đang thực hiện", 50)])
    old = datetime(2025, 5, 10, tzinfo=UTC).timestamp()
    os.utime(path, (old, old))
    return path


def _run(workspace: Path, db: Database, registry: Registry, now: datetime) -> CollectSummary:
    """What the collect flow does, without Prefect: repair, list, take each file in."""
    folder = DropFolder.agency_inbox(workspace)
    folder.ensure()
    repair(folder, db, now=now)
    return summarize([take_file(i, folder, db, registry, now=now)
                      for i in ready_files(folder, db, now=now,
                                           settle=timedelta(seconds=60))])


def _first_steps(workspace: Path, db: Database, registry: Registry, *,
                 commit: bool) -> tuple[DropFolder, InboxFile, Path]:
    """Claim the file and archive it (and, if ``commit``, record it), then "crash"."""
    folder = DropFolder.agency_inbox(workspace)
    [item] = folder.pending()
    content_hash = sha256_of(item.path)
    arrived = db.first_seen("inbox", item.relative_path, item.size, item.mtime_ns, T0)
    meta = FileMeta("inbox", "SNV", item.name, str(item.path), content_hash, arrived, T0,
                    item.relative_path)
    db.claim(meta, str(folder.archive_target(item, content_hash)))
    kept = folder.archive(item, content_hash)
    if commit:
        checked = check_submission(item, registry, TODAY, ReportingRules())
        assert isinstance(checked.content, Submission)
        db.add_submission(checked.content, meta, str(kept))
    return folder, item, kept


def _count(db: Database, model: type) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def _events(db: Database) -> list[tuple[str, str]]:
    with db.engine.connect() as conn:
        rows = conn.execute(select(IntakeEventRow.file_name, IntakeEventRow.outcome)
                            .order_by(IntakeEventRow.id)).all()
    return [(r[0], r[1]) for r in rows]


def test_crash_after_archiving_before_commit_is_taken_in_once(
        workspace: Path, db: Database, registry: Registry) -> None:
    _drop(workspace, registry)
    _, item, kept = _first_steps(workspace, db, registry, commit=False)
    # nothing lost: the inbox file is still there, no row yet
    assert item.path.exists() and kept.exists() and _count(db, SubmissionRow) == 0
    summary = _run(workspace, db, registry, T0 + timedelta(minutes=15))
    assert summary.counts() == {"accepted": 1, "duplicate": 0, "superseded": 0, "rejected": 0,
                                "waiting": 0}
    [current] = db.current_submissions("2025-05")
    assert current.arrived_at == T0  # the first sighting, before the crash
    assert not item.path.exists() and _count(db, IntakeClaimRow) == 0


def test_crash_after_commit_before_removing_the_inbox_file(
        workspace: Path, db: Database, registry: Registry) -> None:
    _drop(workspace, registry)
    _, item, _ = _first_steps(workspace, db, registry, commit=True)
    assert item.path.exists() and _count(db, SubmissionRow) == 1
    summary = _run(workspace, db, registry, T0 + timedelta(minutes=15))
    # the repair finished the intake: the file is neither counted again nor a duplicate
    assert summary.counts() == {"accepted": 0, "duplicate": 0, "superseded": 0, "rejected": 0,
                                "waiting": 0}
    assert not item.path.exists()
    assert _events(db) == [("bc.xlsx", "accepted")]
    assert _count(db, SubmissionRow) == 1 and _count(db, IntakeClaimRow) == 0


def test_inbox_file_gone_after_a_crash_is_put_back_from_the_archive(
        workspace: Path, db: Database, registry: Registry) -> None:
    _drop(workspace, registry)
    _, item, kept = _first_steps(workspace, db, registry, commit=False)
    item.path.unlink()  # e.g. the pre-fix order, or an operator cleaning the inbox
    summary = _run(workspace, db, registry, T0 + timedelta(minutes=15))
    assert summary.accepted == 1
    [current] = db.current_submissions("2025-05")
    assert current.content_hash == kept.name.split(".")[0]
    assert ("bc.xlsx", "restored") in _events(db)
    assert not item.path.exists() and _count(db, IntakeClaimRow) == 0


def test_archived_file_without_a_row_is_recorded_once(
        workspace: Path, db: Database, registry: Registry) -> None:
    path = _drop(workspace, registry)
    content_hash = sha256_of(path)
    orphan = workspace / "archive" / content_hash[:2] / f"{content_hash}.xlsx"
    orphan.parent.mkdir(parents=True)
    shutil.move(path, orphan)  # what the old intake left when it died before the commit
    folder = DropFolder.agency_inbox(workspace)
    first = repair(folder, db, now=T0)
    again = repair(folder, db, now=T0 + timedelta(minutes=15))
    assert (first.orphans, again.orphans) == (1, 0)
    assert _events(db) == [(orphan.name, "orphan")]
