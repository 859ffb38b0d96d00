"""Computing a period's indicators from stored numerators and denominators.

Every indicator keeps its numerator and denominator; rates are computed from them at
every level (agency and province), never by averaging rates. A zero or missing
denominator gives no value (N/A), never 0 % or 100 %. The province's numerator and
denominator of a rate come from the same units: a unit missing one part is left out
of both (:func:`left_out_of_province` names them for the report).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from config.registry import Agency, Registry, Task
from tasks.model.periods import Period
from tasks.model.portal import PortalUnitStats
from tasks.model.records import (
    PORTAL_UNIT,
    StoredDossierFile,
    StoredMetricReport,
    StoredSubmission,
    StoredTaskReport,
    WaitingFile,
)
from tasks.model.report import (
    PROVINCE,
    STATUS_MET,
    STATUS_NO_DATA,
    STATUS_NO_TARGET,
    STATUS_NOT_MET,
    IndicatorValue,
    MissingUnitRow,
    TaskProgressRow,
)
from tasks.model.rules import ReportingRules
from tasks.model.submission import STATUS_DONE
from tasks.model.vocabulary import (
    ON_TIME,
    ONLINE_FILING,
    OVERDUE_IN_PROGRESS,
    PORTAL_INDICATORS,
    STATE_LATE,
    STATE_MISSING,
    STATE_SUBMITTED_WAITING,
    STATE_WAITING,
    SUBMISSION,
    SUBMISSION_ON_TIME,
    TASK_COMPLETION,
    TASKS_OVERDUE,
    rate,
)

PORTAL_UNIT_NAME = "Số liệu cổng dịch vụ công"


@dataclass(frozen=True)
class PeriodInputs:
    """Everything stored for one period that the indicators are computed from."""

    period: Period
    rules: ReportingRules
    submissions: Sequence[StoredSubmission]
    task_reports: Sequence[StoredTaskReport]
    metric_reports: Sequence[StoredMetricReport]
    portal: Sequence[PortalUnitStats] | None
    # when each unit's first accepted file arrived (superseded ones included); a unit
    # missing here falls back to its current file's arrival
    first_arrivals: Mapping[str, datetime] = field(default_factory=dict)
    # the period's current dossier file (ho-so-<YYYY-MM>), read for the 766 indicators
    dossier_file: StoredDossierFile | None = None

    @property
    def window(self) -> tuple[date, date]:
        return self.rules.window(self.period)

    @property
    def due_at(self) -> datetime:
        """The end of the due day, in the province's time zone."""
        return self.rules.due_at(self.period)

    def first_arrival(self, submission: StoredSubmission) -> datetime:
        """When the unit first sent an accepted file for the period: a later correction
        does not make an on-time unit late."""
        first = self.first_arrivals.get(submission.agency_code)
        return submission.arrived_at if first is None else min(first, submission.arrived_at)

    def on_time(self, submission: StoredSubmission) -> bool:
        return not self.rules.is_late(self.first_arrival(submission), self.period)

    def submitted(self) -> dict[str, StoredSubmission]:
        """Each unit's submission that counts as its report for the period."""
        return {s.agency_code: s for s in self.submissions}


def expected_units(registry: Registry, inputs: PeriodInputs) -> list[Agency]:
    """Units expected to report (:meth:`ReportingRules.expected_units`)."""
    return inputs.rules.expected_units(registry, inputs.period)


def latest_task_reports(reports: Iterable[StoredTaskReport]) -> dict[tuple[str, str],
                                                                      StoredTaskReport]:
    """The newest report per (agency, task): later period first, then later arrival."""
    latest: dict[tuple[str, str], StoredTaskReport] = {}
    for report in reports:
        key = (report.agency_code, report.task_id)
        current = latest.get(key)
        if current is None or (report.period, report.arrived_at) >= (current.period,
                                                                      current.arrived_at):
            latest[key] = report
    return latest


def tasks_of_period(registry: Registry, inputs: PeriodInputs,
                    latest: dict[tuple[str, str], StoredTaskReport]
                    ) -> list[tuple[Task, set[str]]]:
    """The tasks to follow in the period, each with the units leading it: the tasks of the
    registers in force (groups expanded to the units of the period), and the tasks of
    registers no longer in force that were due and are not reported done (they stay
    overdue, across years, until done)."""
    window = inputs.window
    followed: list[tuple[Task, set[str]]] = [
        (task, registry.leads_of(task, window)) for task in registry.tasks_in_force(*window)]
    in_force = {task.id for task, _ in followed}
    for task in registry.tasks:
        if task.id in in_force or task.deadline is None or task.deadline >= window[1] \
                or task.applies_from is None or task.applies_from > window[1]:
            continue
        ended = (task.applies_from, task.applies_to or task.deadline)
        open_units = {code for code in registry.leads_of(task, ended)
                      if (r := latest.get((code, task.id))) is None or r.status != STATUS_DONE}
        if open_units:
            followed.append((task, open_units))
    return followed


