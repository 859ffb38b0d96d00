"""What the database holds about one input file, for tracing a published figure back to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tasks.model.portal import PortalUnitStats


@dataclass(frozen=True)
class TaskLine:
    """A task report row as stored, with the row of the file it came from."""

    task_id: str
    status: str
    progress: float | None
    completed_on: date | None
    source_row: int


@dataclass(frozen=True)
class MetricLine:
    metric_code: str
    value: float
    source_row: int


@dataclass(frozen=True)
class FileLines:
    """A stored input file (by content hash): when it was first seen, and its rows."""

    content_hash: str
    first_seen: datetime | None
    tasks: tuple[TaskLine, ...] = ()
    metrics: tuple[MetricLine, ...] = ()
    portal: tuple[PortalUnitStats, ...] = ()
