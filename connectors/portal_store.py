"""The portal tables: portal figures (an export file or an API answer) and each unit's counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from connectors.db_schema import (
    PortalFileRow,
    PortalStatRow,
)
from connectors.db_session import WRITE_ATTEMPTS, Tables, retry_pause
from connectors.intake_store import clear_rejection, record_intake
from tasks.model.portal import PortalExport, PortalUnitStats
from tasks.model.records import (
    FileMeta,
    StoredPortalFile,
)


class PortalTables(Tables):
    # --- portal ------------------------------------------------------------------
    def add_portal_file(self, export: PortalExport, meta: FileMeta,
                        archive_path: str) -> tuple[int, list[int]]:
        """Store a portal export; the newest one stored per period is current (one at a
        time, by a unique index; a run that loses a race retries)."""
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with self._session() as s:
                    existing = s.scalars(select(PortalFileRow).filter_by(
                        content_hash=meta.content_hash)).first()
                    if existing is not None:
                        record_intake(s, meta, "duplicate", "đã được lưu bởi lần chạy khác")
                        return existing.id, []
                    older = list(s.scalars(select(PortalFileRow).where(
                        PortalFileRow.period == export.period.label,
                        PortalFileRow.superseded_by.is_(None))))
                    row = PortalFileRow(content_hash=meta.content_hash,
                                        file_name=meta.file_name, archive_path=archive_path,
                                        period=export.period.label, variant=export.variant,
                                        collected_at=meta.collected_at,
                                        superseded_by=older[0].id if older else None)
                    s.add(row)
                    s.flush()
                    s.add_all(PortalStatRow(file_id=row.id, **asdict(u)) for u in export.units)
                    for old in older:
                        old.superseded_by = row.id
                    s.flush()
                    row.superseded_by = None
                    s.flush()
                    clear_rejection(s, meta)
                    record_intake(s, meta, "accepted", f"thay thế {len(older)} tệp trước"
                            if older else None)
                    return row.id, [o.id for o in older]
            except (IntegrityError, OperationalError):
                retry_pause(attempt)
        raise RuntimeError(f"không lưu được {meta.file_name}: quá nhiều lượt ghi "
                           "cùng lúc vào cơ sở dữ liệu")

    def portal_units_in(self, periods: Sequence[str]) -> dict[str, list[PortalUnitStats]]:
        """Each unit's counts in the current portal file of each of ``periods`` (a period
        without one is absent): the history the plausibility checks compare with."""
        found: dict[str, list[PortalUnitStats]] = {}
        for period in periods:
            current = self.current_portal(period)
            if current is not None:
                found[period] = current[1]
        return found

    def current_portal(self, period: str) -> tuple[StoredPortalFile, list[PortalUnitStats]] | None:
        with self._session() as s:
            f = s.scalars(select(PortalFileRow).filter_by(period=period, superseded_by=None)
                          ).first()
            if f is None:
                return None
            stats = s.scalars(select(PortalStatRow).filter_by(file_id=f.id)
                              .order_by(PortalStatRow.source_row))
            units = [PortalUnitStats(
                unit=r.unit, source_row=r.source_row, carried_over=r.carried_over,
                received_online=r.received_online, received_in_person=r.received_in_person,
                received_post=r.received_post, resolved_total=r.resolved_total,
                resolved_on_time=r.resolved_on_time, resolved_late=r.resolved_late,
                in_progress_total=r.in_progress_total,
                in_progress_overdue=r.in_progress_overdue) for r in stats]
            return (StoredPortalFile(f.id, f.period, f.content_hash, f.file_name,
                                     f.archive_path, f.variant), units)
