"""Roll-ups: a quarter, half-year, 9-month or year report consolidated from its months.

Rates are never averaged: a roll-up sums each unit's numerators and denominators.

- **Which file counts for a unit.** A file labelled with the roll-up period itself wins
  for that unit (its task statuses, metrics and timeliness). Otherwise, inside a
  half-year, 9-month or year, a quarterly file wins over the months it covers; the
  remaining months count through their monthly files. A unit has *submitted* for the
  roll-up when its files cover every month of it it reports for (each month, or a file for
  a quarter or for the period holding it); a unit that covers only some of those months is
  "chưa nộp". A unit opened or closed inside the period (the 2025 restructuring) reports
  only for the months whose data window it existed in (``ReportingRules.reports_for``).
- **Timeliness**: each file by its own period's due date (a May file by 18 May, a
  quarterly file by the quarter's); a unit is on time when every file it counts is.
- **Metrics** (counts the units enter) are summed over the files that count.
- **Task statuses**: the months' lines as for a month (the newest wins), except that a
  task listed in a quarterly or period file takes that file's status.
- **Portal figures**: a portal export for the period itself wins; otherwise every month
  must have one, and the flows (received, resolved, on time, late) are the sum of the
  months' current figures, the stocks (in progress, in progress overdue) those at the
  period's end (the last month's), and the carried-over stock that of the first month.
  A month without figures leaves the roll-up without portal figures (never a partial
  sum that would look complete).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from config.registry import Registry
from tasks.indicators.compute import PeriodInputs
from tasks.model.periods import Period
from tasks.model.portal import PortalUnitStats
from tasks.model.ports import PeriodStore
from tasks.model.records import (
    StoredMetricReport,
    StoredPortalFile,
    StoredSubmission,
    StoredTaskReport,
)
from tasks.model.rules import ReportingRules

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Piece:
    """One file that counts for a unit in a roll-up, and the period it is labelled with."""

    period: Period
    submission: StoredSubmission
    first_arrival: datetime


@dataclass(frozen=True)
class RollupInputs(PeriodInputs):
    """A roll-up's inputs: ``submissions`` holds every file used; ``pieces`` says which
    count for each unit, ``complete`` which units cover every month."""

    pieces: Mapping[str, tuple[Piece, ...]] = field(default_factory=dict)
    complete: frozenset[str] = frozenset()
    portal_files: tuple[StoredPortalFile, ...] = ()

    def submitted(self) -> dict[str, StoredSubmission]:
        return {code: pieces[-1].submission for code, pieces in self.pieces.items()
                if code in self.complete}

    def _late(self, code: str) -> list[datetime]:
        return [p.first_arrival for p in self.pieces.get(code, ())
                if self.rules.is_late(p.first_arrival, p.period)]

    def first_arrival(self, submission: StoredSubmission) -> datetime:
        """The first late file's arrival, or the last file's when all were on time."""
        late = self._late(submission.agency_code)
        if late:
            return min(late)
        pieces = self.pieces.get(submission.agency_code, ())
        return max((p.first_arrival for p in pieces), default=submission.arrived_at)

    def on_time(self, submission: StoredSubmission) -> bool:
        return not self._late(submission.agency_code)


def quarters_in(period: Period) -> list[Period]:
    """The quarters inside a half-year, 9-month or year period (none in a quarter)."""
    if period.kind in ("month", "quarter"):
        return []
    return [Period(period.year, m, m + 2, "quarter")
            for m in range(period.first_month, period.last_month + 1, 3)]


def unit_pieces(period: Period, files: Mapping[str, Mapping[str, StoredSubmission]],
                arrivals: Mapping[str, Mapping[str, datetime]],
                reports_in: Callable[[str, Period], bool] = lambda code, month: True
                ) -> tuple[dict[str, tuple[Piece, ...]], frozenset[str]]:
    """Per unit, the files that count for ``period`` (``files``: label → unit → current
    submission), and the units whose files cover every month they report for
    (``reports_in(code, month)``: a unit opened or closed inside the period reports only
    for the months it existed in)."""

    def piece(part: Period, code: str) -> Piece:
        sub = files[part.label][code]
        first = arrivals.get(part.label, {}).get(code, sub.arrived_at)
        return Piece(part, sub, min(first, sub.arrived_at))

    units = sorted({code for by_unit in files.values() for code in by_unit})
    pieces: dict[str, tuple[Piece, ...]] = {}
    complete: set[str] = set()
    for code in units:
        if code in files.get(period.label, {}):
            pieces[code] = (piece(period, code),)
            complete.add(code)
            continue
        chosen: list[Piece] = []
        blocks = quarters_in(period) or [period]
        for block in blocks:
            if block != period and code in files.get(block.label, {}):
                chosen.append(piece(block, code))
            else:
                chosen.extend(piece(m, code) for m in block.months()
                              if code in files.get(m.label, {}))
        covered = {m for p in chosen for m in p.period.months()}
        if chosen:
            pieces[code] = tuple(chosen)
        needed = {m for m in period.months() if reports_in(code, m)}
        if chosen and covered >= needed:
            complete.add(code)
    return pieces, frozenset(complete)


def rolled_task_reports(monthly: Sequence[StoredTaskReport],
                        wider: Mapping[Period, Sequence[StoredTaskReport]],
                        pieces: Mapping[str, tuple[Piece, ...]]) -> list[StoredTaskReport]:
    """The months' task lines, with each counted quarterly (or period) file's lines
    winning for the tasks it lists (relabelled with its last month)."""
    winning: list[StoredTaskReport] = []
    for code, unit in pieces.items():
        for p in unit:
            if p.period.kind == "month":
                continue
            last = p.period.months()[-1].label
            winning.extend(replace(r, period=last) for r in wider.get(p.period, ())
                           if r.agency_code == code)
    listed = {(r.agency_code, r.task_id) for r in winning}
    return [r for r in monthly if (r.agency_code, r.task_id) not in listed] + winning


def rolled_metrics(by_label: Mapping[str, Sequence[StoredMetricReport]],
                   pieces: Mapping[str, tuple[Piece, ...]]) -> list[StoredMetricReport]:
    """Each unit's metrics summed over the files that count for it."""
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for code, unit in pieces.items():
        for p in unit:
            for line in by_label.get(p.period.label, ()):
                if line.agency_code == code:
                    totals[(code, line.metric_code)] += line.value
    return [StoredMetricReport(code, metric, value)
            for (code, metric), value in sorted(totals.items(), key=lambda kv: kv[0][0])]


