"""Trends across unit changes: each series as reported and rebased on today's units.

A past period's figures were reported by the units of that time. To compare them with
today's, numerators and denominators move through the crosswalk (an old district's
dossiers split over the new communes by the crosswalk's weights) and rates are computed
again from the moved parts, never averaged. A period where the province itself changed
(the merger of 1 Jul 2025) is a series break: the rebased province total covers only the
units that reported then, so trend tables mark it instead of joining the two sides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from config.crosswalk import Crosswalk
from tasks.model.report import PROVINCE, IndicatorValue
from tasks.model.vocabulary import rate


@dataclass(frozen=True)
class TrendPoint:
    """One indicator of one unit in one period, as reported or rebased."""

    period: str
    unit: str
    indicator: str
    numerator: float | None
    denominator: float | None
    value: float | None
    rebased: bool
    series_break: bool = False


def rebase(values: Iterable[IndicatorValue], crosswalk: Crosswalk, as_of: date, *,
           kinds: dict[str, str]) -> list[IndicatorValue]:
    """Unit values moved onto the units that exist on ``as_of`` (province rows unchanged).

    Parts move by weight; a unit whose parts are missing (``None``) moves nothing, and a
    rate is recomputed only where the moved numerator and denominator both exist.
    """
    moved: dict[tuple[str, str], list[float | None]] = defaultdict(lambda: [None, None])
    province: list[IndicatorValue] = []
    for value in values:
        if value.unit == PROVINCE:
            province.append(value)
            continue
        for unit, weight in crosswalk.weights_on(value.unit, as_of).items():
            slot = moved[(unit, value.indicator)]
            for index, part in enumerate((value.numerator, value.denominator)):
                if part is not None:
                    slot[index] = (slot[index] or 0.0) + part * float(weight)
    result = list(province)
    for (unit, indicator), (numerator, denominator) in sorted(moved.items()):
        figure = rate(numerator, denominator) if kinds.get(indicator) == "rate" else numerator
        result.append(IndicatorValue(unit, indicator, numerator, denominator, figure))
    return result


def trend(history: Sequence[tuple[str, Sequence[IndicatorValue]]], crosswalk: Crosswalk,
          as_of: date, *, kinds: dict[str, str],
          breaks: Iterable[str] = ()) -> list[TrendPoint]:
    """Both series for every period in ``history`` (oldest first): as reported, then rebased.

    ``breaks`` names the periods from which the province's own boundaries differ from
    the period before (see the registry's series breaks): their points carry
    ``series_break``.
    """
    marked = set(breaks)
    points: list[TrendPoint] = []
    for period, values in history:
        is_break = period in marked
        points.extend(TrendPoint(period, v.unit, v.indicator, v.numerator, v.denominator,
                                 v.value, rebased=False, series_break=is_break)
                      for v in values)
        points.extend(TrendPoint(period, v.unit, v.indicator, v.numerator, v.denominator,
                                 v.value, rebased=True, series_break=is_break)
                      for v in rebase(values, crosswalk, as_of, kinds=kinds)
                      if v.unit != PROVINCE)
    return points
