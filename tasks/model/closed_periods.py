"""The last closed period of each kind: what a scheduled report covers.

A period is closed once its data window has ended (ministry: on the 14th of its last
month; Q1 runs 15 Dec - 14 Mar, 6 months 15 Dec - 14 Jun, 9 months 15 Dec - 14 Sep,
the year 15 Dec - 14 Dec). A scheduled run on the 19th of March therefore reports Q1
of the same year, and one on the 19th of December the whole year.
"""

from __future__ import annotations

from datetime import date

from tasks.model.periods import Convention, Period, PeriodError, PeriodKind, month_period


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


def is_closed(period: Period, today: date, convention: Convention = "ministry") -> bool:
    """The period's data window ended before ``today``."""
    return period.end(convention) < today


class PeriodNotClosed(PeriodError):
    """A period whose data window has not ended yet; the message is in Vietnamese."""


def check_closed(period: Period, today: date, convention: Convention = "ministry", *,
                 open_period: bool = False) -> None:
    """Refuse (:class:`PeriodNotClosed`) a period whose data window has not ended before
    ``today`` (the province's day), as :func:`last_closed_period` counts it: a period not
    yet begun always, the period now open unless ``open_period`` (a provisional report
    the operator asks for by name)."""
    start, end = period.window(convention)
    if is_closed(period, today, convention):
        return
    is_open = start <= today
    if is_open and open_period:
        return
    last = last_closed_period(today, period.kind, convention)
    window = f"số liệu của kỳ tính từ {start:%d/%m/%Y} đến hết {end:%d/%m/%Y}"
    if is_open:
        raise PeriodNotClosed(
            f"Kỳ báo cáo «{period.label}» ({period.label_vi}) chưa kết thúc ({window}, hôm "
            f"nay {today:%d/%m/%Y}), nên chưa lập báo cáo chính thức; kỳ gần nhất đã kết thúc "
            f"là {last.label}. Muốn xem bản tạm của kỳ đang mở (không gửi Sở Nội vụ), chạy "
            "lại với tùy chọn --open-period (tham số open_period).")
    raise PeriodNotClosed(
        f"Kỳ báo cáo «{period.label}» ({period.label_vi}) chưa bắt đầu ({window}, hôm nay "
        f"{today:%d/%m/%Y}): chưa có số liệu để lập báo cáo; kỳ gần nhất đã kết thúc là "
        f"{last.label}. Hãy kiểm tra lại kỳ báo cáo.")
