from datetime import date, datetime

import pytest

from tasks.sheets.cells import CellError, clean_text, parse_date, parse_number, parse_percent


@pytest.mark.parametrize(("text", "expected"), [
    ("1234.5", 1234.5), ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("1 234", 1234.0),
    ("1.234", 1234.0), ("12,5", 12.5), ("0.85", 0.85), ("7", 7.0), (42, 42.0),
    ("-3", -3.0), ("1.234.567", 1234567.0),
])
def test_numbers_in_either_convention(text: object, expected: float) -> None:
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("bad", ["abc", "", "1.23.4", "12%", True])
def test_not_a_number(bad: object) -> None:
    with pytest.raises(CellError):
        parse_number(bad)


@pytest.mark.parametrize(("value", "expected"), [
    ("85%", 85.0), ("85", 85.0), (85, 85.0), (0.85, 85.0), ("0,85", 85.0), ("100%", 100.0),
    (1, 1.0), (0, 0.0), ("85,5 %", 85.5),
])
def test_percent_rule(value: object, expected: float) -> None:
    assert parse_percent(value) == pytest.approx(expected)


def test_excel_percent_format_is_a_fraction() -> None:
    assert parse_percent(1.0, excel_percent_format=True) == 100.0


@pytest.mark.parametrize(("value", "expected"), [
    ("15/3/2025", date(2025, 3, 15)), ("05-04-2025", date(2025, 4, 5)),
    ("2025-03-15", date(2025, 3, 15)), (45731, date(2025, 3, 15)),
    (datetime(2025, 3, 15, 8, 30), date(2025, 3, 15)),
])
def test_dates(value: object, expected: date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("bad", ["31/02/2025", "tháng 3", "2025/15/03"])
def test_bad_dates(bad: str) -> None:
    with pytest.raises(CellError):
        parse_date(bad)


def test_clean_text_folds_spaces_and_keeps_none() -> None:
    assert clean_text("  Kế  hoạch\n số 1 ") == "Kế hoạch số 1"
    assert clean_text("   ") is None
    assert clean_text(12.0) == "12"
