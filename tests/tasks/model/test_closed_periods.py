"""Which period a scheduled run reports: the windows of /work/shared/domain.md by hand."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from config.settings import Settings
from flows.period_run import is_provisional, report_period
from tasks.model.closed_periods import PeriodNotClosed, check_closed, last_closed_period
from tasks.model.periods import Period, last_closed_month, month_period, parse_period
from tasks.model.rules import ReportingRules
from tests.paths import REPO


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


# A period whose data window has not ended is refused before anything is collected,
# unless it is the open period and the operator asks for a provisional report (issue 22,
# point 10).


TODAY = date(2026, 12, 6)  # December 2026 (15/11 - 14/12) is open


@pytest.mark.parametrize(("label", "last_closed"), [
    ("2027-01", "2026-11"), ("2027-Q1", "2026-Q3"), ("2027", "2025"), ("2027-H1", "2026-H1")])
def test_a_period_not_yet_begun_is_refused_even_with_the_option(label: str,
                                                                last_closed: str) -> None:
    for open_period in (False, True):
        with pytest.raises(PeriodNotClosed, match=rf"«{label}» .* chưa bắt đầu") as refused:
            check_closed(parse_period(label), TODAY, open_period=open_period)
        assert "hôm nay 06/12/2026" in str(refused.value)
        assert f"kỳ gần nhất đã kết thúc là {last_closed}." in str(refused.value)


@pytest.mark.parametrize("label", ["2026-12", "2026-Q4", "2026"])
def test_the_open_period_needs_the_option(label: str) -> None:
    with pytest.raises(PeriodNotClosed, match=r"chưa kết thúc.*--open-period"):
        check_closed(parse_period(label), TODAY)
    check_closed(parse_period(label), TODAY, open_period=True)  # allowed: no exception


def test_closed_periods_pass_and_the_last_day_of_the_window_is_still_open() -> None:
    for label in ("2026-11", "2026-Q3", "2025", "2026-9M", "2026-H1"):
        check_closed(parse_period(label), TODAY)
    december = parse_period("2026-12")
    with pytest.raises(PeriodNotClosed):
        check_closed(december, date(2026, 12, 14))
    check_closed(december, date(2026, 12, 15))
    with pytest.raises(PeriodNotClosed):  # calendar months run to their last day
        check_closed(parse_period("2026-11"), date(2026, 11, 30), "calendar")


def test_the_flow_period_uses_the_province_day(tmp_path: Path) -> None:
    rules = ReportingRules.from_settings(Settings(workspace=tmp_path / "ws"))
    # 17:30 UTC on 14/12 is already 15/12 in Asia/Ho_Chi_Minh: December has closed there
    late = datetime(2026, 12, 14, 17, 30, tzinfo=UTC)
    assert report_period("2026-12", "month", rules, late) == parse_period("2026-12")
    assert not is_provisional(parse_period("2026-12"), rules, late)
    early = datetime(2026, 12, 14, 16, 30, tzinfo=UTC)  # 23:30 on 14/12 there
    with pytest.raises(PeriodNotClosed) as refused:
        report_period("2026-12", "month", rules, early)
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    assert report_period("2026-12", "month", rules, early, open_period=True) \
        == parse_period("2026-12")
    assert is_provisional(parse_period("2026-12"), rules, early)
    with pytest.raises(PeriodNotClosed, match="chưa bắt đầu"):
        report_period("01/2027", "month", rules, early, open_period=True)
    assert not (tmp_path / "ws").exists()


def _open_and_next_month() -> tuple[Period, Period]:
    """The month open today in the province, and the one after it (not begun)."""
    today = ReportingRules().today(datetime.now(UTC))
    closed = ReportingRules().last_closed_month(today)
    year, month = (closed.year + 1, 1) if closed.first_month == 12 else (
        closed.year, closed.first_month + 1)
    opened = month_period(year, month)
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return opened, month_period(year, month)


def _cchc(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO),
               PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env.pop("CCHC_PERIOD_CONVENTION", None)
    return subprocess.run([sys.executable, "-c", "from cli.main import app; app()", *args],
                          capture_output=True, text=True, env=env, timeout=300, check=False)


def test_cchc_run_refuses_a_future_period_before_prefect_starts(tmp_path: Path) -> None:
    opened, future = _open_and_next_month()
    for args in (["--period", future.label], ["--period", future.label, "--open-period"],
                 ["--period", opened.label], ["--open-period"]):
        done = _cchc("run", *args, "--workspace", str(tmp_path / "ws"))
        output = (done.stdout + done.stderr).strip()
        assert done.returncode == 2, (args, output)
        assert "Traceback" not in output and "Prefect" not in output
        assert len(output.splitlines()) == 1, output
        if args[-1] == "--open-period" and len(args) == 1:
            assert "--open-period cần ghi rõ kỳ" in output
        elif args[1] == future.label:
            assert f"«{future.label}»" in output and "chưa bắt đầu" in output
        else:
            assert f"«{opened.label}»" in output and "chưa kết thúc" in output
            assert "--open-period" in output
    assert not (tmp_path / "ws").exists()  # nothing collected, no folder laid out
