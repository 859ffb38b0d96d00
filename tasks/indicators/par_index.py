"""The computed part of the provincial CCHC index: a unit's points for the year.

The criteria and their scoring rules are data (``config/data/par-index``, loaded by
:mod:`config.par_criteria`); here they are applied to a unit's yearly values of the
indicators this system computes. Only ``computed`` criteria are scored here (an area's
result keeps both its full maximum and the maximum of its computed criteria); the year's
index with the self-assessed and appraised points, from the stored months, is
:mod:`tasks.indicators.par_year`, which uses :func:`rule_points` and :func:`months_existed`.

**A unit that existed only part of the year** (a department merged on 01/3/2025, a district
closed on 30/6/2025, a commune opened on 01/7/2025) is scored over the months it existed:

- the caller passes those months (:func:`months_existed` derives them from the registry's
  validity dates: a month counts when the unit existed on at least one of its days, as a
  reporting period counts a unit that existed on one of its days);
- the values are the unit's own over those months: a rate is its numerator over its
  denominator summed over those months (never an average of monthly rates), a count such as
  ``tasks_overdue`` or ``overdue_in_progress`` is a stock at the end of the unit's last
  month. Neither depends on the number of months, so the rules compare them with the
  thresholds unchanged and nothing is prorated: a unit scored over 4 months can reach the
  same maximum as one scored over 12;
- the months are kept in the result (:attr:`UnitPoints.months`) so the report can say
  "chấm trên 4 tháng (01–02/2025)" beside the points and name the successors.

A missing value (``None``, or an indicator absent from the mapping) gives 0 points with the
reason written out, never full points and never an error: the unit had the means to report.
Each criterion's points are rounded to two decimals, and areas and totals add up the
rounded points, so that the sum of what the report shows is what it totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from config.errors import CchcError
from config.par_criteria import (
    AllOrNothingRule,
    ComputedMethod,
    LinearRule,
    ParCriteriaSet,
    ScoringRule,
    ThresholdsRule,
)

_DECIMALS = 2


class ParIndexError(CchcError, ValueError):
    """Scoring asked for something that cannot be scored (no month, a month out of range)."""


@dataclass(frozen=True)
class CriterionPoints:
    """One computed criterion's points and why."""

    criterion_id: str
    area_id: str
    name: str
    indicator: str
    value: float | None
    max_points: float
    points: float
    reason: str


@dataclass(frozen=True)
class AreaPoints:
    """An area's computed points; ``computed_max`` is what its computed criteria can give."""

    area_id: str
    name: str
    max_points: float
    computed_max: float
    points: float


@dataclass(frozen=True)
class UnitPoints:
    unit: str
    set_id: str
    year: int
    months: tuple[int, ...]
    criteria: tuple[CriterionPoints, ...]
    areas: tuple[AreaPoints, ...]

    @property
    def points(self) -> float:
        return round(sum(a.points for a in self.areas), _DECIMALS)

    @property
    def computed_max(self) -> float:
        return round(sum(a.computed_max for a in self.areas), _DECIMALS)

    @property
    def whole_year(self) -> bool:
        return len(self.months) == 12

    def criterion(self, criterion_id: str) -> CriterionPoints | None:
        return next((c for c in self.criteria if c.criterion_id == criterion_id), None)

    def area(self, area_id: str) -> AreaPoints | None:
        return next((a for a in self.areas if a.area_id == area_id), None)


def _vi(number: float) -> str:
    """``96.5`` → ``96,5`` (Vietnamese decimal comma), no trailing zeros."""
    return f"{round(number, _DECIMALS):g}".replace(".", ",")


