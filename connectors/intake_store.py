"""The intake tables: files seen, claimed, accepted (submissions and their rows) or
rejected, the intake log, and a period's stored submissions read back."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from connectors import intake_statements as statements
from connectors.db_schema import (
    DossierFileRow,
    FileSightingRow,
    IntakeClaimRow,
    IntakeEventRow,
    MetricReportRow,
    ParAppraisalRow,
    ParSelfAssessmentRow,
    PortalFileRow,
    RejectionRow,
    SubmissionRow,
    TaskReportRow,
)
from connectors.db_session import WRITE_ATTEMPTS, Tables, retry_pause, settle_current_rows
from tasks.model.ports import ClaimedElsewhere
from tasks.model.problems import Problem
from tasks.model.records import (
    FileMeta,
    IntakeClaim,
    KnownFile,
    ReceiptToMail,
    StoredMetricReport,
    StoredRejection,
    StoredSubmission,
    StoredTaskReport,
)
from tasks.model.submission import Submission
from tasks.model.warning_receipt import WARNED, WarningReceiptToMail

_MONTH_LABEL = re.compile(r"^\d{4}-\d{2}$")


class IntakeTables(Tables):
    # --- intake ------------------------------------------------------------------
    def known_file(self, content_hash: str) -> KnownFile | None:
        """An earlier file with exactly this content, accepted or rejected (one query; a
        submission first, then a portal file, a dossier file, a rejection)."""
        with self.engine.begin() as conn:
            return statements.known(conn, content_hash, _aware)

    def claim_known(self, meta: FileMeta, kept_path: str) -> KnownFile | None:
        """:meth:`known_file` of the file's content and :meth:`claim` in one commit."""
        try:
            with self.engine.begin() as conn:
                found = statements.known(conn, meta.content_hash, _aware)
                statements.claim(conn, meta, kept_path)
                return found
        except IntegrityError as exc:
            raise ClaimedElsewhere(meta.relative_path) from exc

    def first_seen(self, source: str, relative_path: str, size: int, mtime_ns: int,
                   now: datetime) -> datetime:
        """When the collector first saw this file in this state (recorded now if never)."""
        key = {"source": source, "relative_path": relative_path, "size": size,
               "mtime_ns": mtime_ns}
        for attempt in range(WRITE_ATTEMPTS):
            with self._session() as s:
                seen = s.scalars(select(FileSightingRow.first_seen_at).filter_by(**key)).first()
                if seen is not None:
                    return seen
            try:
                with self._session() as s:
                    s.add(FileSightingRow(**key, first_seen_at=now))
                return now
            except (IntegrityError, OperationalError):  # another run recorded it first
                retry_pause(attempt)
        raise RuntimeError(f"không ghi được lần đầu thấy tệp {relative_path}")

    def first_seen_all(self, source: str, files: Sequence[tuple[str, int, int]],
                       now: datetime) -> dict[tuple[str, int, int], datetime]:
        """:meth:`first_seen` of many files ((relative path, size, mtime_ns) each) in one
        read of the source's sightings and one commit of the new ones."""
        wanted = set(files)
        for attempt in range(WRITE_ATTEMPTS):
            with self._session() as s:
                rows = s.execute(select(FileSightingRow.relative_path, FileSightingRow.size,
                                        FileSightingRow.mtime_ns,
                                        FileSightingRow.first_seen_at)
                                 .filter_by(source=source))
                seen = {(path, size, mtime): at for path, size, mtime, at in rows
                        if (path, size, mtime) in wanted}
            new = [key for key in dict.fromkeys(files) if key not in seen]
            if not new:
                return seen
            try:
                with self._session() as s:
                    s.execute(insert(FileSightingRow), [
                        {"source": source, "relative_path": path, "size": size,
                         "mtime_ns": mtime, "first_seen_at": now} for path, size, mtime in new])
                return {**seen, **dict.fromkeys(new, now)}
            except (IntegrityError, OperationalError):  # another run recorded some first
                retry_pause(attempt)
        raise RuntimeError(f"không ghi được lần đầu thấy các tệp trong {source}")

    def earliest_sightings(self, source: str) -> dict[str, tuple[int, datetime]]:
        """Each listed path's size and time at its first sighting, in any state."""
        earliest: dict[str, tuple[int, datetime]] = {}
        with self._session() as s:
            rows = s.execute(select(FileSightingRow.relative_path, FileSightingRow.size,
                                    FileSightingRow.first_seen_at).filter_by(source=source)
                             .order_by(FileSightingRow.first_seen_at, FileSightingRow.id))
            for path, size, seen in rows:
                earliest.setdefault(path, (size, _aware(seen)))
        return earliest

    def claim(self, meta: FileMeta, kept_path: str) -> None:
        """Note that intake of this file began (before anything is copied).

        A claim left by an interrupted run is taken over; losing the race to insert a new
        claim raises :class:`ClaimedElsewhere` (another process is taking the file in).
        """
        try:
            with self.engine.begin() as conn:
                statements.claim(conn, meta, kept_path)
        except IntegrityError as exc:
            raise ClaimedElsewhere(meta.relative_path) from exc

    def release(self, source: str, relative_path: str) -> None:
        """The file has left the inbox: forget its claim and sightings."""
        claims, sightings = statements.release_statements()
        with self.engine.begin() as conn:
            conn.execute(claims, {"source": source, "path": relative_path})
            conn.execute(sightings, {"source": source, "path": relative_path})

    def claims(self, source: str) -> list[IntakeClaim]:
        """Claims left by an intake that did not finish (a crash or a killed run)."""
        with self._session() as s:
            return [IntakeClaim(r.source, r.relative_path, r.content_hash, r.kept_path, r.done)
                    for r in s.scalars(select(IntakeClaimRow).filter_by(source=source)
                                       .order_by(IntakeClaimRow.id))]

    def forget_sightings_except(self, source: str, present: set[str]) -> None:
        """Drop sightings of files no longer in the folder."""
        with self._session() as s:
            for row in s.scalars(select(FileSightingRow).filter_by(source=source)):
                if row.relative_path not in present:
                    s.delete(row)

    def has_intake_event(self, content_hash: str, outcome: str) -> bool:
        with self._session() as s:
            return s.scalars(select(IntakeEventRow.id).filter_by(
                content_hash=content_hash, outcome=outcome)).first() is not None

    def known_hashes(self, hashes: Sequence[str]) -> set[str]:
        """Which of these contents are stored (accepted, rejected or being taken in)."""
        found: set[str] = set()
        with self._session() as s:
            for model in (SubmissionRow, PortalFileRow, DossierFileRow, RejectionRow,
                          IntakeClaimRow, ParSelfAssessmentRow, ParAppraisalRow):
                for start in range(0, len(hashes), 500):
                    chunk = list(hashes[start:start + 500])
                    found.update(s.scalars(select(model.content_hash)
                                           .where(model.content_hash.in_(chunk))))
        return found

    def log_intake(self, meta: FileMeta, outcome: str, detail: str | None = None) -> None:
        """Record an outcome; the file's claim (if any) is marked done in the same commit."""
        with self._session() as s:
            record_intake(s, meta, outcome, detail)

    def add_submission(self, submission: Submission, meta: FileMeta,
                       archive_path: str) -> tuple[int, list[int]]:
        """Store an accepted file and its rows; returns its id and the ids it superseded.

        The newest file (by first-seen time) per agency and period is current; a unique
        index keeps one current file, and a run that loses a race retries. The intake
        event, the file's claim and clearing an earlier rejection of the same content
        are committed together with the rows.
        """
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with self.engine.begin() as conn:
                    existing = statements.stored_submission(conn, meta.content_hash)
                    if existing is not None:  # stored meanwhile by another run
                        statements.record_event(conn, meta, "duplicate",
                                                "đã được lưu bởi lần chạy khác")
                        return existing, []
                    return statements.insert_submission(conn, submission, meta,
                                                        archive_path)
            except (IntegrityError, OperationalError):
                retry_pause(attempt)
        raise RuntimeError(f"không lưu được {meta.file_name}: quá nhiều lượt ghi "
                           "cùng lúc vào cơ sở dữ liệu")

    def resubmit(self, meta: FileMeta) -> tuple[int, list[int]]:
        """The same content as an earlier, superseded submission was sent again: its new
        first-seen time is the later event, so it becomes current again if newest."""
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with self._session() as s:
                    row = s.scalars(select(SubmissionRow).filter_by(
                        content_hash=meta.content_hash)).one()
                    row.arrived_at = max(row.arrived_at, meta.arrived_at)
                    row.collected_at = meta.collected_at
                    row.file_name, row.origin_path = meta.file_name, meta.origin_path
                    siblings = _siblings(s, row.agency_code, row.period)
                    superseded = settle_current_rows(s, siblings, row.id)
                    clear_rejection(s, meta)
                    outcome = "accepted" if row.superseded_by is None else "duplicate"
                    record_intake(s, meta, outcome, "gửi lại tệp đã nhận trước đây")
                    return row.id, superseded
            except (IntegrityError, OperationalError):
                retry_pause(attempt)
        raise RuntimeError(f"không lưu được {meta.file_name}: quá nhiều lượt ghi "
                           "cùng lúc vào cơ sở dữ liệu")

    def add_rejection(self, meta: FileMeta, period: str | None, quarantine_path: str,
                      problems: Sequence[Problem], detail: str | None = None) -> None:
        """Record a rejected file (the first time this content is rejected) and its intake
        event in one commit."""
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with self._session() as s:
                    known = s.scalars(select(RejectionRow).filter_by(
                        content_hash=meta.content_hash)).first()
                    if known is None:
                        s.add(RejectionRow(
                            source=meta.source, agency_folder=meta.agency_folder,
                            file_name=meta.file_name, content_hash=meta.content_hash,
                            period=period, arrived_at=meta.arrived_at,
                            collected_at=meta.collected_at, quarantine_path=quarantine_path,
                            problems=json.dumps([asdict(p) for p in problems],
                                                ensure_ascii=False),
                        ))
                    elif known.cleared_at is not None:  # rejected again: it counts again
                        known.cleared_at = None
                    record_intake(s, meta, "rejected", detail or f"{len(problems)} lỗi")
                    return
            except (IntegrityError, OperationalError):
                retry_pause(attempt)
        raise RuntimeError(f"không ghi được việc từ chối tệp {meta.file_name}")

    def add_warning_receipt(self, meta: FileMeta, text: str) -> None:
        """Record an accepted file's warning receipt: an intake event ``warned`` holding
        the receipt's text (what the agency's page shows), once per content."""
        with self._session() as s:
            if s.scalars(select(IntakeEventRow.id).filter_by(
                    content_hash=meta.content_hash, outcome=WARNED)).first() is None:
                s.add(IntakeEventRow(source=meta.source, agency_folder=meta.agency_folder,
                                     file_name=meta.file_name,
                                     content_hash=meta.content_hash, outcome=WARNED,
                                     detail=text, at=meta.collected_at))

    # --- submissions -------------------------------------------------------------
    def current_submissions(self, period: str) -> list[StoredSubmission]:
        with self._session() as s:
            rows = s.scalars(select(SubmissionRow).filter_by(period=period, superseded_by=None)
                             .order_by(SubmissionRow.agency_code))
            return [StoredSubmission(r.id, r.agency_code, r.period, r.content_hash, r.file_name,
                                     r.archive_path, r.arrived_at) for r in rows]

    def first_arrivals(self, period: str) -> dict[str, datetime]:
        """When each agency's first accepted file for ``period`` arrived, counting files
        a later correction superseded (timeliness is decided by the first one)."""
        with self._session() as s:
            first = func.min(SubmissionRow.arrived_at).label("first_arrived")
            rows = s.execute(select(SubmissionRow.agency_code, first)
                             .where(SubmissionRow.period == period)
                             .group_by(SubmissionRow.agency_code))
            return {code: arrived for code, arrived in rows}

    def task_reports_until(self, last_month: str) -> list[StoredTaskReport]:
        """Task lines of every current monthly submission up to and including the month
        ``last_month`` (``YYYY-MM``); submissions labelled with other period kinds are
        left out, so months and quarters are never compared as text."""
        if not _MONTH_LABEL.match(last_month):
            raise ValueError(f"not a month label: {last_month}")
        with self._session() as s:
            rows = s.execute(
                select(SubmissionRow, TaskReportRow)
                .join(TaskReportRow, TaskReportRow.submission_id == SubmissionRow.id)
                .where(SubmissionRow.superseded_by.is_(None),
                       SubmissionRow.period <= last_month)
                .order_by(SubmissionRow.period, SubmissionRow.arrived_at, TaskReportRow.id)
            )
            return [StoredTaskReport(sub.agency_code, sub.period, sub.arrived_at, t.task_id,
                                     t.status, t.progress, t.completed_on, t.result,
                                     t.difficulties) for sub, t in rows
                    if _MONTH_LABEL.match(sub.period)]

    def task_reports_of(self, period: str) -> list[StoredTaskReport]:
        """Task lines of the current submissions labelled with ``period`` itself (a
        quarterly, half-year, 9-month or year file)."""
        with self._session() as s:
            rows = s.execute(
                select(SubmissionRow, TaskReportRow)
                .join(TaskReportRow, TaskReportRow.submission_id == SubmissionRow.id)
                .where(SubmissionRow.superseded_by.is_(None), SubmissionRow.period == period)
                .order_by(SubmissionRow.arrived_at, TaskReportRow.id)
            )
            return [StoredTaskReport(sub.agency_code, sub.period, sub.arrived_at, t.task_id,
                                     t.status, t.progress, t.completed_on, t.result,
                                     t.difficulties) for sub, t in rows]

    def metric_reports(self, period: str) -> list[StoredMetricReport]:
        with self._session() as s:
            rows = s.execute(
                select(SubmissionRow.agency_code, MetricReportRow.metric_code,
                       MetricReportRow.value)
                .join(MetricReportRow, MetricReportRow.submission_id == SubmissionRow.id)
                .where(SubmissionRow.superseded_by.is_(None), SubmissionRow.period == period)
                .order_by(SubmissionRow.agency_code, MetricReportRow.id)
            )
            return [StoredMetricReport(a, m, v) for a, m, v in rows]

    def metric_reports_in(self, periods: Sequence[str], agency_code: str | None = None
                          ) -> dict[str, list[StoredMetricReport]]:
        """The current submissions' metric values of ``periods`` (one unit's with
        ``agency_code``), by period: the history the plausibility checks compare with."""
        if not periods:
            return {}
        query = (select(SubmissionRow.period, SubmissionRow.agency_code,
                        MetricReportRow.metric_code, MetricReportRow.value)
                 .join(MetricReportRow, MetricReportRow.submission_id == SubmissionRow.id)
                 .where(SubmissionRow.superseded_by.is_(None),
                        SubmissionRow.period.in_(list(periods)))
                 .order_by(SubmissionRow.period, SubmissionRow.agency_code,
                           MetricReportRow.id))
        if agency_code is not None:
            query = query.where(SubmissionRow.agency_code == agency_code)
        found: dict[str, list[StoredMetricReport]] = {}
        with self._session() as s:
            for period, agency, metric, value in s.execute(query):
                found.setdefault(period, []).append(StoredMetricReport(agency, metric, value))
        return found

    def receipts_since(self, since: datetime) -> list[ReceiptToMail]:
        """Agency files rejected since ``since`` whose content has not been accepted later."""
        with self._session() as s:
            rows = s.scalars(
                select(RejectionRow).where(RejectionRow.source == "inbox",
                                           RejectionRow.cleared_at.is_(None),
                                           RejectionRow.arrived_at >= since)
                .order_by(RejectionRow.arrived_at, RejectionRow.id))
            return [ReceiptToMail(r.id, r.agency_folder, r.file_name, r.quarantine_path,
                                  r.arrived_at) for r in rows]

    def warning_receipts_since(self, since: datetime) -> list[WarningReceiptToMail]:
        """Agency files accepted since ``since`` with a warning receipt (an intake event
        ``warned``), whether or not a later file superseded them: the agency was told."""
        with self._session() as s:
            rows = s.scalars(
                select(SubmissionRow)
                .join(IntakeEventRow, IntakeEventRow.content_hash == SubmissionRow.content_hash)
                .where(IntakeEventRow.outcome == WARNED, IntakeEventRow.source == "inbox",
                       SubmissionRow.arrived_at >= since)
                .order_by(SubmissionRow.arrived_at, SubmissionRow.id))
            return [WarningReceiptToMail(r.id, r.agency_code, r.file_name, r.archive_path,
                                         r.arrived_at) for r in rows]

    def rejections_for(self, period: str, since: datetime,
                       until: datetime) -> list[StoredRejection]:
        """Rejected files of the period, and those whose period could not be read that
        arrived between ``since`` and ``until``; not those whose content was accepted
        later."""
        with self._session() as s:
            rows = s.scalars(
                select(RejectionRow).where(RejectionRow.cleared_at.is_(None), or_(
                    RejectionRow.period == period,
                    RejectionRow.period.is_(None)
                    & RejectionRow.arrived_at.between(since, until),
                )).order_by(RejectionRow.arrived_at, RejectionRow.id))
            return [StoredRejection(r.source, r.agency_folder, r.file_name, r.content_hash,
                                    r.period, r.arrived_at,
                                    tuple(Problem(**p) for p in json.loads(r.problems)))
                    for r in rows]


def record_intake(s: Session, meta: FileMeta, outcome: str, detail: str | None) -> None:
    """The intake event, and the file's claim marked done, in the caller's transaction."""
    s.add(IntakeEventRow(source=meta.source, agency_folder=meta.agency_folder,
                         file_name=meta.file_name, content_hash=meta.content_hash,
                         outcome=outcome, detail=detail, at=meta.collected_at))
    if meta.relative_path:
        s.execute(update(IntakeClaimRow).filter_by(source=meta.source,
                                                   relative_path=meta.relative_path)
                  .values(done=True))


def clear_rejection(s: Session, meta: FileMeta) -> None:
    s.execute(update(RejectionRow).where(RejectionRow.content_hash == meta.content_hash,
                                         RejectionRow.cleared_at.is_(None))
              .values(cleared_at=meta.collected_at))


def _siblings(s: Session, agency_code: str, period: str) -> list[SubmissionRow]:
    """The agency's files for the period, the current one first."""
    rows = list(s.scalars(select(SubmissionRow).filter_by(agency_code=agency_code,
                                                          period=period)))
    return sorted(rows, key=lambda r: (r.superseded_by is not None, r.id))


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
