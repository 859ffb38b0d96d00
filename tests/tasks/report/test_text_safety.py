"""Text from outside made safe for each output (tasks.report.text_safety)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tasks.report.text_safety import escape_html, escape_markdown, one_line, strip_invalid_xml
from tests.markdown_view import HOSTILE as MARKDOWN_HOSTILE
from tests.markdown_view import HOSTILE_LINES, assert_inert, render, text_of

HOSTILE = "a|b*c`[x](javascript:1)<script>&\"'"


def test_strip_invalid_xml_keeps_tab_and_line_breaks_and_drops_the_rest() -> None:
    assert strip_invalid_xml("a\x00b\x1fc\td\ne\rf") == "abc\td\ne\rf"
    assert strip_invalid_xml("x\ud800y\ufffez\uffff\x7f") == "xyz"
    assert strip_invalid_xml("Sở Nội vụ ≥ 80 %") == "Sở Nội vụ ≥ 80 %"


def test_one_line_joins_lines_with_a_semicolon_and_is_xml_safe() -> None:
    assert one_line(None) == ""
    assert one_line("  Sở Tư pháp \r\n\n  Phòng\x01 A ") == "Sở Tư pháp; Phòng A"
    assert one_line("a\tb") == "a\tb"


def test_escape_html_shows_the_characters_as_typed() -> None:
    escaped = escape_html(HOSTILE)
    assert "<" not in escaped and '"' not in escaped and "'" not in escaped
    assert unescape(escaped) == HOSTILE


def test_escape_markdown_escapes_syntax_and_stays_on_one_line() -> None:
    assert escape_markdown("a|b*c") == "a\\|b\\*c"
    assert escape_markdown("dòng 1\ndòng 2\u2028x") == "dòng 1 dòng 2 x"
    assert escape_markdown("Sở Nội vụ") == "Sở Nội vụ"


# Escaped for Markdown: rendered as the Prefect UI renders a run summary, the text comes
# back exactly, on one line, in one table cell.


@pytest.mark.parametrize("text", [MARKDOWN_HOSTILE, HOSTILE_LINES, "a\\|b", "&amp; &#60;"])
def test_escape_renders_exactly_the_text_on_one_line(text: str) -> None:
    html = render(f"- {escape_markdown(text)}\n")
    assert_inert(html)
    shown = " ".join(text.replace("\r\n", "\n").split("\n")).replace("\r", " ")
    assert text_of(html).strip() == shown
    table = render(f"| A | B |\n| --- | --- |\n| {escape_markdown(text)} | 1 |\n")
    cells = [text_of(cell) for cell in re.findall(r"<td>(.*?)</td>", table, re.S)]
    assert cells == [shown, "1"]  # one cell, not split
