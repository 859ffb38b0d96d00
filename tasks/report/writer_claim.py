"""Who writes a claimed version, and taking it over from a run that will not finish it.

A run that claims a version records itself as its writer (host, process id). A rerun with
unchanged inputs finds the version claimed: it keeps it once its folder is written, waits
while another run still writes it, and takes it over at once when nobody writes it (the
run gave up) or its writer's process is gone from this host, and after
:data:`STALE_CLAIM` otherwise. What the run did is one of the ``WRITE_*`` states.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tasks.model.ports import ReportStore
from tasks.model.records import ReportVersion, Writer

_LOG = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=10)
WAIT_NOTE_EVERY = 60.0  # seconds between two lines saying what a run still waits for

WRITE_NEW = "new"  # this run claimed the version and wrote it
WRITE_FIRST = "first"  # claimed by a run that stopped before writing it: this run wrote it
WRITE_AGAIN = "again"  # written before, its folder was missing: this run wrote it again
WRITE_KEPT = "kept"  # unchanged inputs: the version already written is kept


def write_state_vi(write: str, version: int) -> str:
    """What a run did with the version, as the summary and the command print it."""
    return {
        WRITE_NEW: "bản mới",
        WRITE_FIRST: f"ghi lần đầu: lượt chạy trước đã nhận v{version} nhưng dừng trước khi "
                     "ghi xong",
        WRITE_AGAIN: "dữ liệu không đổi; thư mục của bản này bị thiếu nên đã ghi lại",
    }.get(write, "dữ liệu không đổi, giữ bản đã có")


def this_writer() -> Writer:
    """This process, as recorded with a version it claims or takes over."""
    return Writer(socket.gethostname(), os.getpid())


def take_over(db: ReportStore, version: ReportVersion, me: Writer, *, now: datetime,
              timezone: str) -> str:
    """An unchanged rerun: keep the version once written (:data:`WRITE_KEPT`), else become
    its writer (:func:`_await_writer` says when) and say whether it is a first write."""
    while True:
        current = _await_writer(db, version, now=now, timezone=timezone)
        if current is None:
            return WRITE_KEPT
        if db.take_over_report_version(current, me):
            return WRITE_FIRST if current.written_at is None else WRITE_AGAIN
        version = db.report_version(version.period, version.version) or version


def _alive_here(writer: Writer) -> bool | None:
    """Whether ``writer``'s process still runs; ``None``: it runs on another host (this
    host cannot tell)."""
    if writer.host != socket.gethostname():
        return None
    try:
        os.kill(writer.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user: alive
        return True
    return True


def _await_writer(db: ReportStore, version: ReportVersion, *, now: datetime, timezone: str,
                  poll: float = 0.2) -> ReportVersion | None:
    """Wait for the run that claimed (or took over) ``version`` to finish writing it.

    ``None``: its folder is written. Otherwise the version as last read, to be taken over
    (:meth:`ReportStore.take_over_report_version`) at once when nobody writes it (its
    writer gave up) or its writer's process is gone from this host, and after
    :data:`STALE_CLAIM` when the writer runs on another host (or still runs here but never
    finishes). Each wait is said in the log, with whom it waits for and until when.
    """
    folder = Path(version.path)
    label = f"kỳ {version.period}: v{version.version}"
    noted = float("-inf")
    current: ReportVersion | None = version
    while current is not None:
        if (folder / "indicators.json").exists():
            return None
        writer = current.writer
        if writer is None:
            _LOG.warning("%s chưa được ghi và không lượt chạy nào đang ghi (lượt nhận bản này "
                         "đã dừng vì lỗi); lượt này ghi %s", label, folder)
            return current
        alive = _alive_here(writer)
        if alive is False:
            _LOG.warning("%s: lượt chạy đã nhận bản này (%s) không còn chạy, bản chưa ghi "
                         "xong; lượt này ghi thay ngay", label, writer)
            return current
        deadline = (current.writer_since or current.created_at) + STALE_CLAIM
        if max(now, datetime.now(UTC)) >= deadline:
            _LOG.warning("%s: lượt chạy đã nhận bản này (%s) chưa ghi xong sau %d phút; lượt "
                         "này ghi thay", label, writer, STALE_CLAIM.seconds // 60)
            return current
        if time.monotonic() - noted >= WAIT_NOTE_EVERY:
            noted = time.monotonic()
            where = ("cùng máy này, tiến trình vẫn đang chạy" if alive
                     else "máy khác, không kiểm tra được tiến trình còn chạy hay không")
            _LOG.warning("%s đang được một lượt chạy khác ghi (%s; %s); đang chờ lượt đó ghi "
                         "xong, chậm nhất đến %s thì lượt này tự ghi", label, writer, where,
                         deadline.astimezone(ZoneInfo(timezone)).strftime("%H:%M:%S %d/%m/%Y"))
        time.sleep(poll)
        current = db.report_version(version.period, version.version)
    return None  # the version row is gone: nothing to write
