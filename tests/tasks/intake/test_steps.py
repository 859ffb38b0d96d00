"""The collection's opening steps: under the workspace lock, repair, then list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config.index766 import load_index766
from config.registry import load_registry
from config.settings import REGISTRY_DIR
from connectors.database import Database
from connectors.drop_folder import DropFolder
from connectors.workspace_lock import WorkspaceBusy, WorkspaceLock
from tasks.intake import steps as intake_steps
from tasks.intake.collect import Intake
from tasks.model.rules import ReportingRules


def test_the_intake_under_the_lock_lists_the_waiting_file(workspace: Path,
                                                                db: Database) -> None:
    folder = DropFolder.agency_inbox(workspace)
    folder.ensure(["STP"])
    (folder.inbox / "STP" / "bao-cao-2025-05.csv").write_text("ma_don_vi\nSTP\n",
                                                                encoding="utf-8")
    lock = WorkspaceLock(workspace, timeout=0)
    intake = Intake(folder, db, load_registry(REGISTRY_DIR), rules=ReportingRules(),
                    index766=load_index766(REGISTRY_DIR),
                    clock=lambda: datetime.now(UTC) + timedelta(minutes=5))
    with lock:
        intake_steps.repair_intake.fn(intake)
        listing = intake_steps.list_ready_files.fn(intake, timedelta(0), False)
        assert [item.relative_name for item in listing.ready] == ["STP/bao-cao-2025-05.csv"]
        assert listing.waiting == []
        with pytest.raises(WorkspaceBusy):  # a second run waits for this one
            WorkspaceLock(workspace, timeout=0).acquire()
    WorkspaceLock(workspace, timeout=0).acquire()
