"""The counts a report needs from a dossier file, as a small plain structure.

A rerun with nothing new must not read an unchanged dossier file again: the counts depend
only on the file's content, the window, the known units, the 766 rules (column names) and
the counting SQL (:func:`counting_sql`), so the report stage caches them under those,
with Prefect's ordinary input cache (see ``tasks/report/steps.py``: ``dem-ho-so``).
Plain dicts of ints, so that reading the cached value back needs neither pandas nor
DuckDB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from config.index766 import Index766Config
from tasks.model.problems import RejectedInput
from tasks.portal import dossiers


@dataclass(frozen=True)
class DossierCounts:
    """Per unit (code order): the 766 counts (:data:`dossiers.COUNT_COLUMNS`) and what
    aggregated statistics also count (received, resolved, resolved on time)."""

    units: dict[str, dict[str, int]]
    resolution: dict[str, tuple[int, int, int]]


def counting_sql() -> tuple[str, str]:
    """The SQL the counts come from (:data:`dossiers.AGGREGATE_SQL`,
    :data:`dossiers.RESOLUTION_SQL`): an input of the cached step, so that counts cached
    before a release that changes how dossiers are counted are not reused after it."""
    return (dossiers.AGGREGATE_SQL, dossiers.RESOLUTION_SQL)


def count_dossier_file(path: Path, content_hash: str, window: tuple[date, date],
                       known_units: Sequence[str], config: Index766Config) -> DossierCounts:
    """Check the stored file, then count it (two DuckDB queries after the check).

    ``content_hash`` is not read here: with the other arguments but ``path`` it is what
    the counts depend on, so it makes the cache key.
    Raises :class:`RejectedInput`, ``OSError`` or DuckDB's errors like
    :func:`dossiers.load_dossier_counts`.
    """
    del content_hash  # the cache key's part only
    problems = dossiers.check_dossier_file(path, set(known_units), config)
    if problems:
        raise RejectedInput(problems)
    return DossierCounts(dossiers.aggregate_rows(path, window, config),
                         dossiers.resolution_rows(path, window, config))
