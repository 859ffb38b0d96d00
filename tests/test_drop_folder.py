"""The drop folder and the choice of files to take in this run: names that say a file
is still being written, files modified a moment ago, arrival at first sighting."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from connectors.database import Database
from connectors.drop_folder import DropFolder
from tasks.intake.collect import ready_files

SETTLE = timedelta(seconds=60)


def _write(path: Path, data: bytes = b"x", mtime: datetime | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if mtime is not None:
        os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


def test_files_still_being_written_by_name_are_not_listed(workspace: Path) -> None:
    old = datetime(2025, 5, 1, tzinfo=UTC)
    for name in ("~$bc.xlsx", "bc.xlsx.part", "bc.xlsx.partial", "bc.tmp", "BC.XLSX.TMP",
                 "bc.xlsx.crdownload", "bc.xlsx"):
        _write(workspace / "inbox" / "SNV" / name, mtime=old)
    names = [item.name for item in DropFolder.agency_inbox(workspace).pending()]
    assert names == ["bc.xlsx"]


def test_a_file_modified_within_the_settle_time_waits_for_a_later_run(
        workspace: Path, db: Database) -> None:
    folder = DropFolder.agency_inbox(workspace)
    path = _write(workspace / "inbox" / "SNV" / "dang-chep.xlsx")
    now = datetime.now(UTC)
    assert ready_files(folder, db, source="inbox", now=now, settle=SETTLE) == []
    assert path.exists()
    later = ready_files(folder, db, source="inbox", now=now + timedelta(seconds=61),
                        settle=SETTLE)
    assert [item.name for item in later] == ["dang-chep.xlsx"]
    # dated at the first sighting, not when it was finally taken
    item = later[0]
    assert db.first_seen("inbox", item.relative_path, item.size, item.mtime_ns,
                         now + timedelta(hours=1)) == now


def test_a_file_that_grows_is_seen_again_as_new(workspace: Path, db: Database) -> None:
    folder = DropFolder.agency_inbox(workspace)
    now = datetime.now(UTC)
    path = _write(workspace / "inbox" / "SNV" / "bc.xlsx", b"12", mtime=now)
    assert ready_files(folder, db, source="inbox", now=now, settle=SETTLE) == []
    _write(path, b"1234", mtime=now + timedelta(seconds=50))  # still being copied
    assert ready_files(folder, db, source="inbox", now=now + timedelta(seconds=70),
                       settle=SETTLE) == []
    ready = ready_files(folder, db, source="inbox", now=now + timedelta(seconds=111),
                        settle=SETTLE)
    assert [(i.name, i.size) for i in ready] == [("bc.xlsx", 4)]


def test_a_future_mtime_waits_until_seen_unchanged_for_the_settle_time(
        workspace: Path, db: Database) -> None:
    folder = DropFolder.agency_inbox(workspace)
    now = datetime.now(UTC)
    _write(workspace / "inbox" / "SNV" / "bc.xlsx", mtime=now + timedelta(days=30))
    assert ready_files(folder, db, source="inbox", now=now, settle=SETTLE) == []
    ready = ready_files(folder, db, source="inbox", now=now + timedelta(seconds=61),
                        settle=SETTLE)
    assert [i.name for i in ready] == ["bc.xlsx"]


def test_files_are_taken_in_order_of_first_sighting(workspace: Path, db: Database) -> None:
    folder = DropFolder.agency_inbox(workspace)
    t0 = datetime(2025, 5, 20, tzinfo=UTC)
    # b was seen first although the sender's clock says a is older
    _write(workspace / "inbox" / "SNV" / "b.xlsx", mtime=datetime(2025, 5, 2, tzinfo=UTC))
    assert [i.name for i in ready_files(folder, db, source="inbox", now=t0,
                                        settle=SETTLE)] == ["b.xlsx"]
    _write(workspace / "inbox" / "SNV" / "a.xlsx", mtime=datetime(2025, 5, 1, tzinfo=UTC))
    ready = ready_files(folder, db, source="inbox", now=t0 + timedelta(hours=1),
                        settle=SETTLE)
    assert [i.name for i in ready] == ["b.xlsx", "a.xlsx"]


def test_special_files_are_rejected_without_being_opened(workspace: Path,
                                                         db: Database) -> None:
    from config.registry import load_registry
    from config.settings import REGISTRY_DIR
    from tasks.intake.collect import collect_submission_file

    fifo = workspace / "inbox" / "SNV" / "ong.xlsx"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    folder = DropFolder.agency_inbox(workspace)
    [item] = folder.pending()
    outcome = collect_submission_file(item, folder, db, load_registry(REGISTRY_DIR),
                                      today=datetime.now(UTC).date(), now=datetime.now(UTC))
    assert outcome is not None and outcome.outcome == "rejected"
    assert "không phải tệp thông thường" in outcome.problems[0].message
    assert not os.path.lexists(fifo)
