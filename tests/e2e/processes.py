"""Real child processes for the end-to-end tests: each in its own process group, its
output in a log file, stopped with all its children on the way out."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def child_process(args: list[str], env: dict[str, str], log: Path, *,
                  term_wait: float = 20) -> Iterator[subprocess.Popen[bytes]]:
    """``args`` running with ``env``, stdout and stderr in ``log``; SIGTERM to its group on
    the way out, SIGKILL when it has not ended ``term_wait`` seconds later."""
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            yield proc
        finally:
            for sig, wait in ((signal.SIGTERM, term_wait), (signal.SIGKILL, 10)):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
