"""The report tables: report versions and the indicator values saved with each."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import and_, select, update
from sqlalchemy.exc import IntegrityError

from connectors.db_schema import (
    IndicatorValueRow,
    ReportVersionRow,
)
from connectors.db_session import Tables, now
from tasks.model.records import (
    ReportVersion,
    VersionClaim,
    Writer,
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
                             reports_dir: Path, force: bool = False,
                             writer: Writer | None = None) -> VersionClaim:
        """Reserve the next version of ``period``'s report, unless the newest version was
        built from the same inputs (then it is returned with ``created=False``).

        The unique (period, version) constraint makes this safe when two runs race:
        the loser re-reads and either reuses the winner's version or takes the next.
        ``writer`` (this process) is recorded with a new claim, in the same commit.
        """
        for _ in range(20):
            latest = self.latest_report_version(period)
            if latest and latest.fingerprint == fingerprint and not force:
                return VersionClaim(latest, created=False)
            number = latest.version + 1 if latest else 1
            path = str(reports_dir / period / f"v{number}")
            try:
                with self._session() as s:
                    claimed_at = now()
                    row = ReportVersionRow(period=period, version=number,
                                           fingerprint=fingerprint, run_id=run_id,
                                           created_at=claimed_at, path=path,
                                           writer_host=writer.host if writer else None,
                                           writer_pid=writer.pid if writer else None,
                                           writer_since=claimed_at if writer else None)
                    s.add(row)
                    s.flush()
                    claimed = _version(row)
                return VersionClaim(claimed, created=True)
            except IntegrityError:
                continue
        raise RuntimeError(f"không giữ được số phiên bản báo cáo cho kỳ {period}")

    def take_over_report_version(self, version: ReportVersion, writer: Writer) -> bool:
        """Make ``writer`` the writer of ``version`` if its writer is still the one read
        in ``version`` (compare-and-set): of two runs taking over, one wins."""
        row = ReportVersionRow
        before = version.writer
        with self._session() as s:
            done = s.execute(update(row).where(and_(
                row.id == version.id,
                row.writer_host.is_(None) if before is None else row.writer_host == before.host,
                row.writer_pid.is_(None) if before is None else row.writer_pid == before.pid,
            )).values(writer_host=writer.host, writer_pid=writer.pid, writer_since=now()))
            return bool(done.rowcount == 1)  # type: ignore[attr-defined]

    def finish_report_version(self, version_id: int, writer: Writer, *, written: bool) -> None:
        """``writer`` is done with the version: its folder was written (``written``), or
        the writer gave up (nobody writes it now, so the next run takes it over at once)."""
        row = ReportVersionRow
        values: dict[str, object] = {"writer_host": None, "writer_pid": None,
                                     "writer_since": None}
        if written:
            values["written_at"] = now()
        with self._session() as s:
            s.execute(update(row).where(and_(row.id == version_id,
                                             row.writer_host == writer.host,
                                             row.writer_pid == writer.pid)).values(**values))

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
    writer = (Writer(row.writer_host, row.writer_pid)
              if row.writer_host is not None and row.writer_pid is not None else None)
    return ReportVersion(row.id, row.period, row.version, row.fingerprint, row.run_id,
                         row.created_at, row.path, writer=writer,
                         writer_since=row.writer_since, written_at=row.written_at)
