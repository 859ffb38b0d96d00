"""The dossier files table: each dossier file taken in, and the current one per period."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from connectors.db_schema import DossierFileRow
from connectors.db_session import WRITE_ATTEMPTS, Tables, retry_pause
from connectors.intake_store import clear_rejection, record_intake
from tasks.model.portal import DossierFile
from tasks.model.records import FileMeta, StoredDossierFile


class DossierTables(Tables):
    # --- dossier files -------------------------------------------------------------
    def add_dossier_file(self, dossier: DossierFile, meta: FileMeta,
                         archive_path: str) -> tuple[int, list[int]]:
        """Store a checked dossier file. Per period the file first seen last is current:
        a newer one supersedes the current file; an older one arriving late is stored
        already superseded. Returns the row id and the ids it superseded."""
        period = dossier.period.label
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with self._session() as s:
                    existing = s.scalars(select(DossierFileRow).filter_by(
                        content_hash=meta.content_hash)).first()
                    if existing is not None:
                        record_intake(s, meta, "duplicate", "đã được lưu bởi lần chạy khác")
                        return existing.id, []
                    current = s.scalars(select(DossierFileRow).where(
                        DossierFileRow.period == period,
                        DossierFileRow.superseded_by.is_(None))).first()
                    row = DossierFileRow(content_hash=meta.content_hash,
                                         file_name=meta.file_name, archive_path=archive_path,
                                         period=period, first_seen_at=meta.arrived_at,
                                         collected_at=meta.collected_at,
                                         superseded_by=current.id if current else None)
                    s.add(row)
                    s.flush()
                    superseded: list[int] = []
                    if current is not None and current.first_seen_at <= meta.arrived_at:
                        current.superseded_by = row.id
                        s.flush()
                        row.superseded_by = None
                        s.flush()
                        superseded.append(current.id)
                    clear_rejection(s, meta)
                    detail = ("thay thế 1 tệp trước" if superseded else
                              "tệp cũ hơn tệp hiện hành, lưu làm bản đã thay thế"
                              if current is not None else None)
                    record_intake(s, meta, "accepted", detail)
                    return row.id, superseded
            except (IntegrityError, OperationalError):
                retry_pause(attempt)
        raise RuntimeError(f"không lưu được {meta.file_name}: quá nhiều lượt ghi "
                           "cùng lúc vào cơ sở dữ liệu")

    def current_dossier_file(self, period: str) -> StoredDossierFile | None:
        with self._session() as s:
            row = s.scalars(select(DossierFileRow).filter_by(period=period,
                                                             superseded_by=None)).first()
            if row is None:
                return None
            return StoredDossierFile(row.id, row.period, row.content_hash, row.file_name,
                                     row.archive_path, row.first_seen_at)
