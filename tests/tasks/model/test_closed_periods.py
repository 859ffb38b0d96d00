"""Which period a scheduled run reports: the windows of /work/shared/domain.md by hand."""

from __future__ import annotations

from datetime import date

import pytest

from tasks.model.closed_periods import last_closed_period
from tasks.model.periods import last_closed_month


@pytest.mark.parametrize(("today", "kind", "label"), [
    (date(2026, 3, 19), "quarter", "2026-Q1"),      # Q1 = 15/12/2025 - 14/03/2026
    (date(2026, 3, 14), "quarter", "2025-Q4"),      # the 14th is still inside Q1
    (date(2026, 3, 15), "quarter", "2026-Q1"),
    (date(2026, 1, 10), "quarter", "2025-Q4"),      # Q4 = 15/09 - 14/12/2025
    (date(2026, 6, 19), "half", "2026-H1"),         # 15/12/2025 - 14/06/2026
    (date(2026, 6, 10), "half", "2025-H1"),
    (date(2026, 9, 19), "nine_months", "2026-9M"),  # 15/12/2025 - 14/09/2026
    (date(2026, 9, 1), "nine_months", "2025-9M"),
    (date(2026, 12, 19), "year", "2026"),           # 15/12/2025 - 14/12/2026
    (date(2026, 12, 14), "year", "2025"),
    (date(2026, 1, 5), "year", "2025"),
    (date(2025, 5, 19), "month", "2025-05"),        # 15/04 - 14/05
    (date(2025, 1, 19), "month", "2025-01"),        # 15/12/2024 - 14/01/2025
    (date(2025, 1, 10), "month", "2024-12"),
])
def test_last_closed_period_under_the_ministry_convention(today: date, kind: str,
                                                          label: str) -> None:
    assert last_closed_period(today, kind).label == label  # type: ignore[arg-type]


def test_calendar_convention_closes_at_month_end() -> None:
    assert last_closed_period(date(2026, 12, 19), "year", "calendar").label == "2025"
    assert last_closed_period(date(2026, 4, 2), "quarter", "calendar").label == "2026-Q1"


def test_months_agree_with_last_closed_month() -> None:
    for day in (date(2025, 12, 14), date(2025, 12, 15), date(2026, 2, 28)):
        assert last_closed_period(day, "month") == last_closed_month(day)


def test_a_run_takes_the_province_calendar_day_and_an_explicit_period_wins() -> None:
    from datetime import UTC, datetime

    from config.settings import Settings
    from flows.period_run import report_period
    from tasks.model.rules import ReportingRules

    rules = ReportingRules.from_settings(Settings())
    # 18:30 UTC on 14 March is 01:30 on 15 March in Asia/Ho_Chi_Minh: Q1 has closed
    assert report_period(None, "quarter", rules,
                         now=datetime(2026, 3, 14, 18, 30, tzinfo=UTC)).label == "2026-Q1"
    assert report_period(None, "quarter", rules,
                         now=datetime(2026, 3, 14, 16, 30, tzinfo=UTC)).label == "2025-Q4"
    assert report_period("Quý I/2025", "year", rules,
                         now=datetime(2026, 3, 14, 18, 30, tzinfo=UTC)).label == "2025-Q1"
