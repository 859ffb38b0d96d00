"""Reporting periods: parsing the ways agencies write them, and their data windows.

Canonical labels: ``YYYY-MM`` (month), ``YYYY-Q1``..``YYYY-Q4``, ``YYYY-H1``,
``YYYY-9M`` and ``YYYY`` (year). Under the Ministry's convention a period's data
window runs from the 15th of the month before its first month to the 14th of its
last month (a month ``2025-03`` covers 15/02/2025 - 14/03/2025); under the
calendar convention it covers whole months.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from config.errors import CchcError
from config.folding import fold

PeriodKind = Literal["month", "quarter", "half", "nine_months", "year"]
Convention = Literal["ministry", "calendar"]


class PeriodError(CchcError, ValueError):
    """A period label that cannot be read; the message is in Vietnamese."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    first_month: int
    last_month: int
    kind: PeriodKind

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.first_month:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.last_month // 3}"
        if self.kind == "half":
            return f"{self.year}-H1"
        if self.kind == "nine_months":
            return f"{self.year}-9M"
        return f"{self.year}"

    @property
    def label_vi(self) -> str:
        """The period as Vietnamese documents write it: ``tháng 3/2025``, ``quý I/2025``,
        ``6 tháng đầu năm 2025``, ``9 tháng đầu năm 2025``, ``năm 2025``."""
        if self.kind == "month":
            return f"tháng {self.first_month}/{self.year}"
        if self.kind == "quarter":
            return f"quý {_QUARTER_NUMERALS[self.last_month // 3]}/{self.year}"
        if self.kind == "half":
            return f"6 tháng đầu năm {self.year}"
        if self.kind == "nine_months":
            return f"9 tháng đầu năm {self.year}"
        return f"năm {self.year}"

    def window(self, convention: Convention = "ministry") -> tuple[date, date]:
        """First and last day (inclusive) of the data this period covers."""
        if convention == "calendar":
            last_day = calendar.monthrange(self.year, self.last_month)[1]
            return date(self.year, self.first_month, 1), date(self.year, self.last_month, last_day)
        start_year, start_month = _previous_month(self.year, self.first_month)
        return date(start_year, start_month, 15), date(self.year, self.last_month, 14)

    def start(self, convention: Convention = "ministry") -> date:
        return self.window(convention)[0]

    def end(self, convention: Convention = "ministry") -> date:
        return self.window(convention)[1]

    def due_date(self, due_day: int, convention: Convention = "ministry") -> date:
        """The day agencies must have submitted by: the first ``due_day`` after the data
        window has ended (ministry: May runs to 14 May, due 18 May; calendar: May runs
        to 31 May, due 18 June). A due day falling on the window's last day is a month on.
        """
        if not 1 <= due_day <= 28:
            raise ValueError(f"due_day must be between 1 and 28, not {due_day}")
        end = self.end(convention)
        if end.day < due_day:
            return date(end.year, end.month, due_day)
        year, month = (end.year + 1, 1) if end.month == 12 else (end.year, end.month + 1)
        return date(year, month, due_day)

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        if self.kind == "month":
            year, month = _previous_month(self.year, self.first_month)
            return month_period(year, month)
        if self.kind == "quarter":
            if self.first_month == 1:
                return Period(self.year - 1, 10, 12, "quarter")
            return Period(self.year, self.first_month - 3, self.last_month - 3, "quarter")
        return Period(self.year - 1, self.first_month, self.last_month, self.kind)

    def months(self) -> list[Period]:
        return [month_period(self.year, m) for m in range(self.first_month, self.last_month + 1)]

    def __str__(self) -> str:
        return self.label


def month_period(year: int, month: int) -> Period:
    return Period(year, month, month, "month")


def _previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


