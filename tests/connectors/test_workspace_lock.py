"""Two collections at once: the workspace lock, and the database's one-current rule."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from config.registry import Registry
from connectors.database import Database
from connectors.db_schema import SubmissionRow
from connectors.drop_folder import DropFolder
from connectors.workspace_lock import WorkspaceBusy, WorkspaceLock
from tasks.intake.collect import FileOutcome, check_submission, ready_files, repair
from tasks.intake.template import TaskEntry
from tasks.model.records import FileMeta, sha256_of
from tasks.model.rules import ReportingRules
from tasks.model.submission import Submission
from tests.builders import TODAY, take_file, write_submission
from tests.paths import REPO


def test_second_lock_waits_then_gives_up_with_a_clear_message(workspace: Path) -> None:
    with WorkspaceLock(workspace):
        started = time.monotonic()
        with pytest.raises(WorkspaceBusy, match="một lượt thu nhận khác đang chạy"):
            WorkspaceLock(workspace, timeout=0.5, poll=0.05).acquire()
        assert time.monotonic() - started >= 0.5
    with WorkspaceLock(workspace, timeout=0.5) as again:
        assert again.held


def test_lock_held_by_another_process(workspace: Path) -> None:
    code = ("import sys, time; from pathlib import Path; "
            "from connectors.workspace_lock import WorkspaceLock; "
            "lock = WorkspaceLock(Path(sys.argv[1])); lock.acquire(); "
            "print('held', flush=True); time.sleep(3)")
    holder = subprocess.Popen([sys.executable, "-c", code, str(workspace)],
                              stdout=subprocess.PIPE, text=True,
                              cwd=REPO)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(WorkspaceBusy):
            WorkspaceLock(workspace, timeout=0.3, poll=0.05).acquire()
        waiting = WorkspaceLock(workspace, timeout=20, poll=0.05)
        waiting.acquire()  # granted once the other process ends
        assert waiting.held and holder.poll() is not None
        waiting.release()
    finally:
        holder.kill()
        holder.wait()


def _submission(workspace: Path, registry: Registry, name: str, progress: float
                ) -> tuple[Submission, FileMeta]:
    path = write_submission(workspace / "src" / "SNV" / name, registry, "SNV",
                            entries=[TaskEntry("IV.1", "Đang thực hiện", progress)])
    folder = DropFolder(workspace / "src", workspace / "archive", workspace / "q", "inbox")
    [item] = [i for i in folder.pending() if i.name == name]
    checked = check_submission(item, registry, TODAY, ReportingRules())
    assert isinstance(checked.content, Submission)
    now = datetime.now(UTC)
    return checked.content, FileMeta("inbox", "SNV", name, str(path), sha256_of(path),
                                     now, now)


def _current_count(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(SubmissionRow).where(
            SubmissionRow.superseded_by.is_(None))).scalar_one())


def test_racing_writers_leave_one_current_submission(workspace: Path, db: Database,
                                                     database_url: str,
                                                     registry: Registry) -> None:
    items = [_submission(workspace, registry, f"v{i}.xlsx", 10 + i) for i in range(6)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(items))

    def store(submission: Submission, meta: FileMeta) -> None:
        own = Database.from_url(database_url)  # a separate connection pool, like a process
        try:
            barrier.wait()
            own.add_submission(submission, meta, "/kept")
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=store, args=item) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _current_count(db) == 1
    assert len(db.current_submissions("2025-05")) == 1


def test_the_database_refuses_two_current_submissions(workspace: Path, db: Database,
                                                      registry: Registry) -> None:
    submission, meta = _submission(workspace, registry, "a.xlsx", 10)
    db.add_submission(submission, meta, "/kept")
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(insert(SubmissionRow).values(
            agency_code="SNV", period="2025-05", content_hash="f" * 64, file_name="x",
            origin_path="x", archive_path="x", arrived_at=meta.arrived_at,
            collected_at=meta.collected_at, superseded_by=None))


def test_two_collections_at_once_take_each_file_once(workspace: Path, db: Database,
                                                     database_url: str,
                                                     registry: Registry) -> None:
    for i in range(4):
        path = write_submission(workspace / "inbox" / "SNV" / f"bc{i}.xlsx", registry, "SNV",
                                entries=[TaskEntry("IV.1", "Đang thực hiện", 10 + i)])
        stamp = (datetime(2025, 5, 10, tzinfo=UTC) + timedelta(hours=i)).timestamp()
        os.utime(path, (stamp, stamp))
    results: list[FileOutcome | None] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        own = Database.from_url(database_url)
        folder = DropFolder.agency_inbox(workspace)
        try:
            barrier.wait()
            with WorkspaceLock(workspace, timeout=60, poll=0.05):
                now = datetime.now(UTC)
                repair(folder, own, now=now)
                for item in ready_files(folder, own, now=now,
                                        settle=timedelta(0)):
                    results.append(take_file(item, folder, own, registry,
                                                           now=now))
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r.outcome for r in results if r is not None) == ["accepted"] * 4
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SubmissionRow)).scalar_one() == 4
    assert _current_count(db) == 1
    assert list((workspace / "inbox").rglob("*.xlsx")) == []


def test_migration_keeps_only_the_newest_current_submission(database_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from connectors.database import MIGRATIONS

    database = Database.from_url(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with database.engine.begin() as conn:  # what two racing runs could leave before 0002
        for i, day in enumerate((10, 12, 11)):
            at = datetime(2025, 5, day, tzinfo=UTC)
            conn.execute(insert(SubmissionRow).values(
                agency_code="SNV", period="2025-05", content_hash=f"{i}" * 64,
                file_name=f"v{day}.xlsx", origin_path="x", archive_path="x", arrived_at=at,
                collected_at=at, superseded_by=None))
    database.migrate()
    assert [s.file_name for s in database.current_submissions("2025-05")] == ["v12.xlsx"]
    database.dispose()
