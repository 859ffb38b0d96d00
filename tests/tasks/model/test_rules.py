"""The reporting rules at the edges of periods; every date and list worked out by hand.

Real registry: 11 district People's Committees closed 30/06/2025, 102 communes from
01/07/2025; 7 departments closed 28/02/2025 (SKHDT, SLDTBXH, STTTT, STNMT, SNNPTNT,
SGTVT, BDT); 14 departments open now, 2 of them (SNNMT, SDTTG) from 01/03/2025; the
press (BAG, DPTTH), the Fatherland Front and the mass organisations may report on their
tasks but are not expected every period.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from config.registry import Registry
from config.settings import load_settings
from flows.resources import build_resources
from tasks.intake.reader import read_submission
from tasks.intake.template import TemplateRefused, build_workbook
from tasks.intake.validation import validate_submission
from tasks.model.periods import parse_period
from tasks.model.rules import ReportingRules
from tasks.model.submission import Submission
from tests.builders import submission_or_problems, write_submission

MINISTRY = ReportingRules()
CALENDAR = ReportingRules(convention="calendar")
DISTRICTS = {"UBND-LX", "UBND-CD", "UBND-TC", "UBND-TB", "UBND-AP", "UBND-CP", "UBND-CT",
             "UBND-CM", "UBND-PT", "UBND-TS", "UBND-TT"}
CLOSED_FEB = {"SKHDT", "SLDTBXH", "STTTT", "STNMT", "SNNPTNT", "SGTVT", "BDT"}
OPEN_DEPARTMENTS = {"SNV", "STP", "STC", "SKHCN", "SVHTTDL", "SGDDT", "VPUBND", "SCT",
                    "SNNMT", "SXD", "SYT", "TTT", "SDTTG", "SNGV"}


@pytest.fixture(scope="module")
def communes(registry: Registry) -> set[str]:
    found = {a.code for a in registry.agencies if a.kind == "ubnd-xa"}
    assert len(found) == 102
    return found


# --- due dates -----------------------------------------------------------------------

@pytest.mark.parametrize(("label", "due"), [
    ("2025-05", date(2025, 5, 18)),    # window 15/04-14/05
    ("2025-Q1", date(2025, 3, 18)),    # window 15/12/2024-14/03/2025
    ("2025-H1", date(2025, 6, 18)),
    ("2025", date(2025, 12, 18)),      # window to 14/12/2025
])
def test_ministry_due_dates(label: str, due: date) -> None:
    assert MINISTRY.due_date(parse_period(label)) == due


@pytest.mark.parametrize(("label", "due"), [
    ("2025-05", date(2025, 6, 18)),    # window 01/05-31/05: due after the data ends
    ("2025-02", date(2025, 3, 18)),
    ("2025-12", date(2026, 1, 18)),
    ("2025-Q2", date(2025, 7, 18)),    # window 01/04-30/06
    ("2025-9M", date(2025, 10, 18)),
    ("2025", date(2026, 1, 18)),
])
def test_calendar_due_date_falls_after_the_window(label: str, due: date) -> None:
    period = parse_period(label)
    assert CALENDAR.due_date(period) == due
    assert CALENDAR.due_date(period) > CALENDAR.window(period)[1]


def test_due_day_on_the_window_end_moves_a_month_on() -> None:
    assert ReportingRules(due_day=14).due_date(parse_period("2025-05")) == date(2025, 6, 14)
    assert ReportingRules(due_day=10).due_date(parse_period("2025-05")) == date(2025, 6, 10)


def test_due_at_is_the_end_of_the_due_day_in_the_province() -> None:
    # 19/05/2025 00:00 in Hồ Chí Minh City (UTC+7) is 18/05 17:00 UTC
    assert MINISTRY.due_at(parse_period("2025-05")) == datetime(2025, 5, 18, 17, tzinfo=UTC)
    assert CALENDAR.due_at(parse_period("2025-05")) == datetime(2025, 6, 18, 17, tzinfo=UTC)


def test_calendar_file_sent_after_the_month_is_on_time() -> None:
    may = parse_period("2025-05")
    assert not CALENDAR.is_late(datetime(2025, 6, 2, 3, tzinfo=UTC), may)
    assert not CALENDAR.is_late(datetime(2025, 6, 18, 16, 59, tzinfo=UTC), may)
    assert CALENDAR.is_late(datetime(2025, 6, 18, 17, tzinfo=UTC), may)
    assert MINISTRY.is_late(datetime(2025, 6, 2, 3, tzinfo=UTC), may)


def test_rules_reject_a_bad_due_day() -> None:
    with pytest.raises(ValueError):
        ReportingRules(due_day=31)


# --- who reports -----------------------------------------------------------------------

def _codes(registry: Registry, rules: ReportingRules, label: str) -> set[str]:
    return {a.code for a in rules.expected_units(registry, parse_period(label))}


def test_districts_closed_30_june_report_for_july_under_the_ministry(
        registry: Registry, communes: set[str]) -> None:
    # July's window (15/06-14/07) holds the districts' last days and the communes' first
    assert _codes(registry, MINISTRY, "2025-07") == OPEN_DEPARTMENTS | DISTRICTS | communes
    assert _codes(registry, MINISTRY, "2025-06") == OPEN_DEPARTMENTS | DISTRICTS
    assert _codes(registry, MINISTRY, "2025-08") == OPEN_DEPARTMENTS | communes
    assert _codes(registry, CALENDAR, "2025-07") == OPEN_DEPARTMENTS | communes
    assert _codes(registry, MINISTRY, "2026-10") == OPEN_DEPARTMENTS | communes


def test_departments_closed_28_february_report_for_march(registry: Registry) -> None:
    assert _codes(registry, MINISTRY, "2025-03") == OPEN_DEPARTMENTS | DISTRICTS | CLOSED_FEB
    assert _codes(registry, MINISTRY, "2025-04") == OPEN_DEPARTMENTS | DISTRICTS
    assert _codes(registry, CALENDAR, "2025-03") == OPEN_DEPARTMENTS | DISTRICTS
    # opened 01/03/2025: not in February
    assert not {"SNNMT", "SDTTG"} & _codes(registry, MINISTRY, "2025-02")


def test_units_not_expected_may_still_report_on_their_tasks(registry: Registry) -> None:
    may = parse_period("2025-05")
    for code in ("MTTQ", "TDOAN", "HLHPN", "BAG"):
        unit = registry.agency(code)
        assert unit is not None and MINISTRY.reports_for(unit, may)
        assert code not in _codes(registry, MINISTRY, "2025-05")


# --- validation and templates ask the same rule ----------------------------------------

def test_district_file_for_july_2025_is_accepted(tmp_path: Path, registry: Registry) -> None:
    july = parse_period("2025-07")
    path = write_submission(tmp_path / "lx.xlsx", registry, "UBND-LX", period=july,
                            metrics={"kiem_tra_cchc": 1})
    result = submission_or_problems(
        validate_submission(read_submission(path), registry, today=date(2025, 7, 20),
                            folder_agency="UBND-LX", rules=ReportingRules()))
    assert isinstance(result, Submission), result
    assert (result.agency_code, result.period.label) == ("UBND-LX", "2025-07")


def test_department_closed_in_february_is_accepted_for_march(tmp_path: Path,
                                                             registry: Registry) -> None:
    path = write_submission(tmp_path / "skhdt.xlsx", registry, "SKHDT",
                            period=parse_period("2025-03"), metrics={"kiem_tra_cchc": 1})
    result = submission_or_problems(
        validate_submission(read_submission(path), registry, today=date(2025, 3, 20),
                            folder_agency="SKHDT", rules=MINISTRY))
    assert isinstance(result, Submission), result


def test_validation_follows_the_configured_convention(tmp_path: Path,
                                                      registry: Registry) -> None:
    july = parse_period("2025-07")
    path = write_submission(tmp_path / "lx.xlsx", registry, "UBND-LX", period=july)
    result = submission_or_problems(
        validate_submission(read_submission(path), registry, today=date(2025, 8, 5),
                                 folder_agency="UBND-LX", rules=CALENDAR))
    assert isinstance(result, list) and len(result) == 1
    assert result[0].column == "Mã đơn vị"
    assert "không hoạt động trong kỳ 2025-07" in result[0].message
    assert "01/07/2025 đến 31/07/2025" in result[0].message
    # the receipt names the successors: the communes that took over Long Xuyên city
    assert "kết thúc hoạt động từ 01/07/2025; đơn vị kế thừa: " in result[0].message
    assert "Phường Long Xuyên (X30307)" in result[0].message


def test_template_for_a_unit_in_its_last_period(registry: Registry) -> None:
    workbook = build_workbook(registry, "UBND-LX", parse_period("2025-07"), rules=MINISTRY)
    assert workbook["Thông tin"]["B3"].value == "UBND-LX"
    assert workbook["Thông tin"]["B5"].value == "2025-07"
    build_workbook(registry, "SKHDT", parse_period("2025-03"), rules=MINISTRY)


@pytest.mark.parametrize(("code", "label", "fragment"), [
    ("UBND-LX", "2025-08", "không hoạt động trong kỳ 2025-08"),
    ("UBND-CT", "2026-10", "UBND huyện Châu Thành kết thúc hoạt động từ 01/07/2025; "
                           "đơn vị kế thừa: Xã An Châu (X30589)"),
    ("SKHDT", "2025-04", "kết thúc hoạt động từ 01/03/2025; đơn vị kế thừa: Sở Tài chính"),
    ("SNNMT", "2025-02", "bắt đầu hoạt động từ 01/03/2025"),
    ("X30307", "2025-06", "bắt đầu hoạt động từ 01/07/2025"),
])
def test_template_refused_for_a_unit_not_reporting(registry: Registry, code: str, label: str,
                                                   fragment: str) -> None:
    with pytest.raises(TemplateRefused, match=re.escape(fragment)):
        build_workbook(registry, code, parse_period(label), rules=MINISTRY)


def test_cli_template_uses_the_configured_rules(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CCHC_PERIOD_CONVENTION", raising=False)
    runner = CliRunner()
    out = tmp_path / "lx-07.xlsx"
    ok = runner.invoke(app, ["template", "--agency", "UBND-LX", "--period", "2025-07",
                             "--output", str(out)])
    assert ok.exit_code == 0, ok.output
    assert out.exists()
    refused = runner.invoke(app, ["template", "--agency", "UBND-LX", "--period", "2025-08",
                                  "--output", str(tmp_path / "lx-08.xlsx")])
    assert refused.exit_code == 2
    assert not (tmp_path / "lx-08.xlsx").exists()
    monkeypatch.setenv("CCHC_PERIOD_CONVENTION", "calendar")
    calendar = runner.invoke(app, ["template", "--agency", "UBND-LX", "--period", "2025-07",
                                   "--output", str(tmp_path / "lx-07-cal.xlsx")])
    assert calendar.exit_code == 2
    assert not (tmp_path / "lx-07-cal.xlsx").exists()


def test_composition_root_builds_the_rules_from_the_settings(tmp_path: Path) -> None:
    settings = load_settings(workspace=tmp_path / "ws", period_convention="calendar",
                             due_day=20, database_url=f"sqlite:///{tmp_path / 'cchc.db'}")
    res = build_resources(settings)
    try:
        assert res.rules == ReportingRules("calendar", 20, "Asia/Ho_Chi_Minh")
        # calendar May runs to 31/05: its reports are due 20/06
        assert res.rules.due_date(parse_period("2025-05")) == date(2025, 6, 20)
    finally:
        res.db.dispose()


def test_default_rules_are_the_default_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    # the tests and the demo write their files under ReportingRules(): they must be the
    # rules of the default settings
    for name in ("CCHC_PERIOD_CONVENTION", "CCHC_DUE_DAY", "CCHC_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    assert ReportingRules.from_settings(load_settings()) == ReportingRules()
