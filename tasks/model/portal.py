"""Portal figures as the domain sees them: one unit's counts and a whole period's export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tasks.model.periods import Period

Variant = Literal["A", "B", "api"]  # "A"/"B": the two export layouts; "api": the portal API


@dataclass(frozen=True)
class PortalUnitStats:
    unit: str  # agency code from the registry
    source_row: int  # spreadsheet row number (1-based) of the unit's row
    carried_over: int | None
    received_online: int | None
    received_in_person: int | None
    received_post: int | None
    resolved_total: int
    resolved_on_time: int  # before + on the deadline
    resolved_late: int
    in_progress_total: int | None
    in_progress_overdue: int | None


@dataclass(frozen=True)
class PortalExport:
    period: Period
    variant: Variant
    units: tuple[PortalUnitStats, ...]


@dataclass(frozen=True)
class DossierFile:
    """A dossier file (``ho-so-<YYYY-MM>.csv|.parquet``) that passed every check: the
    period its name states. Its rows stay in the archived file (read with DuckDB)."""

    period: Period
