"""Run summaries in the Prefect UI: agency text shows as typed, never as Markdown or HTML.
The intake's summary (tasks/intake/summaries.py); the report's is in
tests/tasks/report/test_summaries.py, the escape itself in
tests/tasks/report/test_text_safety.py."""

from __future__ import annotations

from tasks.intake.collect import CollectSummary, FileOutcome
from tasks.intake.summaries import collect_markdown
from tasks.model.problems import Problem
from tests.markdown_view import HOSTILE, assert_inert, render, text_of


def test_collect_markdown_shows_hostile_file_name_and_problem_as_text() -> None:
    summary = CollectSummary(0, 0, 0, 1, [FileOutcome(
        f"STP/{HOSTILE}.xlsx", "STP", "rejected", "0" * 64,
        problems=(Problem(f"Ô chứa {HOSTILE}", "Nhiệm*vụ", 3, "Kết_quả_"),))])
    markdown = collect_markdown(summary, "Thu nhận")
    html = render(markdown)
    assert_inert(html)
    text = text_of(html)
    assert f"STP/{HOSTILE}.xlsx" in text
    assert f"Trang «Nhiệm*vụ», dòng 3, cột «Kết_quả_»: Ô chứa {HOSTILE}" in text
    assert "<li>" in html and html.count("<li>") == 1
