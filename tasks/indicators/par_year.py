"""The provincial CCHC index for a year, from what the reporting database holds.

**Where the year's values come from.** Each month of the year has a published report whose
version keeps every unit's numerator, denominator and value of every indicator (the
``indicator_values`` of its latest version, as the trend reads them). Those are the
monthly figures computed from the units' task and metric reports, the portal statistics
and the dossier files, by the same code as the monthly report; the year's values are
derived from them, so the index agrees with what was published each month and each point
can be traced to a month's figure and, with ``cchc trace`` on that month, to its files.

**Over the months each unit existed** (:func:`~tasks.indicators.par_index.months_existed`),
for each indicator:

- a rate of flows (dossiers filed online, settled on time, the 766 rates): the numerators
  summed over those months ÷ the denominators summed over the same months, × 100 — never an
  average of monthly rates; a month with either part missing is left out of both sums and
  listed;
- a count (``tasks_overdue``, ``overdue_in_progress``) is a stock: its value at the end of
  the unit's last month (the last of its months that has a figure, said when it is not
  its very last month);
- ``task_completion_rate`` is already measured up to the end of each month (every task due
  by then, completed or not): summing months would count a task due in January twelve
  times, so it is taken like a stock, at the end of the unit's last month.

**Points** (:func:`score_year`): computed leaves from their rule
(:func:`~tasks.indicators.par_index.rule_points`); the points from outside the system
(:class:`~tasks.model.par_assessment.AssessedCriterion`) come in as an argument: the final
points of a leaf are Sở Nội vụ's appraised points when set (for any leaf, a computed one
too, with its reason kept), else the unit's self-assessed points for a ``self_assessed``
leaf, else the computed points for a computed leaf, else 0 «chưa có điểm tự chấm/thẩm
định». Never more than the leaf's maximum nor less than 0 (the intake refuses that; this
guards).

**The index** (:func:`year_index`): every unit of the registry whose kind a criteria set
scores that year and that existed in at least one month of it; ranked in its group
(competition ranking: equal totals share a rank), banded by the set's ``bands``, compared
with last year's total when last year's index exists; a unit closed during the year names
its successors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

from config.par_criteria import ComputedMethod, Leaf, ParCriteria, ParCriteriaSet
from config.registry import Registry
from tasks.indicators.par_index import months_existed, rule_points
from tasks.model.par_assessment import AssessedCriterion
from tasks.model.par_report import (
    NO_ASSESSMENT_VI,
    SOURCE_APPRAISED,
    SOURCE_COMPUTED,
    SOURCE_NONE,
    SOURCE_SELF,
    AreaTotal,
    IndexGroup,
    LeafPoints,
    MonthFigure,
    ParIndexReport,
    UnitIndex,
    YearValue,
)
from tasks.model.periods import month_period
from tasks.model.records import ReportVersion
from tasks.model.report import IndicatorValue
from tasks.model.vocabulary import TASK_COMPLETION, rate

_DECIMALS = 2
# rates measured up to the end of each month (not flows of the month): taken like stocks
AT_MONTH_END_RATES = frozenset({TASK_COMPLETION})


class PublishedMonths(Protocol):
    """What the year's values read from the report store."""

    def latest_report_version(self, period: str) -> ReportVersion | None: ...

    def indicator_values(self, version_id: int) -> list[IndicatorValue]: ...


@dataclass(frozen=True)
class PublishedMonth:
    """One month's latest published report version and its indicator values."""

    month: int
    period: str
    version: int
    values: tuple[IndicatorValue, ...]


def published_months(store: PublishedMonths, year: int) -> dict[int, PublishedMonth]:
    """Each month of ``year`` that has a published report, by month number."""
    found: dict[int, PublishedMonth] = {}
    for month in range(1, 13):
        label = month_period(year, month).label
        version = store.latest_report_version(label)
        if version is not None:
            found[month] = PublishedMonth(month, label, version.version,
                                          tuple(store.indicator_values(version.id)))
    return found


