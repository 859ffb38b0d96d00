"""Escaping text from outside (file names, agency and unit names, problems) for Markdown.

The run summaries shown in the Prefect UI are Markdown; a file name such as
``a|b*c`[x](javascript:1)<script>`` must show as those characters, not as a table cell break,
emphasis, code, a link or HTML.
"""

from __future__ import annotations

import re

# ASCII punctuation that Markdown (CommonMark with GitHub's tables, strikethrough and
# autolinks) can read as syntax; CommonMark lets any of them be escaped with a backslash.
_SYNTAX = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&:\"'=$^])")
# Line breaks would start a new block (heading, list, table row): they become spaces, as do
# other control characters.
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def escape(text: str) -> str:
    """``text`` as inline Markdown that shows exactly its characters, on one line."""
    return _SYNTAX.sub(r"\\\1", _BREAKS.sub(" ", text))
