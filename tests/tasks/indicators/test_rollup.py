"""A quarter consolidated from its three months' files, every value worked out by hand.

The scenario's registry (tests/scenario.py): SNV, STP (departments), UBND-LX (district,
valid to 30/06/2025); SKHDT closed before the quarter, X30307 opens after it.
Quarter 2025-Q2 (ministry convention): months 2025-04 (15/03-14/04, due 18/04), 2025-05
(15/04-14/05, due 18/05), 2025-06 (15/05-14/06, due 18/06); the quarter's window is
15/03-14/06, due 18/06.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from config.registry import Registry
from connectors.database import Database
from connectors.drop_folder import DropFolder
from tasks.demo.province import PortalRow, write_portal_export
from tasks.indicators.compute import submission_states
from tasks.indicators.rollup import rolled_portal
from tasks.intake.template import TaskEntry, write_template
from tasks.model.periods import parse_period
from tasks.model.portal import PortalUnitStats
from tasks.model.rules import ReportingRules
from tasks.model.vocabulary import STATE_LATE, STATE_MISSING
from tasks.report.build import BuiltReport, build_report
from tasks.report.period_inputs import gather_inputs
from tests import scenario
from tests.builders import take_file
from tests.scenario import _stamp

QUARTER = parse_period("2025-Q2")
TODAY = date(2025, 7, 1)

# received total (carried over included), online, in person, post, carried over;
# resolved, on time, late; in progress, within deadline, overdue; waiting, returned, satisfaction
PORTAL: dict[str, list[PortalRow]] = {
    "2025-04": [("Sở Nội vụ", "SNV", [105, 40, 50, 10, 5, 80, 70, 10, 25, 20, 5, 0, 0, 0.9]),
                ("UBND thành phố Long Xuyên", "UBND-LX",
                 [200, 100, 90, 10, 0, 150, 140, 10, 50, 45, 5, 0, 0, 0.9])],
    "2025-05": [("Sở Nội vụ", "SNV", [135, 50, 55, 5, 25, 90, 85, 5, 45, 40, 5, 0, 0, 0.9]),
                ("UBND thành phố Long Xuyên", "UBND-LX",
                 [350, 150, 140, 10, 50, 280, 270, 10, 70, 66, 4, 0, 0, 0.9])],
    "2025-06": [("Sở Nội vụ", "SNV", [135, 45, 40, 5, 45, 100, 96, 4, 35, 32, 3, 0, 0, 0.9]),
                ("UBND thành phố Long Xuyên", "UBND-LX",
                 [320, 125, 120, 5, 70, 260, 255, 5, 60, 58, 2, 0, 0, 0.9])],
}


def _drop(workspace: Path, registry: Registry, code: str, period_label: str,
          entries: list[TaskEntry], kiem_tra: float, when: datetime) -> None:
    path = write_template(registry, code, parse_period(period_label),
                          workspace / "inbox" / code / f"{code.lower()}-{period_label}.xlsx",
                          entries, {"kiem_tra": kiem_tra}, rules=ReportingRules())
    _stamp(path, when)


def _months(workspace: Path, registry: Registry) -> None:
    """SNV: all three months on time. STP: April and June, no May. UBND-LX: all three
    months, May late (20/05, due 18/05)."""
    utc = UTC
    _drop(workspace, registry, "SNV", "2025-04",
          [TaskEntry("T1", "Hoàn thành", 100, date(2025, 3, 28)),
           TaskEntry("T2", "Đang thực hiện", 30)], 1, datetime(2025, 4, 10, 3, tzinfo=utc))
    _drop(workspace, registry, "SNV", "2025-05", [TaskEntry("T2", "Đang thực hiện", 60)], 2,
          datetime(2025, 5, 10, 3, tzinfo=utc))
    _drop(workspace, registry, "SNV", "2025-06",
          [TaskEntry("T2", "Hoàn thành", 100, date(2025, 6, 5))], 3,
          datetime(2025, 6, 10, 3, tzinfo=utc))
    _drop(workspace, registry, "STP", "2025-04", [TaskEntry("T2", "Đang thực hiện", 20)], 4,
          datetime(2025, 4, 12, 3, tzinfo=utc))
    _drop(workspace, registry, "STP", "2025-06", [TaskEntry("T2", "Đang thực hiện", 70)], 1,
          datetime(2025, 6, 12, 3, tzinfo=utc))
    for label, day in (("2025-04", datetime(2025, 4, 11, 3, tzinfo=utc)),
                       ("2025-05", datetime(2025, 5, 20, 3, tzinfo=utc)),
                       ("2025-06", datetime(2025, 6, 11, 3, tzinfo=utc))):
        _drop(workspace, registry, "UBND-LX", label, [TaskEntry("T3", "Đang thực hiện", 50)],
              1, day)
    for label, rows in PORTAL.items():
        write_portal_export(workspace / "portal" / f"thong-ke-{label}.xlsx",
                            parse_period(label), rows)


def _collect(workspace: Path, db: Database, registry: Registry) -> None:
    inbox, portal = DropFolder.agency_inbox(workspace), DropFolder.portal_exports(workspace)
    for item in inbox.pending():
        outcome = take_file(item, inbox, db, registry, now=datetime.now(UTC),
                            seen_at=item.modified_at)
        assert outcome is not None and outcome.outcome == "accepted", outcome
    for item in portal.pending():
        outcome = take_file(item, portal, db, registry, now=datetime.now(UTC))
        assert outcome is not None and outcome.outcome == "accepted", outcome


def _quarter(workspace: Path, db: Database, registry: Registry) -> BuiltReport:
    _collect(workspace, db, registry)
    inputs, portal, rejections = gather_inputs(db, QUARTER, rules=ReportingRules())
    return build_report(registry, inputs, portal, rejections)


def _values(built: BuiltReport) -> dict[tuple[str, str], tuple[float | None, float | None]]:
    return {(v.unit, v.indicator): (v.numerator, v.denominator)
            for v in built.content.indicators}


@pytest.fixture
def small_registry(tmp_path: Path) -> Registry:
    return scenario.write_registry(tmp_path / "registry")


def test_quarter_sums_its_months(tmp_path: Path, db: Database,
                                 small_registry: Registry) -> None:
    """By hand, from the files above:

    - online filing (flows summed): SNV 40+50+45 = 135 of 100+110+90 = 300; UBND-LX
      100+150+125 = 375 of 200+300+250 = 750; province 510 of 1050 (never the mean of
      the monthly rates).
    - on time: SNV 70+85+96 = 251 of 80+90+100 = 270; UBND-LX 140+270+255 = 665 of
      150+280+260 = 690; province 916 of 960.
    - in progress overdue (a stock, at the quarter's end = June): SNV 3, UBND-LX 2,
      province 5 (not 5+5+3 + 5+4+2 = 24).
    - kiem_tra (a count, summed): SNV 1+2+3 = 6, STP 4+1 = 5, UBND-LX 1+1+1 = 3,
      province 14.
    - tasks due by 14/06: SNV T1 (done in April) and T2 (done in June) 2/2; STP T2 0/1;
      UBND-LX T3 0/1; province 2/4.
    - submission: SNV and UBND-LX cover every month, STP lacks May: 2 of 3; on time by
      each month's own due date: SNV only (UBND-LX's May file came 20/05, due 18/05):
      1 of 3. STP "chưa nộp", UBND-LX "nộp muộn" (20/05).
    """
    workspace = tmp_path / "ws"
    _months(workspace, small_registry)
    built = _quarter(workspace, db, small_registry)
    values = _values(built)
    assert values[("SNV", "online_filing_rate")] == (135, 300)
    assert values[("UBND-LX", "online_filing_rate")] == (375, 750)
    assert values[("TINH", "online_filing_rate")] == (510, 1050)
    assert values[("SNV", "on_time_rate")] == (251, 270)
    assert values[("UBND-LX", "on_time_rate")] == (665, 690)
    assert values[("TINH", "on_time_rate")] == (916, 960)
    assert values[("SNV", "overdue_in_progress")] == (3, None)
    assert values[("UBND-LX", "overdue_in_progress")] == (2, None)
    assert values[("TINH", "overdue_in_progress")] == (5, None)
    assert values[("SNV", "kiem_tra")] == (6, None)
    assert values[("STP", "kiem_tra")] == (5, None)
    assert values[("UBND-LX", "kiem_tra")] == (3, None)
    assert values[("TINH", "kiem_tra")] == (14, None)
    assert values[("SNV", "task_completion_rate")] == (2, 2)
    assert values[("TINH", "task_completion_rate")] == (2, 4)
    assert values[("TINH", "submission_rate")] == (2, 3)
    assert values[("TINH", "submission_on_time_rate")] == (1, 3)
    states = {m.unit: (m.state, m.submitted_at) for m in built.content.missing}
    assert states == {"STP": (STATE_MISSING, None),
                      "UBND-LX": (STATE_LATE, datetime(2025, 5, 20, 3, tzinfo=UTC))}
    portal_inputs = [i["file_name"] for i in built.inputs if i["kind"] == "portal"]
    assert portal_inputs == [f"thong-ke-{m}.xlsx" for m in PORTAL]
    assert sum(1 for i in built.inputs if i["kind"] == "submission") == 8
    # Each month's export states that month: its rows and «Tổng cộng» are not compared with
    # the quarter's rolled-up figures (each was checked in its own month's report).
    assert built.content.data_issues == []


def test_a_quarterly_file_wins_for_its_unit(tmp_path: Path, db: Database,
                                            small_registry: Registry) -> None:
    """UBND-LX also sends a file for 2025-Q2 on 16/06 (the quarter is due 18/06): T3 done,
    kiem_tra 10. It wins over its monthly files: kiem_tra 10 (not 1+1+1 = 3), province
    6+5+10 = 21; T3 done: 1/1, province 3/4; on time (the late May file no longer
    counts): 2 of 3 on time, only STP listed ("chưa nộp")."""
    workspace = tmp_path / "ws"
    _months(workspace, small_registry)
    _drop(workspace, small_registry, "UBND-LX", "2025-Q2",
          [TaskEntry("T3", "Hoàn thành", 100, date(2025, 4, 28))], 10,
          datetime(2025, 6, 16, 3, tzinfo=UTC))
    built = _quarter(workspace, db, small_registry)
    values = _values(built)
    assert values[("UBND-LX", "kiem_tra")] == (10, None)
    assert values[("TINH", "kiem_tra")] == (21, None)
    assert values[("UBND-LX", "task_completion_rate")] == (1, 1)
    assert values[("TINH", "task_completion_rate")] == (3, 4)
    assert values[("TINH", "submission_rate")] == (2, 3)
    assert values[("TINH", "submission_on_time_rate")] == (2, 3)
    assert [(m.unit, m.state) for m in built.content.missing] == [("STP", STATE_MISSING)]


def test_rolled_portal_takes_stocks_at_the_period_end() -> None:
    """Stocks come from the last month present for a unit only when it is the last month;
    a unit absent from June has no stock (None), not April's."""
    def row(unit: str, online: int, overdue: int) -> PortalUnitStats:
        return PortalUnitStats(unit, 1, 0, online, 0, 0, 10, 9, 1, 4, overdue)
    rolled = {s.unit: s for s in rolled_portal([[row("A", 1, 7), row("B", 2, 8)],
                                                [row("A", 3, 5)]])}
    assert rolled["A"].received_online == 4 and rolled["A"].in_progress_overdue == 5
    assert rolled["A"].resolved_total == 20
    assert rolled["B"].received_online == 2 and rolled["B"].in_progress_overdue is None


