"""The drop folder and the choice of files to take in this run: names that say a file
is still being written, files modified a moment ago, arrival at first sighting."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from connectors.database import Database
from connectors.drop_folder import DropFolder
from tasks.intake.collect import ready_files
from tasks.intake.settling import SIZE_RECHECK
from tests import paths

SETTLE = timedelta(seconds=60)
OLD_COPY = datetime(2025, 5, 1, tzinfo=UTC)
FIXTURES = paths.FIXTURES / "csv"  # written by hand


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
    assert ready_files(folder, db, now=now, settle=SETTLE) == []
    assert path.exists()
    later = ready_files(folder, db, now=now + timedelta(seconds=61),
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
    assert ready_files(folder, db, now=now, settle=SETTLE) == []
    _write(path, b"1234", mtime=now + timedelta(seconds=50))  # still being copied
    assert ready_files(folder, db, now=now + timedelta(seconds=70),
                       settle=SETTLE) == []
    # its mtime is old enough at +111, but its size changed since it was first seen: it
    # must be seen unchanged for the settle time (from +70)
    assert ready_files(folder, db, now=now + timedelta(seconds=111),
                       settle=SETTLE) == []
    ready = ready_files(folder, db, now=now + timedelta(seconds=130),
                        settle=SETTLE)
    assert [(i.name, i.size) for i in ready] == [("bc.xlsx", 4)]


def test_a_future_mtime_waits_until_seen_unchanged_for_the_settle_time(
        workspace: Path, db: Database) -> None:
    folder = DropFolder.agency_inbox(workspace)
    now = datetime.now(UTC)
    _write(workspace / "inbox" / "SNV" / "bc.xlsx", mtime=now + timedelta(days=30))
    assert ready_files(folder, db, now=now, settle=SETTLE) == []
    ready = ready_files(folder, db, now=now + timedelta(seconds=61),
                        settle=SETTLE)
    assert [i.name for i in ready] == ["bc.xlsx"]


def test_files_are_taken_in_order_of_first_sighting(workspace: Path, db: Database) -> None:
    folder = DropFolder.agency_inbox(workspace)
    t0 = datetime(2025, 5, 20, tzinfo=UTC)
    # b was seen first although the sender's clock says a is older
    _write(workspace / "inbox" / "SNV" / "b.xlsx", mtime=datetime(2025, 5, 2, tzinfo=UTC))
    assert ready_files(folder, db, now=t0, settle=SETTLE) == []
    _write(workspace / "inbox" / "SNV" / "a.xlsx", mtime=datetime(2025, 5, 1, tzinfo=UTC))
    # each old file is ready once seen twice with the same size (a: first seen now)
    assert [i.name for i in ready_files(folder, db, now=t0 + SIZE_RECHECK,
                                        settle=SETTLE)] == ["b.xlsx"]
    ready = ready_files(folder, db, now=t0 + timedelta(hours=1),
                        settle=SETTLE)
    assert [i.name for i in ready] == ["b.xlsx", "a.xlsx"]


def test_special_files_are_rejected_without_being_opened(workspace: Path,
                                                         db: Database) -> None:
    from config.registry import load_registry
    from config.settings import REGISTRY_DIR
    from tests.builders import take_file

    fifo = workspace / "inbox" / "SNV" / "ong.xlsx"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    folder = DropFolder.agency_inbox(workspace)
    [item] = folder.pending()
    outcome = take_file(item, folder, db, load_registry(REGISTRY_DIR), now=datetime.now(UTC))
    assert outcome is not None and outcome.outcome == "rejected"
    assert "không phải tệp thông thường" in outcome.problems[0].message
    assert not os.path.lexists(fifo)


def test_a_file_changed_since_it_was_listed_stays_in_the_inbox(workspace: Path) -> None:
    folder = DropFolder.agency_inbox(workspace)
    path = _write(workspace / "inbox" / "SNV" / "bc.csv", b"first part", mtime=OLD_COPY)
    [item] = folder.pending()
    _write(path, b"first part, then more", mtime=OLD_COPY)  # the writer was not done
    assert folder.remove(item, now=datetime.now(UTC)) is False
    assert path.read_bytes() == b"first part, then more"


def test_a_writer_still_writing_after_the_file_was_taken_loses_nothing(
        workspace: Path, db: Database) -> None:
    """A writer pauses longer than the settle time, the half-written file is taken in,
    then the writer goes on through its open handle: its lines land in the taken-out
    file, which goes back to the inbox and is taken in whole."""
    from config.registry import load_registry
    from config.settings import REGISTRY_DIR
    from tasks.intake.collect import repair
    from tests.builders import take_file

    registry = load_registry(REGISTRY_DIR)
    whole = (FIXTURES / "agency-semicolon-commas.csv").read_bytes()
    head, tail = whole.split(b"Ch\xe1\xbb\x89 ti\xc3\xaau\n")  # before «Chỉ tiêu»
    folder = DropFolder.agency_inbox(workspace)
    path = workspace / "inbox" / "SNV" / "bc.csv"
    path.parent.mkdir(parents=True)
    now = datetime(2025, 5, 16, 8, tzinfo=UTC)
    with path.open("wb") as writer:
        writer.write(head)
        writer.flush()
        [item] = ready_files(folder, db, now=now, settle=timedelta(0))
        first = take_file(item, folder, db, registry, now=now)
        assert first is not None and first.outcome == "accepted"
        assert not path.exists()  # taken out of the inbox …
        writer.write(b"Ch\xe1\xbb\x89 ti\xc3\xaau\n" + tail)  # … and the writer goes on
    later = now + timedelta(minutes=15)
    repair(folder, db, now=later)
    assert path.read_bytes() == whole  # back in the inbox, whole
    [item] = ready_files(folder, db, now=later, settle=timedelta(0))
    again = take_file(item, folder, db, registry, now=later)
    assert again is not None and (again.outcome, again.superseded) == ("accepted", 1)
    [current] = db.current_submissions("2025-05")
    assert current.content_hash == hashlib.sha256(whole).hexdigest()
    assert [m.metric_code for m in db.metric_reports("2025-05")] == ["kiem_tra_cchc"]


def test_a_taken_out_file_unchanged_for_a_day_is_deleted(workspace: Path) -> None:
    folder = DropFolder.agency_inbox(workspace)
    path = _write(workspace / "inbox" / "SNV" / "bc.csv", b"done", mtime=OLD_COPY)
    [item] = folder.pending()
    now = datetime.now(UTC)
    assert folder.remove(item, now=now) is True and not path.exists()
    assert folder.recheck_taken(now + timedelta(hours=23)) == []
    assert len(list(folder.taken_dir.iterdir())) == 2  # the file and its record
    assert folder.recheck_taken(now + timedelta(hours=24)) == []
    assert list(folder.taken_dir.iterdir()) == []
