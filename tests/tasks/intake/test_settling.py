"""When a dropped file is ready, and waiting for the ones still being written: real files
in real folders, a real database, and (for the waits) real time or a clock that moves only
when the wait sleeps."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from connectors.database import Database
from connectors.drop_folder import DropFolder
from tasks.intake.settling import (
    SIZE_RECHECK,
    scan,
    wait_until_settled,
    waiting_line,
)

SETTLE = timedelta(seconds=60)
OLD = datetime(2025, 5, 1, 8, tzinfo=UTC)  # a copy that kept its source's time (cp -p)


def _write(path: Path, data: bytes, mtime: datetime | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if mtime is not None:
        os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


def test_an_old_mtime_file_still_growing_is_not_taken_half_written(workspace: Path,
                                                                   db: Database) -> None:
    folder = DropFolder.agency_inbox(workspace)
    path = _write(workspace / "inbox" / "SNV" / "bc.csv", b"half", mtime=OLD)
    now = datetime.now(UTC)
    first = scan(folder, db, now=now, settle=SETTLE)
    assert first.ready == [] and [w.relative_name for w in first.waiting] == ["SNV/bc.csv"]
    # the copy goes on; the copier keeps stamping the source's old time
    _write(path, b"half and the rest", mtime=OLD)
    later = now + SIZE_RECHECK + timedelta(seconds=1)
    assert scan(folder, db, now=later, settle=SETTLE).ready == []
    # its size changed since first seen: ready only once unchanged for the settle time
    assert scan(folder, db, now=later + SETTLE - timedelta(seconds=1),
                settle=SETTLE).ready == []
    [item] = scan(folder, db, now=later + SETTLE, settle=SETTLE).ready
    assert item.size == len(b"half and the rest")


def test_an_old_mtime_file_seen_twice_with_the_same_size_is_ready(workspace: Path,
                                                                  db: Database) -> None:
    folder = DropFolder.agency_inbox(workspace)
    _write(workspace / "inbox" / "SNV" / "bc.csv", b"whole", mtime=OLD)
    now = datetime.now(UTC)
    [waiting] = scan(folder, db, now=now, settle=SETTLE).waiting
    assert waiting.ready_at == now + SIZE_RECHECK
    assert waiting.unit == "SNV" and waiting.shown_path == "inbox/SNV/bc.csv"
    [item] = scan(folder, db, now=now + SIZE_RECHECK, settle=SETTLE).ready
    assert item.seen_at == now  # arrival: the first sighting


def test_a_fresh_file_is_ready_the_settle_time_after_its_last_change(workspace: Path,
                                                                     db: Database) -> None:
    folder = DropFolder.agency_inbox(workspace)
    now = datetime.now(UTC)
    _write(workspace / "inbox" / "SNV" / "bc.csv", b"x", mtime=now - timedelta(seconds=19))
    [waiting] = scan(folder, db, now=now, settle=SETTLE).waiting
    assert waiting.ready_at == now + timedelta(seconds=41)
    assert waiting_line([waiting], now) == ("Đang chờ 1 tệp ghi xong: inbox/SNV/bc.csv "
                                            "(còn 41 giây)")


def test_a_command_waits_for_a_file_growing_during_the_wait(workspace: Path,
                                                           db: Database) -> None:
    """Real time: a writer appends for a while; the wait ends only after it stopped."""
    folder = DropFolder.agency_inbox(workspace)
    path = _write(workspace / "inbox" / "SNV" / "bc.csv", b"line 0\n")
    settle = timedelta(seconds=1.5)

    def writer() -> None:
        for number in range(1, 4):
            time.sleep(0.7)
            with path.open("ab") as handle:
                handle.write(f"line {number}\n".encode())

    said: list[str] = []
    thread = threading.Thread(target=writer)
    thread.start()
    started = time.monotonic()
    try:
        listing = wait_until_settled(folder, db, clock=lambda: datetime.now(UTC), settle=settle,
                                     announce=said.append)
    finally:
        thread.join()
    assert time.monotonic() - started >= 2.1 + 1.5 - 0.2  # the last write, then settle
    [item] = listing.ready
    assert item.size == path.stat().st_size == len(b"line 0\n") + 3 * len(b"line 1\n")
    assert listing.waiting == []
    assert said and said[0].startswith("Đang chờ 1 tệp ghi xong: inbox/SNV/bc.csv (còn ")


def test_a_file_that_never_stops_changing_is_left_waiting_after_the_limit(
        workspace: Path, db: Database) -> None:
    folder = DropFolder.agency_inbox(workspace)
    path = _write(workspace / "inbox" / "SNV" / "bc.csv", b"x")
    clock = [datetime.now(UTC)]

    def sleep(seconds: float) -> None:  # time passes only here, and the file grows
        clock[0] += timedelta(seconds=seconds)
        with path.open("ab") as handle:
            handle.write(b"x")

    said: list[str] = []
    listing = wait_until_settled(folder, db, clock=lambda: clock[0],
                                 settle=timedelta(seconds=5), announce=said.append,
                                 sleep=sleep, limit=timedelta(seconds=20))
    assert listing.ready == []
    assert [w.relative_name for w in listing.waiting] == ["SNV/bc.csv"]
    assert "vẫn đang thay đổi, để lần thu nhận sau: inbox/SNV/bc.csv" in said[-1]


def test_no_wait_lists_the_waiting_file_and_takes_the_settled_one(workspace: Path,
                                                                 db: Database) -> None:
    folder = DropFolder.agency_inbox(workspace)
    now = datetime.now(UTC)
    _write(workspace / "inbox" / "SNV" / "moi.csv", b"new", mtime=now)
    _write(workspace / "inbox" / "STP" / "cu.csv", b"old", mtime=now - timedelta(hours=1))
    scan(folder, db, now=now - SIZE_RECHECK, settle=SETTLE)  # seen before
    listing = scan(folder, db, now=now, settle=SETTLE)
    assert [i.relative_name for i in listing.ready] == ["STP/cu.csv"]
    assert [(w.unit, w.relative_name) for w in listing.waiting] == [("SNV", "SNV/moi.csv")]