def rule_points(rule: ScoringRule, max_points: float, value: float) -> tuple[float, str]:
    """The points ``rule`` gives ``value`` out of ``max_points``, and the reason in Vietnamese.

    - ``thresholds``: the points of the highest step whose ``min`` the value reaches (at the
      threshold counts as reached), 0 below the lowest step;
    - ``linear``: ``max_points`` at or above ``full_at``; below it
      ``max_points × value ÷ full_at`` (0 for a negative value);
    - ``all_or_nothing``: ``max_points`` when ``value op target`` holds, else 0.
    """
    if isinstance(rule, ThresholdsRule):
        reached = [step for step in rule.steps if value >= step.min]
        if not reached:
            return 0.0, (f"giá trị {_vi(value)} dưới ngưỡng thấp nhất "
                         f"{_vi(rule.steps[0].min)}")
        step = reached[-1]
        return step.points, f"giá trị {_vi(value)} đạt ngưỡng {_vi(step.min)}"
    if isinstance(rule, LinearRule):
        if value >= rule.full_at:
            return max_points, f"giá trị {_vi(value)} đạt mức tối đa {_vi(rule.full_at)}"
        points = max(value, 0.0) / rule.full_at * max_points
        return points, (f"giá trị {_vi(value)} chưa đạt {_vi(rule.full_at)}: "
                        f"{_vi(max_points)} × {_vi(value)} ÷ {_vi(rule.full_at)}")
    return _all_or_nothing(rule, max_points, value)


def _all_or_nothing(rule: AllOrNothingRule, max_points: float, value: float
                    ) -> tuple[float, str]:
    met = value >= rule.value if rule.op == ">=" else value <= rule.value
    condition = f"{rule.op} {_vi(rule.value)}"
    if met:
        return max_points, f"giá trị {_vi(value)} đạt điều kiện {condition}"
    return 0.0, f"giá trị {_vi(value)} không đạt điều kiện {condition}"


def months_existed(valid_from: date | None, valid_to: date | None, year: int
                   ) -> tuple[int, ...]:
    """The months of ``year`` on at least one day of which a unit valid from ``valid_from``
    to ``valid_to`` (both included, open ends unbounded) existed."""
    found: list[int] = []
    for month in range(1, 13):
        first = date(year, month, 1)
        last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        if valid_from is not None and valid_from > last:
            continue
        if valid_to is not None and valid_to < first:
            continue
        found.append(month)
    return tuple(found)


def _checked_months(months: Iterable[int]) -> tuple[int, ...]:
    ordered = tuple(sorted(set(months)))
    if not ordered:
        raise ParIndexError("đơn vị không hoạt động tháng nào trong năm đánh giá: không chấm "
                            "điểm chỉ số CCHC")
    wrong = [m for m in ordered if not 1 <= m <= 12]
    if wrong:
        raise ParIndexError(f"tháng {', '.join(map(str, wrong))} không phải tháng trong năm "
                            "(1 đến 12)")
    return ordered


def score_unit(criteria_set: ParCriteriaSet, unit: str, year: int,
               values: Mapping[str, float | None], months: Iterable[int] = range(1, 13)
               ) -> UnitPoints:
    """The points of ``unit``'s computed criteria in ``year`` and their totals per area.

    ``values`` maps an indicator id to the unit's value over ``months`` (see the module's
    note on partial years); an indicator missing or ``None`` gives 0 points with its reason.
    """
    checked = _checked_months(months)
    scored: list[CriterionPoints] = []
    for leaf in criteria_set.leaves():
        if not isinstance(leaf.method, ComputedMethod):
            continue
        method = leaf.method
        value = values.get(method.indicator)
        if value is None:
            points, reason = 0.0, (f"không có số liệu chỉ tiêu {method.indicator} trong "
                                   "các tháng đơn vị hoạt động")
        else:
            points, reason = rule_points(method.rule, leaf.max_points, value)
        points = round(points, _DECIMALS)
        scored.append(CriterionPoints(
            criterion_id=leaf.id, area_id=leaf.area_id, name=leaf.name,
            indicator=method.indicator, value=value, max_points=leaf.max_points,
            points=points, reason=f"{reason}: {_vi(points)}/{_vi(leaf.max_points)} điểm"))
    areas = tuple(
        AreaPoints(
            area_id=area.id, name=area.name, max_points=area.max_points,
            computed_max=round(sum(c.max_points for c in scored if c.area_id == area.id),
                               _DECIMALS),
            points=round(sum(c.points for c in scored if c.area_id == area.id), _DECIMALS))
        for area in criteria_set.areas)
    return UnitPoints(unit=unit, set_id=criteria_set.set_id, year=year, months=checked,
                      criteria=tuple(scored), areas=areas)
