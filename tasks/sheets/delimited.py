"""Delimited text files (CSV): choosing the separator and splitting the rows.

One rule for every CSV the system reads (agency submissions and portal exports): the
separator is decided from the header lines, the first :data:`HEADER_LINES` non-blank
records, never from character counts over the whole file, where commas in Vietnamese
text ("Khó khăn, vướng mắc") would outvote the real ``;``. For each candidate (``;``,
``,``, tab) the header lines are split as CSV with that separator (so a separator inside
quotes does not count); the candidate that splits the most header lines into two cells or
more without leaving a stray ``"`` in a cell wins (a ``"`` left inside a cell means the
quotes were opened after another separator), then the one splitting the most lines at
all, then the one giving the widest line, then the first in the order ``;``, ``,``, tab.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from itertools import islice

DELIMITERS = (";", ",", "\t")
HEADER_LINES = 20


def _records(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def choose_delimiter(text: str) -> str:
    """The separator of a CSV text, decided from its header lines."""
    best, best_score = DELIMITERS[0], (-1, -1, -1)
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        non_blank = (r for r in reader if any(cell.strip() for cell in r))
        try:
            header = list(islice(non_blank, HEADER_LINES))
        except csv.Error:  # e.g. a quote left open by this separator's reading
            continue
        split = [r for r in header if len(r) > 1]
        clean = [r for r in split if not any('"' in cell for cell in r)]
        score = (len(clean), len(split), max((len(r) for r in header), default=0))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_delimited(text: str) -> list[list[str]]:
    """The records of a CSV text, split with :func:`choose_delimiter`'s separator.

    Raises :class:`csv.Error` when the text is not CSV (a quoted cell never closed …).
    """
    return _records(text, choose_delimiter(text))


def iter_delimited(text: str) -> Iterator[list[str]]:
    """:func:`read_delimited` one record at a time, so that a reader can stop at a limit
    without splitting the rest of the file.

    Raises :class:`csv.Error` (while iterating) when the text is not CSV.
    """
    return csv.reader(io.StringIO(text), delimiter=choose_delimiter(text))