def _vi(number: float) -> str:
    return f"{round(number, _DECIMALS):g}".replace(".", ",")


def _months_vi(months: Iterable[int]) -> str:
    return ", ".join(f"{m:02d}" for m in months)


def month_figures(published: Mapping[int, PublishedMonth], unit: str, indicator: str,
                  months: Sequence[int]) -> tuple[list[MonthFigure], list[int]]:
    """The unit's figures of ``indicator`` in ``months`` (those published), and the months
    without one (no published report, or the report holds no figure for the unit)."""
    figures: list[MonthFigure] = []
    lacking: list[int] = []
    for month in months:
        found = published.get(month)
        value = (next((v for v in found.values
                       if v.unit == unit and v.indicator == indicator), None)
                 if found is not None else None)
        if found is None or value is None:
            lacking.append(month)
            continue
        figures.append(MonthFigure(month, found.period, found.version, value.numerator,
                                   value.denominator, value.value))
    return figures, lacking


def year_value(indicator: str, kind: str, figures: Sequence[MonthFigure],
               months: Sequence[int]) -> YearValue:
    """The year's value of ``indicator`` (``kind`` ``rate`` or ``count``) from the unit's
    month ``figures`` over its ``months`` (see the module's note)."""
    have = {f.month for f in figures}
    lacking = tuple(m for m in months if m not in have)
    if kind == "rate" and indicator not in AT_MONTH_END_RATES:
        summed = [f for f in figures if f.numerator is not None and f.denominator is not None]
        incomplete = tuple(sorted(set(lacking) | {f.month for f in figures if f not in summed}))
        if not summed:
            return YearValue(indicator, None, None, None,
                             "không tháng nào có đủ tử số và mẫu số", (), incomplete)
        numerator = sum(f.numerator or 0.0 for f in summed)
        denominator = sum(f.denominator or 0.0 for f in summed)
        how = (f"tổng tử số {_vi(numerator)} ÷ tổng mẫu số {_vi(denominator)} của tháng "
               f"{_months_vi(f.month for f in summed)}")
        if incomplete:
            how += f" (tháng {_months_vi(incomplete)} không có đủ số liệu)"
        return YearValue(indicator, rate(numerator, denominator), numerator, denominator, how,
                         tuple(summed), incomplete)
    present = [f for f in figures if f.value is not None]
    if not present and figures:  # e.g. no task due yet: 0 ÷ 0 gives no rate
        last = max(figures, key=lambda f: f.month)
        return YearValue(indicator, None, last.numerator, last.denominator,
                         f"cuối tháng {last.month:02d}/{last.period[:4]}: tử số "
                         f"{_vi(last.numerator or 0)}, mẫu số {_vi(last.denominator or 0)}, "
                         "không tính được giá trị", (last,), lacking)
    if not present:
        return YearValue(indicator, None, None, None,
                         "không có số liệu tháng nào", (), tuple(months))
    last = max(present, key=lambda f: f.month)
    how = f"số tại cuối tháng {last.month:02d}/{last.period[:4]}"
    if last.month != months[-1]:
        how += f" (tháng cuối có số liệu; tháng {months[-1]:02d} không có)"
    return YearValue(indicator, last.value, last.numerator, last.denominator, how, (last,),
                     lacking)


def unit_year_values(published: Mapping[int, PublishedMonth], unit: str,
                     months: Sequence[int], indicators: Mapping[str, str]
                     ) -> dict[str, YearValue]:
    """The unit's year values of ``indicators`` (id → kind) over its ``months``."""
    values: dict[str, YearValue] = {}
    for indicator, kind in indicators.items():
        figures, _ = month_figures(published, unit, indicator, months)
        values[indicator] = year_value(indicator, kind, figures, months)
    return values


def _assessed_by_criterion(assessed: Iterable[AssessedCriterion], unit: str, year: int
                           ) -> dict[str, AssessedCriterion]:
    return {a.criterion_id: a for a in assessed if a.unit == unit and a.year == year}


