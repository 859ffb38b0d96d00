"""Run summaries in the Prefect UI: agency text shows as typed, never as Markdown or HTML."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html import unescape
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from tasks.intake.collect import CollectSummary, FileOutcome
from tasks.intake.summaries import collect_markdown
from tasks.model.problems import Problem
from tasks.model.report import MissingUnitRow, RejectedFileRow, ReportContent
from tasks.report.publish import ReportOutcome
from tasks.report.summaries import report_markdown
from tasks.report.text_safety import escape_markdown
from tasks.report.writer_claim import WRITE_NEW

HOSTILE = "a|b*c`[x](javascript:1)<script>"
HOSTILE_LINES = "_x_ ~~y~~\n# z\r\n| --- |\n<img src=x onerror=alert(1)>"


def _render(markdown: str) -> str:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


def _text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def _assert_inert(html: str) -> None:
    for tag in ("<a ", "<script", "<img", "<em>", "<strong>", "<code>", "<s>", "<del>"):
        assert tag not in html, tag


@pytest.mark.parametrize("text", [HOSTILE, HOSTILE_LINES, "a\\|b", "&amp; &#60;"])
def test_escape_renders_exactly_the_text_on_one_line(text: str) -> None:
    html = _render(f"- {escape_markdown(text)}\n")
    _assert_inert(html)
    shown = " ".join(text.replace("\r\n", "\n").split("\n")).replace("\r", " ")
    assert _text_of(html).strip() == shown
    table = _render(f"| A | B |\n| --- | --- |\n| {escape_markdown(text)} | 1 |\n")
    cells = [_text_of(cell) for cell in re.findall(r"<td>(.*?)</td>", table, re.S)]
    assert cells == [shown, "1"]  # one cell, not split


def test_collect_markdown_shows_hostile_file_name_and_problem_as_text() -> None:
    summary = CollectSummary(0, 0, 0, 1, [FileOutcome(
        f"STP/{HOSTILE}.xlsx", "STP", "rejected", "0" * 64,
        problems=(Problem(f"Ô chứa {HOSTILE}", "Nhiệm*vụ", 3, "Kết_quả_"),))])
    markdown = collect_markdown(summary, "Thu nhận")
    html = _render(markdown)
    _assert_inert(html)
    text = _text_of(html)
    assert f"STP/{HOSTILE}.xlsx" in text
    assert f"Trang «Nhiệm*vụ», dòng 3, cột «Kết_quả_»: Ô chứa {HOSTILE}" in text
    assert "<li>" in html and html.count("<li>") == 1


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
    html = _render(report_markdown(outcome))
    _assert_inert(html)
    text = _text_of(html)
    assert "X|Y — " + " ".join(HOSTILE_LINES.replace("\r\n", "\n").split("\n")) in text
    assert f"STC — {HOSTILE}" in text
    assert f"STP/{HOSTILE}.csv" in text
    assert str(tmp_path / "r`*") in text
    assert html.count("<h1>") == 1 and html.count("<table>") == 0
