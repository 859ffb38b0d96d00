"""The report stage bound to its resources (:class:`Reporting`): its three steps make what
the domain functions make one after another, with the stage's rules, 766 rules, reports
folder and clock (the flows pass it to the report tasks; tests/flows run them)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from config.index766 import load_index766
from config.registry import Registry
from config.settings import REGISTRY_DIR
from connectors.database import Database
from connectors.drop_folder import DropFolder
from tasks.model.rules import ReportingRules
from tasks.report.build import build_report
from tasks.report.letterhead import Letterhead
from tasks.report.period_inputs import gather_inputs
from tasks.report.reporting import Reporting
from tasks.report.trend_history import with_trend
from tests import scenario
from tests.builders import take_file

WRITTEN_AT = datetime(2025, 6, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
def reporting(workspace: Path, db: Database, tmp_path: Path) -> Reporting:
    """The scenario's files taken in, and the report stage of that workspace."""
    registry = scenario.write_registry(tmp_path / "registry")
    scenario.build_workspace(workspace, registry)
    now = datetime.now(UTC)
    for folder in (DropFolder.agency_inbox(workspace), DropFolder.portal_exports(workspace)):
        for item in folder.pending():
            take_file(item, folder, db, registry, now=now, seen_at=min(item.modified_at, now))
    return Reporting(db, registry, rules=ReportingRules(), index766=load_index766(REGISTRY_DIR),
                     reports_dir=workspace / "reports", letterhead=Letterhead(),
                     clock=lambda: WRITTEN_AT)


def test_build_is_the_report_with_its_trend(reporting: Reporting, db: Database) -> None:
    registry: Registry = reporting.registry
    inputs, portal, rejections = reporting.gather(scenario.PERIOD)
    built = reporting.build(inputs, portal, rejections, data_gaps=(), dossier_counts=None,
                            waiting=(), provisional=False)
    by_hand = with_trend(db, registry, build_report(
        registry, *gather_inputs(db, scenario.PERIOD, rules=ReportingRules()),
        index766=load_index766(REGISTRY_DIR)), rules=ReportingRules())
    assert built == by_hand
    assert built.content.trend


def test_publish_writes_in_its_folder_at_its_clock_then_keeps_the_version(
        reporting: Reporting, workspace: Path) -> None:
    built = reporting.build(*reporting.gather(scenario.PERIOD), data_gaps=(),
                            dossier_counts=None, waiting=(), provisional=False)
    first = reporting.publish(built, force=False, run_id="r1")
    assert (first.version, first.created) == (1, True)
    assert first.folder == workspace / "reports" / "2025-05" / "v1"
    document = json.loads((first.folder / "indicators.json").read_text(encoding="utf-8"))
    assert datetime.fromisoformat(document["generated_at"]) == WRITTEN_AT
    again = reporting.publish(built, force=False, run_id="r2")
    assert (again.version, again.created) == (1, False)
