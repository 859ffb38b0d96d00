"""The outbox: where published reports are handed to their recipients.

``outbox/so-noi-vu/<period>/v<N>/`` receives a copy of each published report version
for the Department of Home Affairs (Sở Nội vụ).
"""

from __future__ import annotations

import shutil
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
        """Copy a report folder for ``recipient``; publishing the same version twice
        replaces the earlier copy (idempotent)."""
        target = self.folder(period, version, recipient)
        staging = target.with_name(target.name + ".partial")
        if staging.exists():
            shutil.rmtree(staging)
        shutil.copytree(report_dir, staging)
        crash_point("outbox.publishing")
        if target.exists():
            shutil.rmtree(target)
        staging.replace(target)
        return target
