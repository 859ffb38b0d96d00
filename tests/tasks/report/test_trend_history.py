"""The report's trend: earlier months read from the published versions, rebased on today's
units through the crosswalk, the merger of 1/7/2025 marked; shown in the workbook, in
indicators.json and in the chart. Figures worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from config.registry import Registry
from connectors.database import Database
from tasks.model.report import PROVINCE, IndicatorValue, ReportContent
from tasks.model.rules import ReportingRules
from tasks.report.build import BuiltReport
from tasks.report.charts import series_trend_chart
from tasks.report.trend_history import trend_table, with_trend
from tasks.report.trend_sheet import BREAK_VI, SHEET_TREND
from tasks.report.version_files import indicators_document
from tasks.report.workbook import write_report_workbook

ONLINE = "online_filing_rate"


def online(unit: str, numerator: float | None, denominator: float | None) -> IndicatorValue:
    value = numerator / denominator * 100 if numerator is not None and denominator else None
    return IndicatorValue(unit, ONLINE, numerator, denominator, value)


def publish(db: Database, period: str, values: list[IndicatorValue], tmp_path: Path,
            fingerprint: str = "a") -> None:
    claim = db.claim_report_version(period, fingerprint, None, reports_dir=tmp_path / "r")
    db.save_indicator_values(claim.version.id, values)


# June 2025 as reported then: the district Châu Thành, Sở Tư pháp, and Long Xuyên without a
# denominator (left out of a rate); the province's total as the report of that time said it.
JUNE = [online(PROVINCE, 45, 170), online("UBND-CT", 30, 100), online("STP", 10, 50),
        online("UBND-LX", 5, None)]
JULY = [online(PROVINCE, 60, 200), online("X30589", 20, 100), online("STP", 40, 100)]


@pytest.fixture
def built(registry: Registry) -> BuiltReport:
    content = ReportContent(
        period="2025-07", period_label_vi="Tháng 7/2025", version=0,
        generated_at=datetime(2025, 7, 20, tzinfo=UTC), window=(date(2025, 6, 15),
                                                                  date(2025, 7, 14)),
        indicators=JULY, indicator_names=registry.indicator_names(),
        indicator_kinds=registry.indicator_kinds(), unit_names={})
    return BuiltReport(content, [], "fingerprint")


def test_trend_reads_the_latest_version_of_each_month_and_rebases_it(
        db: Database, registry: Registry, built: BuiltReport, tmp_path: Path) -> None:
    publish(db, "2025-06", [online(PROVINCE, 1, 2)], tmp_path, "old")  # v1, superseded
    publish(db, "2025-06", JUNE, tmp_path, "new")  # v2: the one the trend uses
    publish(db, "2024-07", [online(PROVINCE, 1, 1)], tmp_path)  # 13 months back: not used
    trend = with_trend(db, registry, built, rules=ReportingRules()).content.trend
    rows = {(r.period, r.indicator): r for r in trend}
    assert sorted({r.period for r in trend}) == ["2025-06", "2025-07"]
    june = rows[("2025-06", ONLINE)]
    assert june.reported == pytest.approx(45 / 170 * 100)
    # rebased: Châu Thành's 30/100 spread over its five communes (3/13, 2/13, …) and
    # Sở Tư pháp's 10/50: 40/150, Long Xuyên left out (no denominator); never an average
    assert june.rebased_numerator == pytest.approx(40)
    assert june.rebased_denominator == pytest.approx(150)
    assert june.rebased == pytest.approx(40 / 150 * 100)
    assert not june.series_break
    july = rows[("2025-07", ONLINE)]
    assert july.series_break  # the merger of 1/7/2025 lies in July's window
    assert july.reported == pytest.approx(30.0)
    assert july.rebased == pytest.approx(60 / 200 * 100)


def test_the_trend_is_shown_in_workbook_json_table_and_chart(
        db: Database, registry: Registry, built: BuiltReport, tmp_path: Path) -> None:
    publish(db, "2025-06", JUNE, tmp_path)
    content = with_trend(db, registry, built, rules=ReportingRules()).content
    document = indicators_document(content)
    assert [(t["period"], t["series_break"]) for t in document["trend"]
            if t["indicator"] == ONLINE] == [("2025-06", False), ("2025-07", True)]
    path = write_report_workbook(content, tmp_path / "bao-cao.xlsx")
    sheet = openpyxl.load_workbook(path)[SHEET_TREND]
    rows = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]
    july = next(r for r in rows if r[0] == "2025-07" and r[1] == registry.indicator_names()[ONLINE])
    assert july[6] == BREAK_VI
    june = next(r for r in rows if r[0] == "2025-06" and r[1] == registry.indicator_names()[ONLINE])
    assert june[2] == pytest.approx(45 / 170) and june[5] == pytest.approx(40 / 150)
    table = trend_table(content.trend, content.indicator_names, content.indicator_kinds)
    assert any(r["Kỳ"] == "2025-07" and r["Gián đoạn chuỗi"] for r in table)
    chart = series_trend_chart(content)
    assert chart is not None and chart.png.startswith(b"\x89PNG")
