"""When a dropped file is ready to be taken in, and waiting for those that are not yet.

A file is still being written while it changes. Its modification time alone cannot say
so: a copy made by Windows Explorer or ``cp -p`` carries the source's old time while its
bytes are still arriving. So every listing records each file's state (size and
modification time) the first time it is seen (the store's *sightings*), and a file is
**ready** when either

- its state has not changed across sightings for the settle time, or
- its modification time is older than the settle time and its size is the one it had
  when the file was first seen, at least :data:`SIZE_RECHECK` (or the settle time, if
  shorter) ago: two sightings are needed to say that the size did not change.

A file that is not ready is *waiting*: it is left for a later intake and listed, with
its unit, in the run's result and in the report (:class:`WaitingFile`). An explicit
command waits for such files (:func:`wait_until_settled`), at most the settle time after
each file's last change; a scheduled run does not wait.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from tasks.model.clock import Clock
from tasks.model.ports import DropBox, IntakeStore
from tasks.model.records import InboxFile, WaitingFile

SIZE_RECHECK = timedelta(seconds=5)  # the least time between two sightings of a size
POLL_SECONDS = 1.0  # how often a waiting command looks at the folder again
WAIT_LIMIT_FACTOR = 10  # a command waits at most this many settle times in all
_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Listing:
    """A drop folder at one moment: the files to take in now (in order of first
    sighting, then name), and those still being written."""

    ready: list[InboxFile]
    waiting: list[WaitingFile]


def ready_at(item: InboxFile, state_seen: datetime, first_size: int, first_seen: datetime,
             settle: timedelta) -> datetime:
    """When ``item`` is ready if it does not change again (module docstring's rule).

    ``state_seen``: first sighting of its present state; ``first_size`` and
    ``first_seen``: its size and time at its first sighting in any state."""
    by_state = state_seen + settle
    if item.size != first_size:
        return by_state
    by_size = max(item.modified_at + settle, first_seen + min(settle, SIZE_RECHECK))
    return min(by_state, by_size)


def scan(folder: DropBox, db: IntakeStore, *, now: datetime, settle: timedelta) -> Listing:
    """List the folder, record what is new, and tell ready files from waiting ones."""
    source = folder.source
    listed = folder.pending()
    db.forget_sightings_except(source, {item.relative_path for item in listed})
    states = db.first_seen_all(
        source, [(item.relative_path, item.size, item.mtime_ns) for item in listed], now)
    earliest = db.earliest_sightings(source)
    ready: list[tuple[datetime, InboxFile]] = []
    waiting: list[WaitingFile] = []
    for item in listed:
        seen = states[(item.relative_path, item.size, item.mtime_ns)]
        first_size, first_seen = earliest.get(item.relative_path, (item.size, seen))
        when = ready_at(item, seen, first_size, first_seen, settle)
        if when > now:
            _LOG.info("%s/%s đang được ghi (sửa lúc %s); chờ đến %s", source,
                      item.relative_name, f"{item.modified_at:%d/%m/%Y %H:%M:%S}",
                      f"{when:%H:%M:%S}")
            waiting.append(WaitingFile(source, item.agency_folder, item.relative_name,
                                       item.size, item.modified_at, first_seen, when))
            continue
        ready.append((seen, replace(item, seen_at=seen)))
    return Listing([item for _, item in sorted(ready, key=lambda p: (p[0],
                                                                     p[1].relative_name))],
                   sorted(waiting, key=lambda w: (w.ready_at, w.relative_name)))


def waiting_line(waiting: Sequence[WaitingFile], now: datetime) -> str:
    """«Đang chờ 2 tệp ghi xong: inbox/SNV/bao-cao.xlsx (còn 41 giây), …»"""
    parts = [f"{w.shown_path} (còn {_seconds_left(w.ready_at, now)} giây)" for w in waiting]
    return f"Đang chờ {len(waiting)} tệp ghi xong: " + ", ".join(parts)


def _seconds_left(when: datetime, now: datetime) -> int:
    return max(0, int(-(-(when - now).total_seconds() // 1)))  # rounded up


def wait_until_settled(folder: DropBox, db: IntakeStore, *, clock: Clock, settle: timedelta,
                       announce: Callable[[str], None],
                       sleep: Callable[[float], None] = time.sleep,
                       limit: timedelta | None = None) -> Listing:
    """List the folder; while files are still being written, say which and for how long
    (again whenever that changes), look again every :data:`POLL_SECONDS`, and return the
    listing once none is waiting. A file that keeps changing for longer than ``limit``
    (default :data:`WAIT_LIMIT_FACTOR` settle times) is left waiting, and said so."""
    start = clock()
    give_up = start + (limit if limit is not None else settle * WAIT_LIMIT_FACTOR)
    listing = scan(folder, db, now=start, settle=settle)
    told: tuple[tuple[str, datetime], ...] = ()
    while listing.waiting:
        now = clock()
        if now >= give_up:
            announce(f"Đã chờ {_seconds_left(now, start)} giây; {len(listing.waiting)} tệp "
                     "vẫn đang thay đổi, để lần thu nhận sau: "
                     + ", ".join(w.shown_path for w in listing.waiting))
            break
        shown = tuple((w.shown_path, w.ready_at) for w in listing.waiting)
        if shown != told:
            announce(waiting_line(listing.waiting, now))
            told = shown
        next_ready = min(w.ready_at for w in listing.waiting)
        sleep(max(0.05, min(POLL_SECONDS, (min(next_ready, give_up) - now).total_seconds())))
        listing = scan(folder, db, now=clock(), settle=settle)
    return listing
