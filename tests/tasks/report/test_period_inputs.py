"""Gathering a period's inputs: its own rows, and the rejected files the report lists."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.database import Database
from tasks.model.periods import parse_period
from tasks.model.problems import Problem
from tasks.model.records import FileMeta
from tasks.model.rules import ReportingRules
from tasks.report.period_inputs import gather_inputs


def _reject(db: Database, name: str, period: str | None, arrived_at: datetime) -> None:
    meta = FileMeta("inbox", "SNV", name, f"/inbox/SNV/{name}", f"hash-{name}", arrived_at,
                    arrived_at)
    db.add_rejection(meta, period, f"/quarantine/{name}", [Problem("không đọc được")])


def test_an_empty_month_gathers_nothing_and_says_it_has_no_portal_figures(
        db: Database) -> None:
    inputs, portal, rejections = gather_inputs(db, parse_period("2025-05"),
                                               rules=ReportingRules())
    assert (inputs.submissions, inputs.portal, portal, rejections) == ([], None, None, [])


def test_files_without_a_readable_period_count_only_within_the_reporting_window(
        db: Database) -> None:
    _reject(db, "cua-ky.xlsx", "2025-05", datetime(2025, 1, 1, tzinfo=UTC))
    # May's data window is 15/4-14/5 (ReportingRules' default), files are due by 18/5
    _reject(db, "trong-ky.xlsx", None, datetime(2025, 5, 10, tzinfo=UTC))
    _reject(db, "truoc-ky.xlsx", None, datetime(2025, 4, 10, tzinfo=UTC))
    _reject(db, "sau-han.xlsx", None, datetime(2025, 5, 20, tzinfo=UTC))
    _, _, rejections = gather_inputs(db, parse_period("2025-05"), rules=ReportingRules())
    assert [r.file_name for r in rejections] == ["cua-ky.xlsx", "trong-ky.xlsx"]
