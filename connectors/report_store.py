"""The report tables: report versions and the indicator values saved with each."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from connectors.db_schema import (
    IndicatorValueRow,
    ReportVersionRow,
)
from connectors.db_session import Tables, now
from tasks.model.records import (
    ReportVersion,
    VersionClaim,
)
from tasks.model.report import IndicatorValue


class ReportTables(Tables):
    # --- report versions -----------------------------------------------------------
    def latest_report_version(self, period: str) -> ReportVersion | None:
        with self._session() as s:
            row = s.scalars(select(ReportVersionRow).filter_by(period=period)
                            .order_by(ReportVersionRow.version.desc())).first()
            return _version(row) if row else None

    def report_version(self, period: str, version: int) -> ReportVersion | None:
        with self._session() as s:
            row = s.scalars(select(ReportVersionRow).filter_by(period=period, version=version)
                            ).first()
            return _version(row) if row else None

    def claim_report_version(self, period: str, fingerprint: str, run_id: str | None, *,
                             reports_dir: Path, force: bool = False) -> VersionClaim:
        """Reserve the next version of ``period``'s report, unless the newest version was
        built from the same inputs (then it is returned with ``created=False``).

        The unique (period, version) constraint makes this safe when two runs race:
        the loser re-reads and either reuses the winner's version or takes the next.
        """
        for _ in range(20):
            latest = self.latest_report_version(period)
            if latest and latest.fingerprint == fingerprint and not force:
                return VersionClaim(latest, created=False)
            number = latest.version + 1 if latest else 1
            path = str(reports_dir / period / f"v{number}")
            try:
                with self._session() as s:
                    row = ReportVersionRow(period=period, version=number,
                                           fingerprint=fingerprint, run_id=run_id,
                                           created_at=now(), path=path)
                    s.add(row)
                    s.flush()
                    claimed = _version(row)
                return VersionClaim(claimed, created=True)
            except IntegrityError:
                continue
        raise RuntimeError(f"could not reserve a report version for {period}")

    def save_indicator_values(self, version_id: int, values: Sequence[IndicatorValue]) -> None:
        with self._session() as s:
            existing = {(r.unit, r.indicator): r for r in s.scalars(
                select(IndicatorValueRow).filter_by(report_version_id=version_id))}
            for v in values:
                row = existing.get((v.unit, v.indicator))
                if row is None:
                    row = IndicatorValueRow(report_version_id=version_id, unit=v.unit,
                                            indicator=v.indicator)
                    s.add(row)
                row.numerator, row.denominator, row.value = v.numerator, v.denominator, v.value

    def indicator_values(self, version_id: int) -> list[IndicatorValue]:
        with self._session() as s:
            rows = s.scalars(select(IndicatorValueRow).filter_by(report_version_id=version_id)
                             .order_by(IndicatorValueRow.id))
            return [IndicatorValue(r.unit, r.indicator, r.numerator, r.denominator, r.value)
                    for r in rows]


def _version(row: ReportVersionRow) -> ReportVersion:
    return ReportVersion(row.id, row.period, row.version, row.fingerprint, row.run_id,
                         row.created_at, row.path)
