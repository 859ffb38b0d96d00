"""Folding Vietnamese text for matching headers, sheet names and unit names."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: object) -> str:
    """Lower-case, without diacritics (đ → d), with runs of white space made one space.

    ``"  Tiến   độ\\n(%) "`` and ``"tien do (%)"`` fold to the same string.
    """
    if text is None:
        return ""
    decomposed = unicodedata.normalize("NFD", str(text))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped).strip().lower()


def fold_key(text: object) -> str:
    """:func:`fold` with every character but letters and digits removed (for loose keys)."""
    return re.sub(r"[^a-z0-9]", "", fold(text))
