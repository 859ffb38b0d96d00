"""What every part of the reporting database shares: the engine, one session per
unit of work, and the bounded retry of a write that meets a concurrent writer."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

WRITE_ATTEMPTS = 8


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
        with self._sessions.begin() as session:
            yield session
