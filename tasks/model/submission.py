"""A validated progress submission from one agency for one period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tasks.model.periods import Period

STATUS_NOT_STARTED = "Chưa thực hiện"
STATUS_IN_PROGRESS = "Đang thực hiện"
STATUS_DONE = "Hoàn thành"
STATUSES = (STATUS_NOT_STARTED, STATUS_IN_PROGRESS, STATUS_DONE)


@dataclass(frozen=True)
class TaskLine:
    task_id: str
    status: str
    progress: float | None
    completed_on: date | None
    result: str | None
    difficulties: str | None
    row: int


@dataclass(frozen=True)
class MetricLine:
    metric_code: str
    value: float
    note: str | None
    row: int


@dataclass(frozen=True)
class Submission:
    agency_code: str
    period: Period
    tasks: tuple[TaskLine, ...]
    metrics: tuple[MetricLine, ...]
