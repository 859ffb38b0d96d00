"""The last closed period of each kind: what a scheduled report covers.

A period is closed once its data window has ended (ministry: on the 14th of its last
month; Q1 runs 15 Dec - 14 Mar, 6 months 15 Dec - 14 Jun, 9 months 15 Dec - 14 Sep,
the year 15 Dec - 14 Dec). A scheduled run on the 19th of March therefore reports Q1
of the same year, and one on the 19th of December the whole year.
"""

from __future__ import annotations

from datetime import date

from tasks.model.periods import Convention, Period, PeriodKind, month_period


def last_closed_period(today: date, kind: PeriodKind = "month",
                       convention: Convention = "ministry") -> Period:
    """The most recent period of ``kind`` whose data window has ended before ``today``."""
    candidate = _last_of_year(today.year, kind)
    while candidate.end(convention) >= today:
        candidate = candidate.previous()
    return candidate


def _last_of_year(year: int, kind: PeriodKind) -> Period:
    if kind == "month":
        return month_period(year, 12)
    if kind == "quarter":
        return Period(year, 10, 12, "quarter")
    if kind == "half":
        return Period(year, 1, 6, "half")
    if kind == "nine_months":
        return Period(year, 1, 9, "nine_months")
    return Period(year, 1, 12, "year")
