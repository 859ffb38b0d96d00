"""Several collection processes at once on PostgreSQL over the same inbox: no file is
stored twice and no agency has two current submissions."""

from __future__ import annotations

import multiprocessing
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config.registry import Registry, load_registry
from config.settings import REGISTRY_DIR
from connectors.database import Database
from connectors.db_schema import IntakeClaimRow, RejectionRow, SubmissionRow
from connectors.drop_folder import DropFolder
from tasks.intake.collect import ready_files, repair
from tasks.intake.template import TaskEntry
from tasks.model.records import sha256_of
from tests.builders import take_file, write_submission

PROCESSES = 4
T0 = datetime(2025, 5, 16, 8, tzinfo=UTC)


def _collector(workspace: Path, url: str, start: multiprocessing.synchronize.Barrier) -> None:
    registry = load_registry(REGISTRY_DIR)
    db = Database.from_url(url)
    folder = DropFolder.agency_inbox(workspace)
    start.wait(timeout=60)
    repair(folder, db, now=T0)
    for item in ready_files(folder, db, now=T0, settle=timedelta(0)):
        take_file(item, folder, db, registry, now=T0)
    db.dispose()


def _drop(workspace: Path, registry: Registry) -> set[str]:
    """Three versions of SNV's and STP's reports (STP's differ only in name) and a broken
    file; the content hashes of the workbooks."""
    files: set[str] = set()
    for agency in ("SNV", "STP"):
        for progress in (10, 20, 30):  # three versions of each agency's report
            path = write_submission(workspace / "inbox" / agency / f"bc-{progress}.xlsx",
                                    registry, agency,
                                    entries=[TaskEntry("IV.1", "Đang thực hiện", progress)],
                                    metrics={"kiem_tra_cchc": 1})  # STP has no IV.1
            stamp = (T0 - timedelta(days=1, minutes=progress)).timestamp()
            os.utime(path, (stamp, stamp))
            files.add(sha256_of(path))
    broken = workspace / "inbox" / "SNV" / "hong.xlsx"
    broken.write_bytes(b"not a workbook")
    stamp = (T0 - timedelta(days=1)).timestamp()
    os.utime(broken, (stamp, stamp))
    return files


def test_concurrent_collectors_store_each_file_once(database_url: str, workspace: Path,
                                                    registry: Registry) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several collection processes need PostgreSQL")
    db = Database.from_url(database_url)
    db.migrate()
    db.dispose()
    DropFolder.agency_inbox(workspace).ensure()
    files = _drop(workspace, registry)
    context = multiprocessing.get_context("fork")
    start = context.Barrier(PROCESSES)
    workers = [context.Process(target=_collector, args=(workspace, database_url, start))
               for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=180)
    assert [w.exitcode for w in workers] == [0] * PROCESSES
    db = Database.from_url(database_url)
    try:
        with db.engine.connect() as conn:
            hashes = list(conn.execute(select(SubmissionRow.content_hash)).scalars())
            current = conn.execute(
                select(SubmissionRow.agency_code, func.count())
                .where(SubmissionRow.superseded_by.is_(None))
                .group_by(SubmissionRow.agency_code, SubmissionRow.period)).all()
            rejected = list(conn.execute(select(RejectionRow.content_hash)).scalars())
            claims = conn.execute(select(func.count()).select_from(IntakeClaimRow)).scalar()
    finally:
        db.dispose()
    assert len(hashes) == len(set(hashes))  # no content stored twice
    assert set(hashes) == files  # every distinct workbook stored
    assert sorted(current) == [("SNV", 1), ("STP", 1)]
    assert len(rejected) == 1 and not set(rejected) & set(hashes)
    assert claims == 0
    assert not [p for p in (workspace / "inbox").rglob("*") if p.is_file()]
    archived = [p for p in (workspace / "archive").rglob("*") if p.is_file()]
    assert sorted(p.name.split(".")[0] for p in archived) == sorted(hashes)
