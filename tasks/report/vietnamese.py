"""Numbers, dates, periods and target comparisons written the Vietnamese way.

``1234.5`` → ``1.234,5``; a rate ``43.214`` → ``43,21 %``; a date → ``ngày 16 tháng 4 năm
2025`` (Nghị định 30/2020/NĐ-CP: days below 10 and the months 1 and 2 take a leading zero,
``ngày 05 tháng 02 năm 2025``); periods → ``tháng 3/2025``, ``quý I/2025``, ``6 tháng đầu năm
2025``, ``9 tháng đầu năm 2025``, ``năm 2025``; a target's ``>=`` → ``≥``.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal

from tasks.model.periods import Period, parse_period

NO_DATA = "không có số liệu"


def number(value: float | None, decimals: int = 2) -> str:
    """``1234`` → ``1.234``, ``1234.5`` → ``1.234,5``, ``-0.125`` → ``-0,13``.

    At most ``decimals`` decimals (rounded half up), trailing zeros dropped; ``None`` or a
    value that is not finite → :data:`NO_DATA`. Never raises: a value too large for the
    report (``1e26``, an integer of 400 digits) is still written out, digit by digit, and
    anything that is not a number at all reads :data:`NO_DATA`.
    """
    if value is None or isinstance(value, bool):
        return NO_DATA
    try:
        exact = Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))
    except (TypeError, ValueError, OverflowError, ArithmeticError):
        return NO_DATA
    if not exact.is_finite():
        return NO_DATA
    places = max(0, min(int(decimals), 20))
    # enough digits for any float (at most 309 before the point) or any integer given
    context = Context(prec=max(exact.adjusted(), 0) + places + 2, rounding=ROUND_HALF_UP,
                      Emax=MAX_EMAX, Emin=MIN_EMIN)
    rounded = exact.quantize(Decimal(1).scaleb(-places), context=context)
    if rounded == 0:
        rounded = abs(rounded)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    fraction = fraction.rstrip("0")
    head = len(whole) % 3 or 3  # grouped as text: int() refuses over 4,300 digits
    groups = ".".join([whole[:head]] + [whole[i:i + 3] for i in range(head, len(whole), 3)])
    return sign + groups + ("," + fraction if fraction else "")


def percent(value: float | None, decimals: int = 2) -> str:
    """A rate 0-100 as ``43,21 %`` (``None`` → :data:`NO_DATA`); never raises."""
    written = number(value, decimals)
    return written if written == NO_DATA else f"{written} %"


# how a target's comparison is written in the report (``>=`` → ``≥``); "==" reads "="
_COMPARISONS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "==": "="}


def comparison(op: str | None) -> str:
    """A target's operator as the report writes it: ``>=`` → ``≥``, ``<=`` → ``≤``; an
    operator it does not know is written as given (without surrounding blanks)."""
    given = (op or "").strip()
    return _COMPARISONS.get(given, given)


def _finite(value: float | None) -> bool:
    """A number a change can be computed from (a huge integer is not: no float holds it)."""
    try:
        return value is not None and math.isfinite(value)
    except (TypeError, OverflowError):
        return False


def change_in_points(current: float | None, previous: float | None) -> str | None:
    """``tăng 2,5 điểm %`` / ``giảm 1 điểm %`` / ``không đổi``; ``None`` when either is missing."""
    if not (_finite(current) and _finite(previous)):
        return None
    assert current is not None and previous is not None
    delta = round(current - previous, 2)
    if delta == 0:
        return "không đổi"
    return f"{'tăng' if delta > 0 else 'giảm'} {number(abs(delta))} điểm %"


def change_in_count(current: float | None, previous: float | None) -> str | None:
    """``tăng 3`` / ``giảm 1.200`` / ``không đổi``; ``None`` when either is missing."""
    if not (_finite(current) and _finite(previous)):
        return None
    assert current is not None and previous is not None
    delta = current - previous
    if delta == 0:
        return "không đổi"
    return f"{'tăng' if delta > 0 else 'giảm'} {number(abs(delta))}"


def long_date(day: date) -> str:
    """``ngày 16 tháng 4 năm 2025``; ``ngày 05 tháng 02 năm 2025`` (leading zeros per NĐ 30)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_and_date(place: str, day: date) -> str:
    """``An Giang, ngày 16 tháng 4 năm 2025``."""
    return f"{place}, {long_date(day)}"


def short_date(day: date | None) -> str:
    """``16/04/2025`` (for table cells); ``None`` → empty."""
    return "" if day is None else day.strftime("%d/%m/%Y")


def period_phrase(period: str | Period) -> str:
    """``2025-03`` → ``tháng 3/2025``, ``2025-Q1`` → ``quý I/2025``, ``2025-H1`` → ``6 tháng
    đầu năm 2025``, ``2025-9M`` → ``9 tháng đầu năm 2025``, ``2025`` → ``năm 2025``
    (:attr:`Period.label_vi`)."""
    return (period if isinstance(period, Period) else parse_period(period)).label_vi
