from datetime import date

import pytest

from tasks.model.periods import PeriodError, last_closed_month, parse_period, period_in_name


@pytest.mark.parametrize("text", ["03/2025", "3/2025", "Tháng 3/2025", "tháng 3 năm 2025",
                                  "2025-03", "THÁNG  3 / 2025"])
def test_month_spellings(text: str) -> None:
    assert parse_period(text).label == "2025-03"


@pytest.mark.parametrize(("text", "label"), [
    ("2025-Q1", "2025-Q1"), ("Quý II/2025", "2025-Q2"), ("2025-H1", "2025-H1"),
    ("2025-9M", "2025-9M"), ("2025", "2025"),
])
def test_other_kinds(text: str, label: str) -> None:
    assert parse_period(text).label == label


@pytest.mark.parametrize("bad", ["13/2025", "2025-00", "", "tháng ba", "2025-Q5"])
def test_unreal_periods(bad: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(bad)


def test_ministry_window_runs_15th_to_14th() -> None:
    assert parse_period("2025-03").window() == (date(2025, 2, 15), date(2025, 3, 14))
    assert parse_period("2025-01").window() == (date(2024, 12, 15), date(2025, 1, 14))
    assert parse_period("2025-H1").window() == (date(2024, 12, 15), date(2025, 6, 14))
    assert parse_period("2025").window() == (date(2024, 12, 15), date(2025, 12, 14))


def test_calendar_window() -> None:
    assert parse_period("2025-02").window("calendar") == (date(2025, 2, 1), date(2025, 2, 28))


def test_last_closed_month() -> None:
    assert last_closed_month(date(2025, 3, 14)).label == "2025-02"
    assert last_closed_month(date(2025, 3, 15)).label == "2025-03"
    assert last_closed_month(date(2025, 3, 15), "calendar").label == "2025-02"
    assert last_closed_month(date(2025, 1, 5)).label == "2024-12"


def test_due_date_and_previous() -> None:
    period = parse_period("2025-01")
    assert period.due_date(18) == date(2025, 1, 18)
    assert period.previous().label == "2024-12"
    assert parse_period("2025-Q1").previous().label == "2024-Q4"


@pytest.mark.parametrize("bad", ["0000", "0000-Q1", "0000-H1", "0000-9M", "0000-01",
                                 "Quý I năm 0000", "12/1999", "2101", "9999-Q4"])
def test_years_outside_2000_2100_are_not_periods(bad: str) -> None:
    with pytest.raises(PeriodError, match="năm phải từ 2000 đến 2100"):
        parse_period(bad)


@pytest.mark.parametrize(("name", "label"), [
    ("bao-cao-cchc-2025-05.xlsx", "2025-05"),
    ("so-lieu-cong-2025_05.xlsx", "2025-05"),
    ("thong-ke-05.2025.xls", "2025-05"),
    ("Thống kê Q2-2025.csv", "2025-Q2"),
    ("tong-hop-2025q3.xlsx", "2025-Q3"),
])
def test_period_in_name_reads_the_one_period_a_name_states(name: str, label: str) -> None:
    found = period_in_name(name)
    assert found is not None and found.label == label


@pytest.mark.parametrize("name", [
    "bao-cao-2025-04-va-2025-05.xlsx",  # two periods: which one is meant is not known
    "so-lieu-202505.xlsx",  # digits run together: could be anything
    "bao-cao.xlsx",
    "ma-12025-05.xlsx",  # the year is part of a longer number
])
def test_period_in_name_is_none_when_the_name_is_not_clear(name: str) -> None:
    assert period_in_name(name) is None
