"""The workspace lock: one collection at a time per workspace.

``fcntl.flock`` on ``WORKSPACE/.cchc.lock``. The kernel releases the lock when its
holder exits or dies, so a crashed run never leaves the workspace locked. A second
run waits up to ``timeout`` seconds, then gives up with :class:`WorkspaceBusy`.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType

from config.errors import CchcError


class WorkspaceBusy(CchcError, RuntimeError):
    """Another run holds the workspace lock for longer than we may wait."""


class WorkspaceLock:
    def __init__(self, workspace: Path, timeout: float = 600.0, poll: float = 0.2) -> None:
        self.path = workspace / ".cchc.lock"
        self.timeout = timeout
        self.poll = poll
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock, waiting at most ``timeout`` seconds."""
        if self._fd is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise WorkspaceBusy(
                        f"một lượt thu nhận khác đang chạy trong {self.path.parent} (tệp khoá "
                        f"{self.path.name}); đã chờ {self.timeout:g} giây — hãy chạy lại sau"
                    ) from None
                time.sleep(self.poll)
                continue
            break
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def __enter__(self) -> WorkspaceLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
