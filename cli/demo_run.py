"""`cchc demo`: lay out the demo province's months and run the monthly report for each.

Each month's files are staged, then dropped and collected at their planned times (the
collector of :mod:`tasks.demo.collector`), then the monthly flow runs. ``--history`` does
this for 12 months across the 2025 restructuring (districts before 1/7/2025, communes
after), all in this one process: Prefect's temporary server starts once, not per month;
then the year's report (``2025``), which carries the year's CCHC index as its annex.
"""

from __future__ import annotations

from config.registry import Registry
from config.settings import Settings
from flows.resources import build_resources
from tasks.demo.collector import drop_and_collect
from tasks.demo.par_assessments import ParDemo, write_par_assessments
from tasks.demo.province import DemoPlan, build_demo_workspace
from tasks.model.periods import month_period

HISTORY_FIRST = (2025, 1)  # 2025-01 … 2025-12: six months of districts, six of communes
HISTORY_MONTHS = 12


def history_periods() -> list[str]:
    year, month = HISTORY_FIRST
    labels = []
    for _ in range(HISTORY_MONTHS):
        labels.append(month_period(year, month).label)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


def history_year() -> str:
    """The year whose report (with its CCHC index) ``--history`` makes after its months."""
    return str(HISTORY_FIRST[0])


def stage_and_collect(settings: Settings, registry: Registry, period: str, *, seed: int = 2025,
                      fresh: bool = True) -> DemoPlan:
    """Stage ``period``'s demo files, then drop and collect each at its planned time."""
    workspace = settings.workspace
    plan = build_demo_workspace(workspace, registry, period, seed, staged=True, fresh=fresh)
    res = build_resources(settings)
    try:
        drop_and_collect(plan.drops, workspace, inbox=res.inbox_intake, portal=res.portal_intake)
    finally:
        res.db.dispose()
    return plan


def stage_and_collect_assessments(settings: Settings, registry: Registry, year: str
                                  ) -> ParDemo:
    """Stage the year's demo self-assessments and Sở Nội vụ's appraisal
    (:mod:`tasks.demo.par_assessments`), then drop and collect each at its planned time
    (late December, before the year's report)."""
    res = build_resources(settings)
    try:
        written = write_par_assessments(settings.workspace, registry,
                                        res.reporting.par_criteria, int(year), staged=True)
        drop_and_collect(written.drops, settings.workspace, inbox=res.inbox_intake,
                         portal=res.portal_intake)
    finally:
        res.db.dispose()
    return written