def registers_note(registry: Registry, inputs: PeriodInputs) -> list[str]:
    """A note when no task register is in force for the period (the report then shows no
    current tasks, only overdue ones carried over)."""
    if registry.tasks_in_force(*inputs.window):
        return []
    start, end = inputs.window
    return [f"Không có sổ nhiệm vụ (văn bản giao nhiệm vụ) nào áp dụng cho kỳ "
            f"{inputs.period.label} (số liệu từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}); "
            "chỉ theo dõi các nhiệm vụ quá hạn chưa hoàn thành của các kỳ trước."]


def series_break_notes(registry: Registry, inputs: PeriodInputs) -> list[str]:
    """A note when the province's boundaries changed inside the period's window: its
    totals are not comparable with earlier periods' as reported (see the rebased trend)."""
    return [f"Chuỗi số liệu toàn tỉnh gián đoạn từ {b.effective:%d/%m/%Y}: {b.note.strip()}"
            for b in registry.series_breaks_in(*inputs.window)]


def task_progress(registry: Registry, inputs: PeriodInputs) -> list[TaskProgressRow]:
    """Each task for each unit leading it in the period, with its latest reported status."""
    units = {a.code: a for a in registry.units_valid(*inputs.window)}
    latest = latest_task_reports(inputs.task_reports)
    end = inputs.window[1]
    rows = []
    for task, leads in tasks_of_period(registry, inputs, latest):
        for code in sorted(leads & units.keys()):
            report = latest.get((code, task.id))
            done = report is not None and report.status == STATUS_DONE
            rows.append(TaskProgressRow(
                task_id=task.id, area=task.area, text=task.text, unit=code,
                unit_name=units[code].name, deadline=task.deadline,
                status=report.status if report else None,
                progress=report.progress if report else None,
                completed_on=report.completed_on if report else None,
                overdue=task.deadline is not None and task.deadline < end and not done,
                result=report.result if report else None,
                difficulties=report.difficulties if report else None,
            ))
    return rows


def submission_states(registry: Registry, inputs: PeriodInputs,
                      waiting: Sequence[WaitingFile] = ()) -> list[MissingUnitRow]:
    """Expected units that have not submitted, or submitted after the due date; and every
    unit (or folder) with a file still being written (``waiting``), which is shown as
    waiting for intake, not as missing."""
    files: dict[str, list[str]] = defaultdict(list)
    for file in waiting:
        files[file.unit].append(file.shown_path)
    by_unit = inputs.submitted()
    rows = []
    expected = expected_units(registry, inputs)
    for unit in expected:
        sub = by_unit.get(unit.code)
        names = tuple(files.get(unit.code, ()))
        if sub is None:
            rows.append(MissingUnitRow(unit.code, unit.name,
                                       STATE_WAITING if names else STATE_MISSING,
                                       waiting_files=names))
        elif not inputs.on_time(sub):
            rows.append(MissingUnitRow(unit.code, unit.name, STATE_LATE,
                                       inputs.first_arrival(sub), waiting_files=names))
        elif names:
            rows.append(MissingUnitRow(unit.code, unit.name, STATE_SUBMITTED_WAITING,
                                       inputs.first_arrival(sub), waiting_files=names))
    shown = {unit.code for unit in expected}
    for code, paths in files.items():
        if code not in shown:
            agency = registry.agency(code)
            name = agency.name if agency else (PORTAL_UNIT_NAME if code == PORTAL_UNIT
                                               else code)
            rows.append(MissingUnitRow(code, name, STATE_WAITING, waiting_files=tuple(paths)))
    return rows


def _value(unit: str, indicator: str, numerator: float | None, denominator: float | None,
           kind: str) -> IndicatorValue:
    value = rate(numerator, denominator) if kind == "rate" else numerator
    return IndicatorValue(unit, indicator, numerator, denominator, value)


