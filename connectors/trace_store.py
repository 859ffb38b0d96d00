"""Reading back what was stored from one input file, for ``cchc trace``."""

from __future__ import annotations

from dataclasses import fields

from sqlalchemy import func, select

from connectors.db_schema import (
    IntakeEventRow,
    MetricReportRow,
    PortalFileRow,
    PortalStatRow,
    SubmissionRow,
    TaskReportRow,
)
from connectors.db_session import Tables
from tasks.model.portal import PortalUnitStats
from tasks.model.trace import FileLines, MetricLine, TaskLine

_STAT_FIELDS = [f.name for f in fields(PortalUnitStats)]


class TraceTables(Tables):
    def file_lines(self, content_hash: str) -> FileLines | None:
        """The stored rows of the accepted file with this content (submission or portal
        export) and when it was first seen; None when no accepted file has it."""
        with self._session() as s:
            sub = s.scalars(select(SubmissionRow).filter_by(content_hash=content_hash)).first()
            if sub is not None:
                tasks = s.scalars(select(TaskReportRow).filter_by(submission_id=sub.id)
                                  .order_by(TaskReportRow.source_row, TaskReportRow.id))
                metrics = s.scalars(select(MetricReportRow).filter_by(submission_id=sub.id)
                                    .order_by(MetricReportRow.source_row, MetricReportRow.id))
                return FileLines(
                    content_hash, sub.arrived_at,
                    tasks=tuple(TaskLine(t.task_id, t.status, t.progress, t.completed_on,
                                         t.source_row) for t in tasks),
                    metrics=tuple(MetricLine(m.metric_code, m.value, m.source_row)
                                  for m in metrics))
            portal = s.scalars(select(PortalFileRow).filter_by(content_hash=content_hash)
                               ).first()
            if portal is None:
                return None
            # a portal file's first sighting is not kept: its first intake event is
            seen = s.scalar(select(func.min(IntakeEventRow.at))
                            .where(IntakeEventRow.content_hash == content_hash))
            stats = s.scalars(select(PortalStatRow).filter_by(file_id=portal.id)
                              .order_by(PortalStatRow.source_row))
            return FileLines(content_hash, seen or portal.collected_at, portal=tuple(
                PortalUnitStats(**{name: getattr(r, name) for name in _STAT_FIELDS})
                for r in stats))