_CANONICAL = [
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})-q([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})-h1$"), "half"),
    (re.compile(r"^(\d{4})-9m$"), "nine_months"),
    (re.compile(r"^(\d{4})$"), "year"),
]
_MONTH_YEAR = re.compile(r"^(?:thang\s*)?(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_MONTH_WORDS = re.compile(r"^thang\s*(\d{1,2})\s*(?:nam|/)\s*(\d{4})$")
_QUARTER_WORDS = re.compile(r"^quy\s*([1-4]|i{1,3}|iv)\s*(?:nam|/)\s*(\d{4})$")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_QUARTER_NUMERALS = {1: "I", 2: "II", 3: "III", 4: "IV"}


def parse_period(text: object) -> Period:
    """Read a period as agencies write it.

    Accepts the canonical labels and, for months, ``03/2025``, ``3/2025``,
    ``Tháng 3/2025``, ``Tháng 3 năm 2025`` and ``2025-03``; for quarters also
    ``Quý 1/2025`` or ``Quý I năm 2025``. Every kind must name a year from
    ``MIN_YEAR`` to ``MAX_YEAR`` (``0000`` or ``9999`` are not periods).
    """
    raw = "" if text is None else str(text)
    folded = fold(raw)
    if not folded:
        raise PeriodError("Kỳ báo cáo bị bỏ trống")
    return _checked_year(_parse_folded(folded, raw), raw)


MIN_YEAR, MAX_YEAR = 2000, 2100


def _checked_year(period: Period, raw: str) -> Period:
    if not MIN_YEAR <= period.year <= MAX_YEAR:
        raise PeriodError(f"Kỳ báo cáo «{raw}» không có thật (năm phải từ {MIN_YEAR} "
                          f"đến {MAX_YEAR})")
    return period


def _parse_folded(folded: str, raw: str) -> Period:
    for pattern, kind in _CANONICAL:
        match = pattern.match(folded)
        if not match:
            continue
        year = int(match.group(1))
        if kind == "month":
            return _checked_month(year, int(match.group(2)), raw)
        if kind == "quarter":
            q = int(match.group(2))
            return Period(year, 3 * q - 2, 3 * q, "quarter")
        if kind == "half":
            return Period(year, 1, 6, "half")
        if kind == "nine_months":
            return Period(year, 1, 9, "nine_months")
        return Period(year, 1, 12, "year")
    for pattern in (_MONTH_YEAR, _MONTH_WORDS):
        match = pattern.match(folded)
        if match:
            return _checked_month(int(match.group(2)), int(match.group(1)), raw)
    match = _QUARTER_WORDS.match(folded)
    if match:
        token = match.group(1)
        q = int(token) if token.isdigit() else _ROMAN[token]
        return Period(int(match.group(2)), 3 * q - 2, 3 * q, "quarter")
    raise PeriodError(
        f"Kỳ báo cáo «{raw}» không đúng định dạng (ví dụ đúng: 03/2025, Tháng 3/2025, 2025-03, "
        "2025-Q1, 2025-H1, 2025-9M, 2025)"
    )


def _checked_month(year: int, month: int, raw: str) -> Period:
    if not 1 <= month <= 12:
        raise PeriodError(f"Kỳ báo cáo «{raw}» không có thật (tháng phải từ 1 đến 12)")
    return month_period(year, month)


def last_closed_month(today: date, convention: Convention = "ministry") -> Period:
    """The most recent month whose data window has ended before ``today``."""
    candidate = month_period(today.year, today.month)
    while candidate.end(convention) >= today:
        candidate = candidate.previous()
    return candidate


_NAME_PERIODS = (
    (re.compile(r"(?<![0-9q])(20\d{2})[-_.](0?[1-9]|1[0-2])(?!\d)"), "ym"),
    (re.compile(r"(?<![0-9q])(0?[1-9]|1[0-2])[-_.](20\d{2})(?!\d)"), "my"),
    (re.compile(r"(?<!\d)(20\d{2})[-_.]?q([1-4])(?!\d)"), "yq"),
    (re.compile(r"q([1-4])[-_.]?(20\d{2})(?!\d)"), "qy"),
)


def period_in_name(name: str) -> Period | None:
    """The one period a file's name states (``…-2025-05.xlsx``, ``…_05.2025…``, ``…2025Q2…``,
    ``…q2-2025…``), or None when it states none or more than one.

    A number counts only on its own (not inside a longer run of digits); the extension is
    ignored. The one rule for agency files and portal exports alike.
    """
    stem = fold(name.rsplit(".", 1)[0] if "." in name else name)
    found: set[Period] = set()
    for pattern, order in _NAME_PERIODS:
        for match in pattern.finditer(stem):
            a, b = int(match.group(1)), int(match.group(2))
            if order in ("ym", "my"):
                year, month = (a, b) if order == "ym" else (b, a)
                found.add(month_period(year, month))
            else:
                year, quarter = (a, b) if order == "yq" else (b, a)
                found.add(Period(year, 3 * quarter - 2, 3 * quarter, "quarter"))
    return found.pop() if len(found) == 1 else None
