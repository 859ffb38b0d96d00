"""The report's trend: the province's series over the last months, as reported and rebased.

Each earlier month's figures are the latest published version of that month (the report
store keeps every version's indicator values); the period being reported closes the
series. The units' figures move onto today's units through the crosswalk
(:mod:`tasks.indicators.trend`); the rebased province value is computed again from the
moved numerators and denominators, never averaged. Months in which the province's own
boundaries changed (the registry's series breaks) are marked.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from config.registry import Registry
from tasks.indicators.trend import TrendPoint, trend
from tasks.model.periods import Period, parse_period
from tasks.model.records import ReportVersion
from tasks.model.report import PROVINCE, IndicatorValue, TrendRow
from tasks.model.rules import ReportingRules
from tasks.model.vocabulary import rate
from tasks.report.build import BuiltReport
from tasks.report.summaries import format_value

TREND_MONTHS = 12
_LOG = logging.getLogger(__name__)


class PublishedValues(Protocol):
    """What the trend reads from the report store."""

    def latest_report_version(self, period: str) -> ReportVersion | None: ...

    def indicator_values(self, version_id: int) -> list[IndicatorValue]: ...


def earlier_periods(period: Period, count: int = TREND_MONTHS) -> list[Period]:
    """The ``count - 1`` periods before ``period``, oldest first, then ``period``."""
    periods = [period]
    for _ in range(count - 1):
        periods.append(periods[-1].previous())
    return periods[::-1]


def published_history(db: PublishedValues, period: Period, current: Sequence[IndicatorValue],
                      count: int = TREND_MONTHS) -> list[tuple[str, list[IndicatorValue]]]:
    """Each earlier period's latest published values (periods never published are left
    out), then ``current`` for ``period`` itself."""
    history: list[tuple[str, list[IndicatorValue]]] = []
    for earlier in earlier_periods(period, count)[:-1]:
        version = db.latest_report_version(earlier.label)
        if version is not None:
            history.append((earlier.label, db.indicator_values(version.id)))
    history.append((period.label, list(current)))
    return history


def break_periods(registry: Registry, periods: Sequence[str], rules: ReportingRules
                  ) -> list[str]:
    """The periods whose data window holds a change of the province's boundaries."""
    return [label for label in periods
            if registry.series_breaks_in(*rules.window(parse_period(label)))]


def province_rows(points: Sequence[TrendPoint], kinds: dict[str, str]) -> list[TrendRow]:
    """Per period and indicator: the province value as reported and the one rebuilt from
    the rebased units' numerators and denominators (a rate is computed again)."""
    reported: dict[tuple[str, str], float | None] = {}
    parts: dict[tuple[str, str], list[float | None]] = defaultdict(lambda: [None, None])
    breaks: dict[str, bool] = {}
    order: list[tuple[str, str]] = []
    for point in points:
        key = (point.period, point.indicator)
        breaks[point.period] = point.series_break
        if key not in reported and key not in parts:
            order.append(key)
        if not point.rebased:
            if point.unit == PROVINCE:
                reported[key] = point.value
            continue
        if kinds.get(point.indicator) == "rate" and (point.numerator is None
                                                      or point.denominator is None):
            continue  # a rate takes both parts from the same units, as the province does
        slot = parts[key]
        for index, part in enumerate((point.numerator, point.denominator)):
            if part is not None:
                slot[index] = (slot[index] or 0.0) + part
    rows = []
    for period, indicator in order:
        numerator, denominator = parts.get((period, indicator), (None, None))
        value = (rate(numerator, denominator) if kinds.get(indicator) == "rate"
                 else numerator)
        rows.append(TrendRow(period, indicator, reported.get((period, indicator)), value,
                             numerator, denominator, breaks.get(period, False)))
    return rows


def with_trend(db: PublishedValues, registry: Registry, built: BuiltReport, *,
               rules: ReportingRules, count: int = TREND_MONTHS) -> BuiltReport:
    """``built`` with its content's trend: the last ``count`` months, rebased on the units
    of the report's period end (the fingerprint is unchanged: the trend is derived from
    published versions)."""
    content = built.content
    period = parse_period(content.period)
    history = published_history(db, period, content.indicators, count)
    as_of = content.window[1]
    kinds = registry.indicator_kinds()
    points = trend(history, registry.crosswalk, as_of, kinds=kinds,
                   breaks=break_periods(registry, [label for label, _ in history], rules))
    rows = province_rows(points, kinds)
    _LOG.info("kỳ %s: xu hướng %d kỳ (%s)", content.period, len(history),
              ", ".join(label for label, _ in history))
    return replace(built, content=replace(content, trend=rows))


def trend_table(content_trend: Sequence[TrendRow], names: dict[str, str],
                kinds: dict[str, str]) -> list[dict[str, str]]:
    """The trend as rows for a table (the UI artifact), values formatted in Vietnamese."""
    return [{"Kỳ": row.period,
             "Chỉ số": names.get(row.indicator, row.indicator),
             "Như đã báo cáo": format_value(row.reported, kinds.get(row.indicator, "count")),
             "Quy về đơn vị hiện nay": format_value(row.rebased,
                                                   kinds.get(row.indicator, "count")),
             "Gián đoạn chuỗi": BREAK_MARK_VI if row.series_break else ""}
            for row in content_trend]


BREAK_MARK_VI = "gián đoạn (địa giới tỉnh thay đổi)"
