"""The delivery log: which report version went (or must still go) to whom, and how.

Rows live in the ``deliveries`` table of the reporting database. Each send is recorded
'pending' first and 'sent' or 'failed' after, so a version is never sent twice and an
unsent one is retried by the next run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from connectors.database import Database
from connectors.db_schema import DeliveryRow
from connectors.db_session import Tables
from tasks.model.records import FAILED, PENDING, SENT, Delivery


class DeliveryLog(Tables):
    def __init__(self, db: Database) -> None:
        super().__init__(db.engine)

    def record(self, period: str, version: int, channel: str,
               recipients: Sequence[str]) -> None:
        """Add a 'pending' row for each recipient that has none for this version."""
        for recipient in recipients:
            try:
                with self._session() as s:
                    exists = s.scalars(select(DeliveryRow.id).filter_by(
                        period=period, version=version, channel=channel,
                        recipient=recipient)).first()
                    if exists is None:
                        s.add(DeliveryRow(period=period, version=version, channel=channel,
                                          recipient=recipient, status=PENDING, attempts=0,
                                          created_at=datetime.now(UTC)))
            except IntegrityError:  # another run recorded it at the same moment
                continue

    def unsent(self, channel: str) -> list[Delivery]:
        """Every delivery on ``channel`` not sent yet, oldest first."""
        with self._session() as s:
            rows = s.scalars(select(DeliveryRow).where(DeliveryRow.channel == channel,
                                                       DeliveryRow.status != SENT)
                             .order_by(DeliveryRow.id))
            return [_delivery(r) for r in rows]

    def for_version(self, period: str, version: int) -> list[Delivery]:
        with self._session() as s:
            rows = s.scalars(select(DeliveryRow).filter_by(period=period, version=version)
                             .order_by(DeliveryRow.id))
            return [_delivery(r) for r in rows]

    def begin_attempt(self, delivery: Delivery) -> bool:
        """Count an attempt; False when another run took or sent this delivery meanwhile."""
        with self._session() as s:
            result = s.execute(update(DeliveryRow).where(
                DeliveryRow.id == delivery.id, DeliveryRow.status != SENT,
                DeliveryRow.attempts == delivery.attempts,
            ).values(attempts=delivery.attempts + 1, status=PENDING))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def mark_sent(self, delivery_id: int, at: datetime) -> None:
        with self._session() as s:
            s.execute(update(DeliveryRow).where(DeliveryRow.id == delivery_id)
                      .values(status=SENT, sent_at=at, last_error=None))

    def mark_failed(self, delivery_id: int, error: str) -> None:
        with self._session() as s:
            s.execute(update(DeliveryRow).where(DeliveryRow.id == delivery_id)
                      .values(status=FAILED, last_error=error))


def _delivery(row: DeliveryRow) -> Delivery:
    return Delivery(row.id, row.period, row.version, row.channel, row.recipient, row.status,
                    row.attempts, row.last_error, row.sent_at)
