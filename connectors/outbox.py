"""The outbox: where published reports are handed to their recipients.

``outbox/so-noi-vu/<period>/v<N>/`` receives a copy of each published report version
for the Department of Home Affairs (Sở Nội vụ). A copy is staged under a name of its own
process (``v<N>.<host>-<pid>-<random>.partial``) and put in place with one rename, so two
processes publishing the same version at once never share a half-made folder: one rename
wins, the other finds the finished copy and takes it as published.
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import uuid
from pathlib import Path

from tasks.model.crash_points import crash_point

SO_NOI_VU = "so-noi-vu"


class Outbox:
    def __init__(self, workspace: Path) -> None:
        self.root = workspace / "outbox"

    def folder(self, period: str, version: int, recipient: str = SO_NOI_VU) -> Path:
        """Where ``recipient``'s copy of a report version is (or will be)."""
        return self.root / recipient / period / f"v{version}"

    def publish(self, report_dir: Path, period: str, version: int,
                recipient: str = SO_NOI_VU) -> Path:
        """Copy a report folder for ``recipient``, once: a version already in the outbox
        (published by an earlier run, or by another process a moment ago) is kept as it is
        and counts as published (idempotent). A version's copy never changes once handed
        over."""
        target = self.folder(period, version, recipient)
        if target.is_dir():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        _sweep_dead_staging(target)
        staging = target.with_name(
            f"{target.name}.{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}.partial")
        try:
            shutil.copytree(report_dir, staging)
            crash_point("outbox.publishing")
            try:
                os.rename(staging, target)  # atomic; refused when target is a full folder
            except OSError as error:
                if error.errno not in (errno.ENOTEMPTY, errno.EEXIST) or not target.is_dir():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # the loser's copy, or a failed one
        return target


def _sweep_dead_staging(target: Path) -> None:
    """Remove staging copies of ``target`` left by processes of this host that are gone
    (killed while copying), and the shared ``v<N>.partial`` of earlier releases."""
    here = socket.gethostname()
    for leftover in target.parent.glob(f"{target.name}.*partial"):
        owner = leftover.name[len(target.name) + 1:-len(".partial")]
        if leftover.name == f"{target.name}.partial":
            shutil.rmtree(leftover, ignore_errors=True)
            continue
        host, _, pid = owner.rpartition("-")[0].rpartition("-")  # "<host>-<pid>-<random>"
        if host == here and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
