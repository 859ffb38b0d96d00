"""Text from outside (agency and unit names, file names, problems, settings) made safe for
each of the report's outputs, in one place.

Every renderer shows such text exactly as written, never as markup or as a broken file:

- the workbook and the Word document are XML: characters XML 1.0 cannot carry are removed
  (:func:`strip_invalid_xml`; the view's texts are also put on one line, :func:`one_line`,
  and Word escapes ``<&>`` itself when it renders the template);
- the HTML page escapes ``<&>"'`` (:func:`escape_html`);
- the run summaries shown in the Prefect UI are Markdown (:func:`escape_markdown`): a file
  name such as ``a|b*c`[x](javascript:1)<script>`` must show as those characters, not as a
  table cell break, emphasis, code, a link or HTML.
"""

from __future__ import annotations

import html
import re

# XML 1.0 cannot carry these; openpyxl refuses C0 controls, Excel and Word "repair" the rest.
INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")

# ASCII punctuation that Markdown (CommonMark with GitHub's tables, strikethrough and
# autolinks) can read as syntax; CommonMark lets any of them be escaped with a backslash.
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&:\"'=$^])")
# Line breaks would start a new Markdown block (heading, list, table row): they become
# spaces, as do other control characters.
_MARKDOWN_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def strip_invalid_xml(text: str) -> str:
    """``text`` without the characters an XML file (workbook, Word document) cannot hold:
    ASCII control characters other than tab and line breaks, lone surrogates, U+FFFE and
    U+FFFF."""
    return INVALID_XML.sub("", text)


def one_line(text: str | None) -> str:
    """``text`` on one line (line breaks and the blanks around them become ``"; "``),
    without characters a Word document cannot carry; ``None`` → ``""``."""
    if text is None:
        return ""
    return strip_invalid_xml(_LINE_BREAKS.sub("; ", text.strip()))


def escape_html(text: str) -> str:
    """``text`` as HTML text or attribute value that shows exactly its characters."""
    return html.escape(text)


def escape_markdown(text: str) -> str:
    """``text`` as inline Markdown that shows exactly its characters, on one line."""
    return _MARKDOWN_SYNTAX.sub(r"\\\1", _MARKDOWN_BREAKS.sub(" ", text))
