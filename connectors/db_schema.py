"""SQLAlchemy tables. Changes go through an Alembic migration in ``connectors/migrations``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC; SQLite and PostgreSQL give back the same value."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class SubmissionRow(Base):
    """An accepted agency file. Only the newest one per agency and period is current."""

    __tablename__ = "submissions"
    # At most one current submission per agency and period, even when two runs race.
    __table_args__ = (Index("uq_submissions_current", "agency_code", "period", unique=True,
                            sqlite_where=text("superseded_by IS NULL"),
                            postgresql_where=text("superseded_by IS NULL")),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40), index=True)
    period: Mapped[str] = mapped_column(String(10), index=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(Text)
    origin_path: Mapped[str] = mapped_column(Text)
    archive_path: Mapped[str] = mapped_column(Text)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))


class TaskReportRow(Base):
    __tablename__ = "task_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(40))
    progress: Mapped[float | None] = mapped_column(Float)
    completed_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(Text)
    difficulties: Mapped[str | None] = mapped_column(Text)
    source_row: Mapped[int] = mapped_column(Integer)


class MetricReportRow(Base):
    __tablename__ = "metric_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    metric_code: Mapped[str] = mapped_column(String(60))
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    source_row: Mapped[int] = mapped_column(Integer)


class RejectionRow(Base):
    """A file that failed validation; the raw file stays in quarantine."""

    __tablename__ = "rejections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(20))  # "inbox" or "portal"
    agency_folder: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    period: Mapped[str | None] = mapped_column(String(10), index=True)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    quarantine_path: Mapped[str] = mapped_column(Text)
    problems: Mapped[str] = mapped_column(Text)  # JSON list of problems
    # set when the same content is accepted later: the rejection no longer counts
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IntakeEventRow(Base):
    """Every file the collector has seen, and what became of it (the audit trail)."""

    __tablename__ = "intake_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    agency_folder: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class PortalFileRow(Base):
    """An accepted portal statistics export; the newest one per period is current."""

    __tablename__ = "portal_files"
    __table_args__ = (Index("uq_portal_files_current", "period", unique=True,
                            sqlite_where=text("superseded_by IS NULL"),
                            postgresql_where=text("superseded_by IS NULL")),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(Text)
    archive_path: Mapped[str] = mapped_column(Text)
    period: Mapped[str] = mapped_column(String(10), index=True)
    variant: Mapped[str] = mapped_column(String(4))
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("portal_files.id"))


class PortalStatRow(Base):
    __tablename__ = "portal_stats"
    __table_args__ = (UniqueConstraint("file_id", "unit"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("portal_files.id"), index=True)
    unit: Mapped[str] = mapped_column(String(40))
    source_row: Mapped[int] = mapped_column(Integer)
    carried_over: Mapped[int | None] = mapped_column(Integer)
    received_online: Mapped[int | None] = mapped_column(Integer)
    received_in_person: Mapped[int | None] = mapped_column(Integer)
    received_post: Mapped[int | None] = mapped_column(Integer)
    resolved_total: Mapped[int] = mapped_column(Integer)
    resolved_on_time: Mapped[int] = mapped_column(Integer)
    resolved_late: Mapped[int] = mapped_column(Integer)
    in_progress_total: Mapped[int | None] = mapped_column(Integer)
    in_progress_overdue: Mapped[int | None] = mapped_column(Integer)


class ReportVersionRow(Base):
    """A published version of a period's report. (period, version) is claimed once."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("period", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    run_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    path: Mapped[str] = mapped_column(Text)
    # the process writing the version's folder (migration 0005_report_version_writer):
    # a rerun takes over at once when that process is gone from this host
    writer_host: Mapped[str | None] = mapped_column(String(255))
    writer_pid: Mapped[int | None] = mapped_column(Integer)
    writer_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    written_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: not yet written


class IndicatorValueRow(Base):
    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("report_version_id", "unit", "indicator"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_version_id: Mapped[int] = mapped_column(ForeignKey("report_versions.id"), index=True)
    unit: Mapped[str] = mapped_column(String(40))
    indicator: Mapped[str] = mapped_column(String(60))
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)


