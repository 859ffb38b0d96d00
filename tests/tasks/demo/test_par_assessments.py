"""The demo province's CCHC index files pass the real intake (real folders, a real SQLite
database): every self-assessment and the appraisal are accepted, and the store returns the
appraisal's changes over the claims."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from config.par_criteria import load_par_criteria
from config.registry import Registry
from config.settings import REGISTRY_DIR
from connectors.database import Database
from connectors.drop_folder import DropFolder
from tasks.demo.par_assessments import SILENT, scored_units, write_par_assessments
from tests.builders import take_file


def test_the_demo_files_are_all_accepted(workspace: Path, tmp_path: Path,
                                         registry: Registry) -> None:
    criteria = load_par_criteria(REGISTRY_DIR)
    demo = write_par_assessments(workspace, registry, criteria, 2025)
    units = scored_units(registry, criteria, 2025)
    # departments still open at the end of 2025 and the 102 communes; SKHDT merged away
    assert "STP" in units and "SKHDT" not in units and "UBND-LX" not in units
    assert sum(code.startswith("X") for code in units) == 102
    assert len(demo.assessed) == len(units) - SILENT
    assert len(demo.drops) == len(demo.assessed) + 1
    db = Database.from_url(f"sqlite:///{tmp_path / 'cchc.db'}")
    db.migrate()
    folder = DropFolder.agency_inbox(workspace)
    now = datetime(2026, 1, 20, 3, tzinfo=UTC)
    outcomes = [take_file(item, folder, db, registry, now=now) for item in folder.pending()]
    assert [o.outcome for o in outcomes if o is not None] == ["accepted"] * len(demo.drops)
    found = {(a.unit, a.criterion_id): a for a in db.assessments(2025)}
    assert {unit for unit, _ in found} == set(units)  # silent units have appraised points
    assert len(demo.adjusted) == 5
    for change in demo.adjusted:
        assessed = found[change.unit, change.criterion_id]
        assert (assessed.points, assessed.appraisal_reason) == (change.points, change.reason)
        assert assessed.self_points == change.claimed  # None for the computed criterion
    db.dispose()
