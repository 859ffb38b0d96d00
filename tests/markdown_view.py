"""Markdown as the Prefect UI renders it, for the tests that check that agency text in a
run summary shows as typed: never a link, a script, an image or emphasis."""

from __future__ import annotations

import re
from html import unescape

from markdown_it import MarkdownIt

HOSTILE = "a|b*c`[x](javascript:1)<script>"
HOSTILE_LINES = "_x_ ~~y~~\n# z\r\n| --- |\n<img src=x onerror=alert(1)>"


def render(markdown: str) -> str:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def assert_inert(html: str) -> None:
    for tag in ("<a ", "<script", "<img", "<em>", "<strong>", "<code>", "<s>", "<del>"):
        assert tag not in html, tag
