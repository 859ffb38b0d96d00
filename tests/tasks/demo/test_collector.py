"""The demo plays the collector: files arrive at their planned times, so the report shows
the planned late and missing units (intake dates a file by when it was first seen)."""

from __future__ import annotations

from pathlib import Path

from config.index766 import load_index766
from config.registry import Registry
from config.settings import REGISTRY_DIR
from connectors.database import Database
from connectors.drop_folder import DropFolder
from tasks.demo.collector import drop_and_collect
from tasks.demo.province import STAGING, build_demo_workspace
from tasks.intake.collect import Intake
from tasks.model.clock import system_clock
from tasks.model.rules import ReportingRules
from tasks.model.vocabulary import STATE_LATE, STATE_MISSING
from tasks.report.build import build_report
from tasks.report.period_inputs import gather_inputs


def test_the_demo_reports_exactly_the_planned_late_units(
        tmp_path: Path, db: Database, registry: Registry) -> None:
    workspace = tmp_path / "demo"
    plan = build_demo_workspace(workspace, registry, staged=True)
    assert not (workspace / "inbox").exists()  # staged: nothing dropped yet
    inbox, portal = DropFolder.agency_inbox(workspace), DropFolder.portal_exports(workspace)
    inbox.ensure()
    portal.ensure()
    rules = ReportingRules()
    index766 = load_index766(REGISTRY_DIR)
    inbox_intake, portal_intake = (
        Intake(folder, db, registry, rules=rules, index766=index766, clock=system_clock)
        for folder in (inbox, portal))
    outcomes = drop_and_collect(plan.drops, workspace, inbox=inbox_intake, portal=portal_intake)
    assert len(outcomes) == len(plan.drops)
    assert not any((workspace / STAGING).rglob("*.xlsx"))
    inputs, portal_file, rejections = gather_inputs(db, plan.period, rules=rules)
    content = build_report(registry, inputs, portal_file, rejections).content
    late = sorted(m.unit for m in content.missing if m.state == STATE_LATE)
    missing = sorted(m.unit for m in content.missing if m.state == STATE_MISSING)
    assert late == sorted(plan.late) and late  # e.g. SDTTG, UBND-TT: three days after the due day
    assert missing == sorted({*plan.missing, plan.invalid} - {"BAG"})  # BAG need not report
    assert [r.file_name for r in content.rejected] == [
        f"bao-cao-cchc-{plan.invalid}-2025-05.xlsx"]
    rate = next(v for v in content.indicators
                if v.unit == "TINH" and v.indicator == "submission_on_time_rate")
    assert rate.value is not None and rate.value > 50