def _sum_or_none(values: Iterable[int | None]) -> int | None:
    listed = list(values)
    return None if any(v is None for v in listed) else sum(v for v in listed if v is not None)


def rolled_portal(months: Sequence[Sequence[PortalUnitStats]]) -> list[PortalUnitStats]:
    """The months' portal figures (in month order) as one period's: flows summed, stocks
    at the period's end (the last month's), carried-over from the first month."""
    by_month = [{s.unit: s for s in month} for month in months]
    order: list[str] = []
    for month in months:
        order.extend(s.unit for s in month if s.unit not in order)
    rolled = []
    for code in order:
        rows = [m.get(code) for m in by_month]
        present = [r for r in rows if r is not None]
        first, last = rows[0], rows[-1]
        rolled.append(PortalUnitStats(
            unit=code, source_row=(last or present[-1]).source_row,
            carried_over=first.carried_over if first else None,
            received_online=_sum_or_none(r.received_online for r in present),
            received_in_person=_sum_or_none(r.received_in_person for r in present),
            received_post=_sum_or_none(r.received_post for r in present),
            resolved_total=sum(r.resolved_total for r in present),
            resolved_on_time=sum(r.resolved_on_time for r in present),
            resolved_late=sum(r.resolved_late for r in present),
            in_progress_total=last.in_progress_total if last else None,
            in_progress_overdue=last.in_progress_overdue if last else None,
        ))
    return rolled


def gather_rollup(db: PeriodStore, period: Period, *, rules: ReportingRules,
                  registry: Registry | None = None
                  ) -> tuple[RollupInputs, StoredPortalFile | None]:
    """Read and consolidate what the database holds for a roll-up ``period``; with the
    ``registry``, a unit opened or closed inside it needs files only for the months it
    reports for (without it: every month, as for a unit known to no registry)."""
    parts = [period, *quarters_in(period), *period.months()]
    files = {p.label: {s.agency_code: s for s in db.current_submissions(p.label)}
             for p in parts}
    arrivals = {p.label: db.first_arrivals(p.label) for p in parts}

    def reports_in(code: str, month: Period) -> bool:
        agency = registry.agency(code) if registry is not None else None
        return agency is None or rules.reports_for(agency, month)

    pieces, complete = unit_pieces(period, files, arrivals, reports_in)
    wider = {p: db.task_reports_of(p.label) for p in parts if p.kind != "month"}
    tasks = rolled_task_reports(db.task_reports_until(period.months()[-1].label), wider, pieces)
    metrics = rolled_metrics({p.label: db.metric_reports(p.label) for p in parts}, pieces)

    own = db.current_portal(period.label)
    portal_file: StoredPortalFile | None
    portal_files: tuple[StoredPortalFile, ...]
    figures: list[PortalUnitStats] | None
    if own is not None:
        portal_file, portal_files, figures = own[0], (own[0],), own[1]
    else:
        monthly = [(m, db.current_portal(m.label)) for m in period.months()]
        lacking = [m.label for m, found in monthly if found is None]
        found = [f for _, f in monthly if f is not None]
        if lacking or not found:
            _LOG.warning("kỳ %s: thiếu số liệu cổng của tháng %s, không tổng hợp số liệu cổng",
                         period.label, ", ".join(lacking))
            portal_file, portal_files, figures = None, (), None
        else:
            portal_files = tuple(f[0] for f in found)
            portal_file, figures = portal_files[-1], rolled_portal([f[1] for f in found])
    used = [p.submission for code in sorted(pieces) for p in pieces[code]]
    _LOG.info("kỳ %s: tổng hợp từ %d tệp của %d đơn vị (%d đủ các tháng)", period.label,
              len(used), len(pieces), len(complete))
    inputs = RollupInputs(period=period, rules=rules, submissions=used, task_reports=tasks,
                          metric_reports=metrics, portal=figures, pieces=pieces,
                          complete=complete, portal_files=portal_files)
    return inputs, portal_file


def portal_files_used(inputs: PeriodInputs,
                      portal: StoredPortalFile | None) -> list[StoredPortalFile]:
    """The portal files a report used: a roll-up's months', or the period's one."""
    if isinstance(inputs, RollupInputs) and inputs.portal_files:
        return list(inputs.portal_files)
    return [portal] if portal is not None else []
