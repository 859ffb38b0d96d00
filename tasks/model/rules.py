"""The reporting rules in force: one immutable object, built once from the settings.

Which days a period's data covers, when its reports are due, and which units report
for it are decided here and only here; validation, templates, expected reporters and
timeliness all ask the same :class:`ReportingRules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from config.registry import Agency, Registry
from config.settings import DEFAULT_TIMEZONE
from tasks.model.periods import Convention, Period, last_closed_month

if TYPE_CHECKING:
    from config.settings import Settings


@dataclass(frozen=True)
class ReportingRules:
    """Period convention, due day and the province's time zone."""

    convention: Convention = "ministry"
    due_day: int = 18
    timezone: str = DEFAULT_TIMEZONE

    def __post_init__(self) -> None:
        if not 1 <= self.due_day <= 28:
            raise ValueError(f"hạn nộp (CCHC_DUE_DAY) phải từ ngày 1 đến ngày 28, "
                             f"không phải {self.due_day}")
        ZoneInfo(self.timezone)  # an unknown zone fails here, when the rules are built

    @classmethod
    def from_settings(cls, settings: Settings) -> ReportingRules:
        """The rules the settings configure (called once, in a composition root)."""
        return cls(settings.period_convention, settings.due_day, settings.timezone)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def window(self, period: Period) -> tuple[date, date]:
        """First and last day (inclusive) of the data ``period`` covers."""
        return period.window(self.convention)

    def due_date(self, period: Period) -> date:
        """The first ``due_day`` after the period's data window has ended."""
        return period.due_date(self.due_day, self.convention)

    def due_at(self, period: Period) -> datetime:
        """The end of the due day in the province's time zone (files must arrive before)."""
        day_after = self.due_date(period) + timedelta(days=1)
        return datetime.combine(day_after, time(0), self.zone)

    def is_late(self, arrived_at: datetime, period: Period) -> bool:
        return arrived_at >= self.due_at(period)

    def reports_for(self, agency: Agency, period: Period) -> bool:
        """Whether ``agency`` may report for ``period``: it exists at some point in the
        period's data window. (Whether it *must* is its kind's rule: see
        :meth:`expected_units`.)"""
        return agency.valid_between(*self.window(period))

    def expected_units(self, registry: Registry, period: Period) -> list[Agency]:
        """The units that must report for ``period`` (their kind says so), in registry
        order: they count in the submission rate and are "chưa nộp" without a file."""
        return [a for a in registry.agencies
                if self.reports_for(a, period) and registry.must_submit(a)]

    def not_reporting_reason(self, registry: Registry, agency: Agency, period: Period) -> str:
        """Why ``agency`` does not report for ``period``, naming its successors when it has
        closed (for receipts, templates and the CLI), in Vietnamese."""
        start, end = self.window(period)
        head = (f"đơn vị {agency.code} ({agency.name}) không hoạt động trong kỳ {period.label}"
                f" (số liệu từ {start:%d/%m/%Y} đến {end:%d/%m/%Y})")
        if agency.valid_to is not None and agency.valid_to < start:
            closed = agency.valid_to + timedelta(days=1)
            successors = registry.successor_names(agency)
            tail = f"; đơn vị kế thừa: {', '.join(successors)}" if successors else ""
            return f"{head}: {agency.name} kết thúc hoạt động từ {closed:%d/%m/%Y}{tail}"
        if agency.valid_from is not None and agency.valid_from > end:
            return f"{head}: {agency.name} bắt đầu hoạt động từ {agency.valid_from:%d/%m/%Y}"
        return head

    def last_closed_month(self, today: date) -> Period:
        """The most recent month whose data window has ended before ``today``."""
        return last_closed_month(today, self.convention)

    def today(self, now: datetime) -> date:
        """The province's calendar day at instant ``now``."""
        return now.astimezone(self.zone).date()