def _bounded(points: float, max_points: float) -> tuple[float, str]:
    """Points within [0, max]; the note says when they had to be brought back."""
    if points > max_points:
        return max_points, (f" (ghi {_vi(points)} điểm, quá điểm tối đa: tính "
                            f"{_vi(max_points)})")
    if points < 0:
        return 0.0, f" (ghi {_vi(points)} điểm, âm: tính 0)"
    return points, ""


def leaf_points(leaf: Leaf, value: YearValue | None, assessed: AssessedCriterion | None
                ) -> LeafPoints:
    """One leaf's final points (see the module's note on which points count)."""
    computed: float | None = None
    computed_reason = ""
    if isinstance(leaf.method, ComputedMethod):
        if (value is not None and value.value is None and value.denominator == 0
                and leaf.method.nothing_due == "full"):
            computed, computed_reason = leaf.max_points, (
                f"mẫu số của chỉ tiêu {leaf.method.indicator} bằng 0 (không có việc đến hạn) "
                "trong các tháng đơn vị hoạt động: đạt điểm tối đa theo bộ chỉ số")
        elif value is None or value.value is None:
            computed, computed_reason = 0.0, (
                f"không có số liệu chỉ tiêu {leaf.method.indicator} trong các tháng đơn vị "
                "hoạt động")
        else:
            computed, computed_reason = rule_points(leaf.method.rule, leaf.max_points,
                                                    value.value)
        computed = round(computed, _DECIMALS)
    claim = assessed.self_points if assessed is not None else None
    appraised = assessed.appraised_points if assessed is not None else None
    if appraised is not None:
        points, note = _bounded(appraised, leaf.max_points)
        source = SOURCE_APPRAISED
        why = (assessed.appraisal_reason if assessed is not None
               and assessed.appraisal_reason else "không ghi lý do")
        reason = f"Sở Nội vụ thẩm định {_vi(points)} điểm{note}: {why}"
        if computed is not None:
            reason += f" (điểm tính từ số liệu: {_vi(computed)}; {computed_reason})"
        elif claim is not None:
            reason += f" (đơn vị tự chấm {_vi(claim)})"
    elif claim is not None and leaf.method.kind == "self_assessed":
        points, note = _bounded(claim, leaf.max_points)
        source = SOURCE_SELF
        reason = f"đơn vị tự chấm {_vi(points)} điểm{note}"
    elif computed is not None:
        points, source, reason = computed, SOURCE_COMPUTED, computed_reason
    else:
        points, source, reason = 0.0, SOURCE_NONE, NO_ASSESSMENT_VI
    points = round(points, _DECIMALS)
    return LeafPoints(
        criterion_id=leaf.id, area_id=leaf.area_id, name=leaf.name,
        method=leaf.method.kind, max_points=leaf.max_points, points=points, source=source,
        reason=f"{reason}: {_vi(points)}/{_vi(leaf.max_points)} điểm",
        computed_points=computed, year_value=value,
        self_points=claim, evidence=assessed.evidence if assessed else None,
        self_source=assessed.self_source if assessed else None,
        appraised_points=appraised,
        appraisal_reason=assessed.appraisal_reason if assessed else None,
        appraisal_source=assessed.appraisal_source if assessed else None)


def score_year(criteria_set: ParCriteriaSet, unit: str, unit_name: str, year: int,
               months: Sequence[int], values: Mapping[str, YearValue],
               assessed: Sequence[AssessedCriterion]) -> UnitIndex:
    """Every leaf's final points for ``unit`` in ``year``, and its area totals (the sums
    of the rounded leaf points, so that the shown parts add up to the shown totals)."""
    by_id = _assessed_by_criterion(assessed, unit, year)
    leaves = tuple(
        leaf_points(leaf, values.get(leaf.method.indicator)
                    if isinstance(leaf.method, ComputedMethod) else None, by_id.get(leaf.id))
        for leaf in criteria_set.leaves())
    areas = tuple(AreaTotal(a.id, a.name, a.max_points,
                            round(sum(x.points for x in leaves if x.area_id == a.id),
                                  _DECIMALS))
                  for a in criteria_set.areas)
    return UnitIndex(unit=unit, unit_name=unit_name, set_id=criteria_set.set_id,
                     months=tuple(months), points=round(sum(a.points for a in areas),
                                                        _DECIMALS),
                     max_points=criteria_set.max_points, areas=areas, leaves=leaves)


