"""Indicators of a small hand-made workspace, every value worked out by hand."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from config.registry import Registry, load_registry
from config.settings import REGISTRY_DIR
from connectors.database import Database
from connectors.drop_folder import DropFolder
from tasks.indicators.compute import (
    PeriodInputs,
    compute_indicators,
    left_out_of_province,
    registers_note,
    series_break_notes,
    task_progress,
)
from tasks.intake.template import TaskEntry, write_template
from tasks.model.periods import parse_period
from tasks.model.portal import PortalUnitStats
from tasks.model.records import StoredTaskReport
from tasks.model.rules import ReportingRules
from tasks.report.build import BuiltReport, build_report
from tasks.report.period_inputs import gather_inputs
from tasks.report.version_files import indicators_document
from tasks.report.workbook import write_report_workbook
from tests import scenario
from tests.builders import take_file

NA = "không có số liệu"
NO_TARGET = "không có chỉ tiêu"
NOT_MET = "chưa đạt"


def collect_all(workspace: Path, db: Database, registry: Registry) -> None:
    """A collector that runs as each file is dropped: the scenario stamps each file with
    the time it was dropped, and the collector first sees it then (arrival = first
    sighting, never the mtime itself)."""
    now = datetime.now(UTC)
    inbox, portal = DropFolder.agency_inbox(workspace), DropFolder.portal_exports(workspace)
    for item in inbox.pending():
        take_file(item, inbox, db, registry, now=now, seen_at=min(item.modified_at, now))
    for item in portal.pending():
        outcome = take_file(item, portal, db, registry, now=now)
        assert outcome is not None and outcome.outcome == "accepted", outcome


def built_report(workspace: Path, db: Database, registry: Registry) -> BuiltReport:
    collect_all(workspace, db, registry)
    inputs, portal, rejections = gather_inputs(db, scenario.PERIOD, rules=ReportingRules())
    return build_report(registry, inputs, portal, rejections)


@pytest.fixture
def small_registry(tmp_path: Path) -> Registry:
    return scenario.write_registry(tmp_path / "registry")


# (unit, indicator) -> (numerator, denominator, value, target, status), all by hand
EXPECTED: dict[tuple[str, str], tuple[float | None, float | None, float | None,
                                      float | None, str]] = {
    ("TINH", "online_filing_rate"): (230, 600, 230 / 600 * 100, 80, NOT_MET),
    ("SNV", "online_filing_rate"): (30, 100, 30.0, 80, NOT_MET),
    ("STP", "online_filing_rate"): (None, None, None, 80, NA),
    ("UBND-LX", "online_filing_rate"): (200, 500, 40.0, 80, NOT_MET),
    ("TINH", "on_time_rate"): (517, 530, 517 / 530 * 100, None, NO_TARGET),
    ("SNV", "on_time_rate"): (76, 80, 95.0, None, NO_TARGET),
    ("STP", "on_time_rate"): (None, None, None, None, NA),
    ("UBND-LX", "on_time_rate"): (441, 450, 98.0, None, NO_TARGET),
    ("TINH", "overdue_in_progress"): (8, None, 8, None, NO_TARGET),
    ("SNV", "overdue_in_progress"): (5, None, 5, None, NO_TARGET),
    ("STP", "overdue_in_progress"): (None, None, None, None, NA),
    ("UBND-LX", "overdue_in_progress"): (3, None, 3, None, NO_TARGET),
    # due by 14/05: SNV T1 (done) + T2; STP T2; UBND-LX T3. Closed SKHDT not expected.
    ("TINH", "task_completion_rate"): (1, 4, 25.0, 100, NOT_MET),
    ("SNV", "task_completion_rate"): (1, 2, 50.0, 100, NOT_MET),
    ("STP", "task_completion_rate"): (0, 1, 0.0, 100, NOT_MET),
    ("UBND-LX", "task_completion_rate"): (0, 1, 0.0, 100, NOT_MET),
    # past the deadline on 14/05 and not done: only T3 (30/04); T2 is due that very day
    ("TINH", "tasks_overdue"): (1, None, 1, None, NO_TARGET),
    ("SNV", "tasks_overdue"): (0, None, 0, None, NO_TARGET),
    ("STP", "tasks_overdue"): (0, None, 0, None, NO_TARGET),
    ("UBND-LX", "tasks_overdue"): (1, None, 1, None, NO_TARGET),
    ("TINH", "kiem_tra"): (5, None, 5, None, NO_TARGET),
    ("SNV", "kiem_tra"): (3, None, 3, None, NO_TARGET),
    ("STP", "kiem_tra"): (None, None, None, None, NA),
    ("UBND-LX", "kiem_tra"): (2, None, 2, None, NO_TARGET),
    # expected: SNV, STP, UBND-LX; submitted: SNV (10/05), UBND-LX (20/05, after the 18th)
    ("TINH", "submission_rate"): (2, 3, 200 / 3, None, NO_TARGET),
    ("TINH", "submission_on_time_rate"): (1, 3, 100 / 3, None, NO_TARGET),
}


def test_every_value_matches_the_hand_computation(workspace: Path, db: Database,
                                                  small_registry: Registry) -> None:
    scenario.build_workspace(workspace, small_registry)
    built = built_report(workspace, db, small_registry)
    got = {(v.unit, v.indicator): (v.numerator, v.denominator, v.value, v.target, v.status)
           for v in built.content.indicators}
    assert set(got) == set(EXPECTED)
    for key, (num, den, value, target, status) in EXPECTED.items():
        g_num, g_den, g_value, g_target, g_status = got[key]
        assert (g_num, g_den, g_target, g_status) == (num, den, target, status), key
        assert g_value == pytest.approx(value) if value is not None else g_value is None, key


def test_missing_and_late_units_and_task_rows(workspace: Path, db: Database,
                                              small_registry: Registry) -> None:
    scenario.build_workspace(workspace, small_registry)
    content = built_report(workspace, db, small_registry).content
    assert [(m.unit, m.state) for m in content.missing] == [("STP", "chưa nộp"),
                                                           ("UBND-LX", "nộp muộn")]
    rows = {(t.task_id, t.unit): t for t in content.tasks}
    assert set(rows) == {("T1", "SNV"), ("T2", "SNV"), ("T2", "STP"), ("T3", "UBND-LX"),
                         ("T4", "SNV"), ("T4", "STP"), ("T4", "UBND-LX")}
    assert [k for k, t in rows.items() if t.overdue] == [("T3", "UBND-LX")]
    assert rows[("T1", "SNV")].status == "Hoàn thành"
    assert rows[("T2", "STP")].status is None


def test_a_late_correction_keeps_an_on_time_unit_on_time(workspace: Path, db: Database,
                                                         small_registry: Registry) -> None:
    scenario.build_workspace(workspace, small_registry)
    # SNV sent on 10/05 (on time); its correction arrives 25/05, after the 18/05 due date
    correction = write_template(
        small_registry, "SNV", scenario.PERIOD, workspace / "inbox" / "SNV" / "snv-sua.xlsx",
        [TaskEntry("T1", "Hoàn thành", 100, date(2025, 3, 28)),
         TaskEntry("T2", "Hoàn thành", 100, date(2025, 5,
                                                 12))], {"kiem_tra": 4}, rules=ReportingRules())
    late = datetime(2025, 5, 25, 3, tzinfo=UTC)
    os.utime(correction, (late.timestamp(), late.timestamp()))
    built = built_report(workspace, db, small_registry)
    assert db.first_arrivals("2025-05") == {"SNV": datetime(2025, 5, 10, 3, tzinfo=UTC),
                                            "UBND-LX": datetime(2025, 5, 20, 2, tzinfo=UTC)}
    content = built.content
    assert [(m.unit, m.state, m.submitted_at) for m in content.missing] == [
        ("STP", "chưa nộp", None),
        ("UBND-LX", "nộp muộn", datetime(2025, 5, 20, 2, tzinfo=UTC))]
    got = {(v.unit, v.indicator): (v.numerator, v.denominator) for v in content.indicators}
    assert got[("TINH", "submission_on_time_rate")] == (1, 3)  # SNV only, as before
    assert got[("SNV", "kiem_tra")] == (4, None)  # the correction's figures are used
    assert got[("SNV", "task_completion_rate")] == (2, 2)


def _stats(unit: str, online: int | None, in_person: int | None, post: int | None,
           resolved: int, on_time: int) -> PortalUnitStats:
    return PortalUnitStats(unit=unit, source_row=1, carried_over=0, received_online=online,
                           received_in_person=in_person, received_post=post,
                           resolved_total=resolved, resolved_on_time=on_time,
                           resolved_late=resolved - on_time, in_progress_total=None,
                           in_progress_overdue=None)


def test_province_rate_takes_both_parts_from_the_same_units(small_registry: Registry) -> None:
    # SNV: 30 online of 30+60+10 = 100 new. UBND-LX: 200 online but its post count is
    # missing, so no denominator: left out of the province's numerator too.
    # Province: 30 / 100 = 30 % (not 230 / 100 = 230 %).
    inputs = PeriodInputs(
        period=scenario.PERIOD, rules=ReportingRules(), submissions=[], task_reports=[],
        metric_reports=[],
        portal=[_stats("SNV", 30, 60, 10, 80, 76), _stats("UBND-LX", 200, 290, None, 450, 441)])
    tasks = task_progress(small_registry, inputs)
    values = {(v.unit, v.indicator): (v.numerator, v.denominator, v.value)
              for v in compute_indicators(small_registry, inputs, tasks)}
    assert values[("TINH", "online_filing_rate")] == (30, 100, 30.0)
    assert values[("UBND-LX", "online_filing_rate")] == (200, None, None)
    # on_time_rate has both parts for both units: 76 + 441 of 80 + 450
    assert values[("TINH", "on_time_rate")][:2] == (517, 530)
    assert left_out_of_province(small_registry, inputs, tasks) == {
        "online_filing_rate": ["UBND-LX"]}


def test_report_names_the_units_left_out(workspace: Path, db: Database,
                                         small_registry: Registry) -> None:
    scenario.build_workspace(workspace, small_registry)
    built = built_report(workspace, db, small_registry)
    assert built.content.left_out == {}  # every unit with data has both parts
    content = replace(built.content, left_out={"online_filing_rate": ["UBND-LX"]})
    document = indicators_document(content)
    assert document["left_out"] == [{"indicator": "online_filing_rate", "units": ["UBND-LX"]}]
    assert document["notes"] == ["Tỷ lệ trực tuyến (cấp tỉnh): không tính UBND-LX vì thiếu "
                                 "tử số hoặc mẫu số"]
    path = write_report_workbook(content, workspace / "r.xlsx", timezone="Asia/Ho_Chi_Minh")
    summary = load_workbook(path)["Tổng hợp"]
    texts = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Ghi chú: " + document["notes"][0] in texts


# Dated task registers, groups over changing units, overdue tasks across years.
#
# A hand-made registry: SNV (department), UBND-LX (district until 30/6/2025, then its
# figures and its chair's open-ended tasks pass to commune X30307), MTTQ (Fatherland Front,
# not expected every period). Register R2025 applies 05/3/2025-31/12/2025: T1 (SNV, due
# 31/3/2025), T2 (@ubnd-huyen, no deadline), T3 (@doan-the, no deadline). Register R2026
# applies from 01/1/2026: U1 (@so-ban-nganh, due 30/6/2026).


AGENCIES = [
    {"code": "SNV", "name": "Sở Nội vụ", "kind": "so-ban-nganh"},
    {"code": "UBND-LX", "name": "UBND thành phố Long Xuyên", "kind": "ubnd-huyen",
     "valid_to": "2025-06-30"},
    {"code": "X30307", "name": "Phường Long Xuyên", "kind": "ubnd-xa",
     "valid_from": "2025-07-01"},
    {"code": "MTTQ", "name": "Ủy ban MTTQ Việt Nam tỉnh", "kind": "doan-the"},
]
R2025 = {"document": {"kind": "Thông báo", "conference_on": "2025-03-04",
                      "applies_from": "2025-03-05", "applies_to": "2025-12-31"},
         "tasks": [
             {"id": "T1", "area": "chế độ công vụ", "text": "Kế hoạch", "lead": ["SNV"],
              "deadline": "2025-03-31"},
             {"id": "T2", "area": "thủ tục hành chính", "text": "Một cửa",
              "lead": ["@ubnd-huyen"]},
             {"id": "T3", "area": "tuyên truyền", "text": "Tuyên truyền", "lead": ["@doan-the"]},
         ]}
R2026 = {"document": {"kind": "Kế hoạch", "number": "12/KH-UBND", "issued_on": "2026-01-01",
                      "applies_from": "2026-01-01"},
         "tasks": [{"id": "U1", "area": "thể chế", "text": "Rà soát", "lead": ["@so-ban-nganh"],
                    "deadline": "2026-06-30"}]}
INDICATORS: dict[str, list[object]] = {"indicators": [], "metrics": [], "targets": []}
CROSSWALK = {"changes": [{"from": "UBND-LX", "effective": "2025-07-01", "to": {"X30307": 1}}]}


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    folder = tmp_path_factory.mktemp("registry")
    (folder / "tasks").mkdir()
    (folder / "crosswalk").mkdir()
    shutil.copy(REGISTRY_DIR / "unit-kinds.yaml", folder / "unit-kinds.yaml")
    for name, data in (("agencies.yaml", {"agencies": AGENCIES}),
                       ("indicators.yaml", INDICATORS), ("tasks/r2025.yaml", R2025),
                       ("tasks/r2026.yaml", R2026), ("crosswalk/c.yaml", CROSSWALK)):
        (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_registry(folder)


def _inputs(label: str, reports: list[StoredTaskReport] | None = None) -> PeriodInputs:
    return PeriodInputs(period=parse_period(label), rules=ReportingRules(), submissions=[],
                        task_reports=reports or [], metric_reports=[], portal=None)


def _rows(registry: Registry, label: str, reports: list[StoredTaskReport] | None = None
          ) -> list[tuple[str, str, bool]]:
    return [(r.task_id, r.unit, r.overdue)
            for r in task_progress(registry, _inputs(label, reports))]


def _done(task_id: str, unit: str, period: str) -> StoredTaskReport:
    return StoredTaskReport(unit, period, datetime(2025, 6, 10, tzinfo=UTC), task_id,
                            "Hoàn thành", 100, None, None, None)


def test_nothing_is_assigned_before_the_register_applies(registry: Registry) -> None:
    # February 2025's window (15/1-14/2) ends before the notice: no task, and a note
    assert _rows(registry, "2025-02") == []
    (note,) = registers_note(registry, _inputs("2025-02"))
    assert "Không có sổ nhiệm vụ" in note and "2025-02" in note
    # March's window (15/2-14/3) holds 05/3: every task of R2025, none of R2026
    assert _rows(registry, "2025-03") == [("T1", "SNV", False), ("T2", "UBND-LX", False),
                                          ("T3", "MTTQ", False)]
    assert registers_note(registry, _inputs("2025-03")) == []


def test_groups_follow_the_units_of_the_period(registry: Registry) -> None:
    may = _rows(registry, "2025-05")
    assert ("T2", "UBND-LX", False) in may and ("T1", "SNV", True) in may  # T1 overdue
    august = _rows(registry, "2025-08")  # window 15/7-14/8: the district is gone
    assert ("T2", "X30307", False) in august
    assert not [row for row in august if row[1] == "UBND-LX"]


def test_an_overdue_task_stays_overdue_across_years_until_done(registry: Registry) -> None:
    # October 2026: R2025 has ended; R2026 is in force; T1 was never reported done
    october = _rows(registry, "2026-10")
    assert ("U1", "SNV", True) in october
    assert ("T1", "SNV", True) in october
    # open-ended tasks of an ended register are not carried over
    assert not [row for row in october if row[0] in ("T2", "T3")]
    # once reported done, T1 is no longer followed
    done = _rows(registry, "2026-10", [_done("T1", "SNV", "2025-06")])
    assert [row for row in done if row[0] == "T1"] == []
    assert registers_note(registry, _inputs("2026-10")) == []


def test_the_series_break_is_noted_in_the_period_that_holds_it() -> None:
    real = load_registry(REGISTRY_DIR)
    assert series_break_notes(real, _inputs("2025-06")) == []
    (note,) = series_break_notes(real, _inputs("2025-07"))  # window 15/6-14/7
    assert "01/07/2025" in note and "Kiên Giang" in note


def test_the_real_register_assigns_nothing_for_january_and_february_2025() -> None:
    real = load_registry(REGISTRY_DIR)
    assert _rows(real, "2025-01") == [] and _rows(real, "2025-02") == []
    assert len(_rows(real, "2025-03")) > 26


def test_october_2026_expects_the_communes_and_no_district() -> None:
    real = load_registry(REGISTRY_DIR)
    expected = {a.code for a in ReportingRules().expected_units(real, parse_period("2026-10"))}
    assert "X30307" in expected and len([c for c in expected if c.startswith("X")]) == 102
    assert not [c for c in expected if c.startswith("UBND-")]
    # the 2025 notice ended with 2025: only its overdue tasks are followed, and the
    # report says that no register is in force
    rows = _rows(real, "2026-10")
    assert rows and all(overdue for _, _, overdue in rows)
    assert not [u for _, u, _ in rows if u.startswith("UBND-")]
    assert registers_note(real, _inputs("2026-10"))
    # in November 2025 the communes carry the district chairs' open-ended tasks
    units = {unit for _, unit, _ in _rows(real, "2025-11")}
    assert "X30307" in units and not [u for u in units if u.startswith("UBND-")]