def test_a_unit_opened_inside_the_year_needs_files_only_for_its_months(
        tmp_path: Path, db: Database, small_registry: Registry) -> None:
    """Phường Long Xuyên (X30307) exists from 01/7/2025: with the ministry's windows (the
    15th to the 14th) it reports for July (15/6–14/7) to December, six months; its six
    files, each on the 10th (due the 18th), make it submitted and on time for the year.
    Known to no registry, a unit would need all twelve months."""
    workspace = tmp_path / "ws"
    for month in range(7, 13):
        _drop(workspace, small_registry, "X30307", f"2025-{month:02d}", [], 1,
              datetime(2025, month, 10, 3, tzinfo=UTC))
    _collect(workspace, db, small_registry)
    year = parse_period("2025")
    inputs, _, _ = gather_inputs(db, year, rules=ReportingRules(), registry=small_registry)
    submitted = inputs.submitted()
    assert "X30307" in submitted and inputs.on_time(submitted["X30307"])
    states = {row.unit: row.state for row in submission_states(small_registry, inputs)}
    assert "X30307" not in states  # neither missing nor late
    assert states["SNV"] == STATE_MISSING  # a unit of the whole year, no file at all
    without, _, _ = gather_inputs(db, year, rules=ReportingRules())
    assert "X30307" not in without.submitted()
