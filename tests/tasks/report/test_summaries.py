"""The report run's summary in the Prefect UI (tasks/report/summaries.py): unit and file
names show as typed, never as Markdown or HTML."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from tasks.model.report import MissingUnitRow, RejectedFileRow, ReportContent
from tasks.report.publish import ReportOutcome
from tasks.report.summaries import report_markdown
from tasks.report.writer_claim import WRITE_NEW
from tests.markdown_view import HOSTILE, HOSTILE_LINES, assert_inert, render, text_of


def test_report_markdown_shows_hostile_unit_and_file_names_as_text(tmp_path: Path) -> None:
    content = ReportContent(
        period="2025-05", period_label_vi="tháng 5/2025", version=1,
        generated_at=datetime(2025, 6, 1, tzinfo=UTC), window=(date(2025, 5, 1),
                                                               date(2025, 5, 31)),
        indicators=[], indicator_names={}, indicator_kinds={}, unit_names={},
        missing=[MissingUnitRow("X|Y", HOSTILE_LINES, "chưa nộp"),
                 MissingUnitRow("STC", HOSTILE, "nộp muộn", datetime(2025, 6, 2, tzinfo=UTC))],
        rejected=[RejectedFileRow("STP", f"{HOSTILE}.csv", datetime(2025, 5, 3, tzinfo=UTC),
                                  "x")],
    )
    outcome = ReportOutcome("2025-05", 1, True, tmp_path / "r`*", content, [], [], WRITE_NEW)
    html = render(report_markdown(outcome))
    assert_inert(html)
    text = text_of(html)
    assert "X|Y — " + " ".join(HOSTILE_LINES.replace("\r\n", "\n").split("\n")) in text
    assert f"STC — {HOSTILE}" in text
    assert f"STP/{HOSTILE}.csv" in text
    assert str(tmp_path / "r`*") in text
    assert html.count("<h1>") == 1 and html.count("<table>") == 0