def _sum(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return float(sum(present)) if present else None


Parts = dict[str, dict[str, tuple[float | None, float | None]]]


def _unit_parts(registry: Registry, inputs: PeriodInputs,
                tasks: Sequence[TaskProgressRow]) -> tuple[list[str], list[str], Parts]:
    """Expected units, every unit shown (expected, then portal-only ones) and each unit's
    (numerator, denominator) per indicator."""
    units = [a.code for a in expected_units(registry, inputs)]
    portal = {s.unit: s for s in inputs.portal or ()}
    unit_order = units + sorted(set(portal) - set(units))
    parts: dict[str, dict[str, tuple[float | None, float | None]]] = defaultdict(dict)

    for code in unit_order:
        stats = portal.get(code)
        if stats is not None:
            received = [stats.received_online, stats.received_in_person, stats.received_post]
            new_total = None if any(v is None for v in received) else _sum(received)
            parts[code][ONLINE_FILING] = (
                float(stats.received_online) if stats.received_online is not None else None,
                new_total)
            parts[code][ON_TIME] = (float(stats.resolved_on_time),
                                      float(stats.resolved_total))
            overdue = stats.in_progress_overdue
            parts[code][OVERDUE_IN_PROGRESS] = (float(overdue) if overdue is not None
                                                 else None, None)
        else:
            for indicator in PORTAL_INDICATORS:
                parts[code][indicator] = (None, None)

    end = inputs.window[1]
    for code in units:
        due = [t for t in tasks if t.unit == code and t.deadline is not None
               and t.deadline <= end]
        completed = sum(1 for t in due if t.status == STATUS_DONE)
        parts[code][TASK_COMPLETION] = (float(completed), float(len(due)))
        parts[code][TASKS_OVERDUE] = (float(sum(1 for t in tasks
                                               if t.unit == code and t.overdue)), None)

    reported: dict[str, dict[str, float]] = defaultdict(dict)
    for line in inputs.metric_reports:
        reported[line.agency_code][line.metric_code] = line.value
    for code in units:
        for metric in registry.metrics:
            parts[code][metric.code] = (reported[code].get(metric.code), None)
    return units, unit_order, parts


Row = tuple[str, tuple[float | None, float | None]]


def _split_for_province(kind: str, rows: Sequence[Row]) -> tuple[list[Row], list[str]]:
    """The unit rows the province sums, and the units left out of a rate's sum because
    one of its parts is missing (numerator and denominator must come from the same units)."""
    if kind != "rate":
        return list(rows), []
    kept: list[Row] = [(code, (n, d)) for code, (n, d) in rows
                       if n is not None and d is not None]
    left_out = [code for code, (n, d) in rows if (n is None) != (d is None)]
    return kept, left_out


def left_out_of_province(registry: Registry, inputs: PeriodInputs,
                         tasks: Sequence[TaskProgressRow]) -> dict[str, list[str]]:
    """Per rate indicator, the units left out of the province's sum (a missing part)."""
    _, unit_order, parts = _unit_parts(registry, inputs, tasks)
    kinds = registry.indicator_kinds()
    left: dict[str, list[str]] = {}
    for indicator, kind in kinds.items():
        rows = [(code, parts[code][indicator]) for code in unit_order
                if indicator in parts[code]]
        codes = _split_for_province(kind, rows)[1]
        if codes:
            left[indicator] = codes
    return left


def compute_indicators(registry: Registry, inputs: PeriodInputs,
                       tasks: Sequence[TaskProgressRow]) -> list[IndicatorValue]:
    """Unit and province values of every indicator and reported metric, with targets."""
    units, unit_order, parts = _unit_parts(registry, inputs, tasks)
    kinds = registry.indicator_kinds()
    order = [i.id for i in registry.indicators] + [m.code for m in registry.metrics]
    values: list[IndicatorValue] = []
    for indicator in order:
        rows = [(code, parts[code][indicator]) for code in unit_order
                if indicator in parts[code]]
        if rows:
            summed = _split_for_province(kinds[indicator], rows)[0]
            numerator = _sum(n for _, (n, _) in summed)
            denominator = _sum(d for _, (_, d) in summed)
            values.append(_value(PROVINCE, indicator, numerator, denominator, kinds[indicator]))
        values.extend(_value(code, indicator, n, d, kinds[indicator]) for code, (n, d) in rows)

    submitted = inputs.submitted()
    expected = len(units)
    on_time = sum(1 for code in units if code in submitted and inputs.on_time(submitted[code]))
    values.append(_value(PROVINCE, SUBMISSION,
                         float(sum(1 for code in units if code in submitted)),
                         float(expected), "rate"))
    values.append(_value(PROVINCE, SUBMISSION_ON_TIME, float(on_time), float(expected),
                         "rate"))
    return [with_target(v, registry, inputs.window) for v in _ordered(values, order)]


def _ordered(values: list[IndicatorValue], order: list[str]) -> list[IndicatorValue]:
    """Province first, then units; indicators in catalogue order."""
    rank = {indicator: n for n, indicator in enumerate(order)}
    return sorted(values, key=lambda v: (v.unit != PROVINCE, rank.get(v.indicator, len(rank))))


def with_target(value: IndicatorValue, registry: Registry,
                window: tuple[date, date]) -> IndicatorValue:
    target = registry.target_for(value.indicator, *window)
    if target is None:
        status = STATUS_NO_TARGET if value.value is not None else STATUS_NO_DATA
        return IndicatorValue(value.unit, value.indicator, value.numerator, value.denominator,
                              value.value, None, None, status)
    if value.value is None:
        status = STATUS_NO_DATA
    else:
        status = STATUS_MET if target.met_by(value.value) else STATUS_NOT_MET
    return IndicatorValue(value.unit, value.indicator, value.numerator, value.denominator,
                          value.value, target.value, target.op, status)
