"""What every part of the reporting database shares: the engine, one session per
unit of work, and the bounded retry of a write that meets a concurrent writer."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from config.errors import CchcError

WRITE_ATTEMPTS = 8
# what SQLite and PostgreSQL say when this account may read but not write
_NOT_WRITABLE = ("readonly database", "read-only", "permission denied",
                 "unable to open database file")


class DatabaseNotWritable(CchcError):
    """The reporting database can be read but not written by this account (a read-only
    file or folder, a read-only role): not a race, so never retried."""

    def __init__(self, engine: Engine, detail: str) -> None:
        where = engine.url.render_as_string(hide_password=True)
        super().__init__(
            f"Không ghi được vào cơ sở dữ liệu báo cáo ({where}): {detail}. Hãy cấp quyền "
            "ghi cho tài khoản chạy lượt này (với SQLite: tệp cchc.db và thư mục chứa nó) "
            "rồi chạy lại.")


def first_line(exc: DBAPIError) -> str:
    """The driver's own message, first line (no SQL, no parameters)."""
    return (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]


def not_writable(exc: DBAPIError) -> bool:
    """The error says the database may not be written (as opposed to a passing lock)."""
    return any(words in str(exc.orig).lower() for words in _NOT_WRITABLE)


def now() -> datetime:
    return datetime.now(UTC)


def retry_pause(attempt: int) -> None:
    time.sleep(0.02 * (attempt + 1))


class Tables:
    """Base of the database parts: they share one engine and its sessions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        """One unit of work. A database this account may not write raises
        :class:`DatabaseNotWritable` here, so no caller retries it as a race."""
        try:
            with self._sessions.begin() as session:
                yield session
        except DBAPIError as exc:
            if not_writable(exc):
                raise DatabaseNotWritable(self.engine, first_line(exc)) from exc
            raise


class SupersedableRow(Protocol):
    """A stored file's row of which one per unit and period is current (``superseded_by``
    is None): agency submissions, self-assessments, appraisals."""

    id: int
    arrived_at: datetime
    superseded_by: int | None


def settle_current_rows(s: Session, siblings: Sequence[SupersedableRow], new_id: int
                        ) -> list[int]:
    """Make the newest sibling (by first-seen time, then id) the only current one; return
    the ids that were current before and are not any more (other than ``new_id``).

    Every other row points to the newest first, then the newest is cleared, so the
    partial unique index never sees two current rows."""
    newest = max(siblings, key=lambda r: (r.arrived_at, r.id))
    superseded = []
    for sibling in siblings:
        if sibling.id != newest.id and sibling.superseded_by != newest.id:
            if sibling.superseded_by is None and sibling.id != new_id:
                superseded.append(sibling.id)
            sibling.superseded_by = newest.id
    s.flush()
    newest.superseded_by = None
    s.flush()
    return superseded