class FileSightingRow(Base):
    """When the collector first saw a file in a drop folder, in a given state (size and
    modification time). The first sighting is the file's arrival time; rows are removed
    once the file has left the folder."""

    __tablename__ = "file_sightings"
    __table_args__ = (UniqueConstraint("source", "relative_path", "size", "mtime_ns"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    relative_path: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IntakeClaimRow(Base):
    """A file the collector is working on. ``done`` is set in the transaction that records
    the outcome; the row is deleted once the inbox copy is gone. A row left behind tells
    the start-up repair what a crash interrupted."""

    __tablename__ = "intake_claims"
    __table_args__ = (UniqueConstraint("source", "relative_path"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    relative_path: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    kept_path: Mapped[str] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- deliveries (migration 0003_deliveries) -------------------------------------------
class DeliveryRow(Base):
    """One hand-over of a report version to one recipient over one channel.

    ``status`` is 'pending' (recorded before sending), 'sent' or 'failed'; the unique key
    makes each version go to each recipient once.
    """

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("period", "version", "channel", "recipient"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(10), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# --- dossier files (migration 0004_dossier_files) --------------------------------------
class DossierFileRow(Base):
    """A dossier file (``ho-so-<YYYY-MM>``) taken in: its rows stay in the archived copy.

    Per period, the file first seen last is current (``superseded_by`` NULL, one at a time
    by a partial unique index); earlier ones point at it.
    """

    __tablename__ = "dossier_files"
    __table_args__ = (Index("uq_dossier_files_current", "period", unique=True,
                            sqlite_where=text("superseded_by IS NULL"),
                            postgresql_where=text("superseded_by IS NULL")),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(Text)
    archive_path: Mapped[str] = mapped_column(Text)
    period: Mapped[str] = mapped_column(String(10), index=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("dossier_files.id"))


class WebUserRow(Base):
    """An account of the web pages: an agency's (``agency_code``) or Sở Nội vụ's
    (``role`` «province»). Only the password's argon2 hash is kept."""

    __tablename__ = "web_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # "agency" or "province"
    agency_code: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(Text)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebAuditRow(Base):
    """What happened on the web pages, who did it and when: logins (ok, failed, locked),
    log-outs, uploads (file and outcome) and refused requests."""

    __tablename__ = "web_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(Text)
    client: Mapped[str | None] = mapped_column(String(100))


# --- the CCHC index's self-assessments and appraisals (migration 0007_par_assessment) ----
class ParSelfAssessmentRow(Base):
    """A unit's self-assessment file for a year, accepted; the newest one (by first-seen
    time) per unit and year is current, a partial unique index keeping one."""

    __tablename__ = "par_self_assessments"
    __table_args__ = (Index("uq_par_self_assessments_current", "unit_code", "year",
                            unique=True, sqlite_where=text("superseded_by IS NULL"),
                            postgresql_where=text("superseded_by IS NULL")),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(40), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(Text)
    origin_path: Mapped[str] = mapped_column(Text)
    archive_path: Mapped[str] = mapped_column(Text)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("par_self_assessments.id"))


class ParSelfAssessedLineRow(Base):
    """One criterion a self-assessment claims: points and the evidence named."""

    __tablename__ = "par_self_assessed_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("par_self_assessments.id"),
                                               index=True)
    criterion_id: Mapped[str] = mapped_column(String(40))
    points: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str | None] = mapped_column(Text)
    source_row: Mapped[int] = mapped_column(Integer)


class ParAppraisalRow(Base):
    """Sở Nội vụ's appraisal file for a year, accepted; the newest one per year is
    current (it replaces the earlier one whole)."""

    __tablename__ = "par_appraisals"
    __table_args__ = (Index("uq_par_appraisals_current", "year", unique=True,
                            sqlite_where=text("superseded_by IS NULL"),
                            postgresql_where=text("superseded_by IS NULL")),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(Text)
    origin_path: Mapped[str] = mapped_column(Text)
    archive_path: Mapped[str] = mapped_column(Text)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("par_appraisals.id"))


class ParAppraisedLineRow(Base):
    """One unit's criterion as Sở Nội vụ set it: points, and the reason of a change."""

    __tablename__ = "par_appraised_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(ForeignKey("par_appraisals.id"), index=True)
    unit_code: Mapped[str] = mapped_column(String(40))
    criterion_id: Mapped[str] = mapped_column(String(40))
    points: Mapped[float] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(Text)
    source_row: Mapped[int] = mapped_column(Integer)
