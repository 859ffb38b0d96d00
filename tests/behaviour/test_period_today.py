"""Acceptance: a report for 2026-10 expects the units of today's province: the communes
of the new An Giang and the departments, never a district closed on 30/6/2025."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from config.registry import Registry
from connectors.database import Database
from connectors.drop_folder import DropFolder
from tasks.indicators.compute import expected_units
from tasks.intake.collect import ready_files
from tasks.intake.template import write_template
from tasks.model.periods import parse_period
from tasks.model.rules import ReportingRules
from tasks.model.vocabulary import STATE_MISSING
from tasks.report.build import build_report
from tasks.report.period_inputs import gather_inputs
from tests.builders import take_file

COMMUNES = ("X30307", "X30880", "X30589")  # Phường Long Xuyên, Xã Châu Thành, …


def test_a_2026_10_report_expects_communes_and_departments_and_no_district(
        tmp_path: Path, db: Database, registry: Registry) -> None:
    period, rules = parse_period("2026-10"), ReportingRules()
    inbox = DropFolder.agency_inbox(tmp_path)
    inbox.ensure(list(COMMUNES))
    for code in (*COMMUNES, "STP"):
        write_template(registry, code, period, tmp_path / "inbox" / code /
                       f"bao-cao-cchc-{code}-2026-10.xlsx",
                       metric_values={"kiem_tra_cchc": 1},  # an empty file is refused
                       rules=ReportingRules())
    now = datetime(2026, 11, 10, 3, tzinfo=UTC)
    for item in ready_files(inbox, db, now=now, settle=timedelta(0)):
        outcome = take_file(item, inbox, db, registry, now=now)
        assert outcome is not None and outcome.outcome == "accepted", outcome
    inputs, portal, rejections = gather_inputs(db, period, rules=rules)
    assert not rejections
    expected = {a.code for a in expected_units(registry, inputs)}
    assert set(COMMUNES) | {"STP"} <= expected
    assert not {code for code in expected if code.startswith("UBND-")}
    kinds = {agency.kind for agency in expected_units(registry, inputs)}
    assert {"ubnd-xa", "so-ban-nganh"} <= kinds and "ubnd-huyen" not in kinds
    assert len([c for c in expected if c.startswith("X")]) == 102
    content = build_report(registry, inputs, portal, rejections).content
    missing = {m.unit for m in content.missing if m.state == STATE_MISSING}
    assert not missing & (set(COMMUNES) | {"STP"})
    assert "X30307" not in missing and any(code.startswith("X") for code in missing)
    assert not {code for code in missing | set(content.unit_names) if code.startswith("UBND-")}
