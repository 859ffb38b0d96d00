"""The scoring rules of the provincial CCHC index and the months a unit is scored over.

The criteria and their rules are data (``config/data/par-index``, loaded by
:mod:`config.par_criteria`). :func:`rule_points` applies one computed criterion's rule to a
unit's value for the year; :func:`months_existed` gives the months a unit is scored over (a
month counts when the unit existed on at least one of its days, as a reporting period counts
a unit that existed on one of its days: a department merged on 01/3/2025 is scored over
January and February, a commune opened on 01/7/2025 over July to December). The year's index
itself — values from the stored months, self-assessed and appraised points, areas, ranks
and bands — is :mod:`tasks.indicators.par_year`.
"""

from __future__ import annotations

from datetime import date, timedelta

from config.par_criteria import (
    AllOrNothingRule,
    LinearRule,
    ScoringRule,
    ThresholdsRule,
)

_DECIMALS = 2


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