def ranked(units: Sequence[UnitIndex]) -> list[UnitIndex]:
    """Highest total first; equal totals share a rank (1, 1, 3), then by code."""
    ordered = sorted(units, key=lambda u: (-u.points, u.unit))
    result: list[UnitIndex] = []
    for position, unit in enumerate(ordered, start=1):
        same = result and result[-1].points == unit.points
        result.append(replace(unit, rank=result[-1].rank if same else position))
    return result


def year_index(registry: Registry, criteria: ParCriteria, year: int,
               published: Mapping[int, PublishedMonth],
               assessed: Sequence[AssessedCriterion],
               last_year: Mapping[str, float] | None) -> ParIndexReport:
    """The year's index of every unit a criteria set scores (see the module's note).

    ``last_year``: each unit's total in last year's index, ``None`` when there is none.
    """
    kinds = registry.indicator_kinds()
    groups: list[IndexGroup] = []
    notes: list[str] = []
    for criteria_set in criteria.sets:
        if not criteria_set.applies_in(*_year_bounds(year)):
            continue
        indicators = {leaf.method.indicator: kinds.get(leaf.method.indicator, "rate")
                      for leaf in criteria_set.computed()
                      if isinstance(leaf.method, ComputedMethod)}
        scored: list[UnitIndex] = []
        for agency in registry.agencies:
            if agency.kind not in criteria_set.unit_kinds:
                continue
            months = months_existed(agency.valid_from, agency.valid_to, year)
            if not months:
                continue
            values = unit_year_values(published, agency.code, months, indicators)
            unit = score_year(criteria_set, agency.code, agency.name, year, months, values,
                              assessed)
            closed = agency.valid_to is not None and agency.valid_to.year == year
            scored.append(replace(
                unit, band=criteria_set.band_of(unit.points),
                last_year=(last_year or {}).get(agency.code),
                successors=tuple(registry.successor_names(agency)) if closed else ()))
        if criteria_set.sample:
            notes.append(f"{criteria_set.name}: bộ tiêu chí là BẢN MẪU, chưa phải Quyết định "
                         "của UBND tỉnh; điểm chỉ để chạy thử.")
        groups.append(IndexGroup(
            set_id=criteria_set.set_id, name=criteria_set.name, sample=criteria_set.sample,
            max_points=criteria_set.max_points,
            areas=tuple(AreaTotal(a.id, a.name, a.max_points, 0.0)
                        for a in criteria_set.areas),
            units=tuple(ranked(scored))))
    missing = [m for m in range(1, 13) if m not in published]
    if missing:
        notes.append(f"Chưa có báo cáo tháng {_months_vi(missing)}/{year} đã lập: các chỉ tiêu "
                     "tính từ số liệu không có số liệu của các tháng đó.")
    if last_year is None:
        notes.append(f"Chưa có Chỉ số CCHC năm {year - 1} trong hệ thống: không so sánh với "
                     "năm trước.")
    if not assessed:
        notes.append("Chưa có điểm tự chấm của đơn vị và điểm thẩm định của Sở Nội vụ: các "
                     "tiêu chí không tính từ số liệu đang 0 điểm («chưa có điểm tự chấm/thẩm "
                     "định»).")
    return ParIndexReport(year=year, groups=tuple(groups), last_year_found=last_year is not None,
                          notes=tuple(notes))


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)
