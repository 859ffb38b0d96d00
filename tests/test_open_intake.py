"""The collection's opening step: lock, repair and list in one Prefect task run."""

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


def test_open_intake_holds_the_lock_and_lists_the_waiting_file(workspace: Path,
                                                                db: Database) -> None:
    folder = DropFolder.agency_inbox(workspace)
    folder.ensure(["STP"])
    (folder.inbox / "STP" / "bao-cao-2025-05.csv").write_text("ma_don_vi\nSTP\n",
                                                                encoding="utf-8")
    lock = WorkspaceLock(workspace, timeout=0)
    intake = Intake(folder, db, load_registry(REGISTRY_DIR), rules=ReportingRules(),
                    index766=load_index766(REGISTRY_DIR),
                    clock=lambda: datetime.now(UTC) + timedelta(minutes=5))
    listing = intake_steps.open_intake.fn(lock, intake, settle=timedelta(0), wait=False)
    try:
        assert [item.relative_name for item in listing.ready] == ["STP/bao-cao-2025-05.csv"]
        assert listing.waiting == []
        with pytest.raises(WorkspaceBusy):  # a second run waits for this one
            WorkspaceLock(workspace, timeout=0).acquire()
    finally:
        lock.release()
    WorkspaceLock(workspace, timeout=0).acquire()
