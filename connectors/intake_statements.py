"""The statements of one file's intake, built once and run on the transaction's
connection with bound values.

SQLAlchemy builds, keys and (on a cache miss) compiles a statement each time one is
written out in a method; for a small file that costs more than the database's own work.
These are the statements of the common path (the content lookup, the claim, an accepted
file's rows and event), each made on first use and reused with new values.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Delete,
    Insert,
    Select,
    String,
    Update,
    bindparam,
    delete,
    insert,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.sql.selectable import CompoundSelect

from connectors.db_schema import (
    DossierFileRow,
    FileSightingRow,
    IntakeClaimRow,
    IntakeEventRow,
    MetricReportRow,
    PortalFileRow,
    RejectionRow,
    SubmissionRow,
    TaskReportRow,
)
from tasks.model.records import FileMeta, KnownFile
from tasks.model.submission import Submission

REJECTED_RANK = 3


@cache
def known_query() -> CompoundSelect[Any, Any, Any, Any, Any]:
    """An earlier file with this content (``:hash``): a submission first, then a portal
    file, a dossier file, a rejection; one row at most."""
    parts = []
    for rank, model, agency, current in (
            (0, SubmissionRow, SubmissionRow.agency_code, SubmissionRow.superseded_by.is_(None)),
            (1, PortalFileRow, literal(None, String), literal(True)),
            (2, DossierFileRow, literal(None, String), literal(True)),
            (REJECTED_RANK, RejectionRow, literal(None, String), literal(True))):
        parts.append(select(literal(rank).label("rank"), model.period, agency,
                            model.collected_at, current)
                     .where(model.content_hash == bindparam("hash")).limit(1)
                     .subquery().select())
    return union_all(*parts).order_by("rank").limit(1)


def known(conn: Connection, content_hash: str, aware: Any) -> KnownFile | None:
    found = conn.execute(known_query(), {"hash": content_hash}).first()
    if found is None:
        return None
    rank, period, agency, collected_at, current = found
    return KnownFile("rejected" if rank == REJECTED_RANK else "accepted", period, agency,
                     aware(collected_at), current=bool(current))


@cache
def _claim_select() -> Select[int]:
    return select(IntakeClaimRow.id).where(IntakeClaimRow.source == bindparam("source"),
                                           IntakeClaimRow.relative_path == bindparam("path"))


@cache
def _claim_insert() -> Insert:
    return insert(IntakeClaimRow)


@cache
def _claim_update() -> Update:
    return (update(IntakeClaimRow).where(IntakeClaimRow.id == bindparam("claim_id"))
            .values(content_hash=bindparam("hash"), kept_path=bindparam("kept"),
                    done=False, claimed_at=bindparam("at")))


def claim(conn: Connection, meta: FileMeta, kept_path: str) -> None:
    """Insert the file's claim, or take over one an interrupted run left (an insert that
    loses a race raises ``IntegrityError``, at once or at the commit)."""
    claim_id = conn.execute(_claim_select(), {"source": meta.source,
                                              "path": meta.relative_path}).scalar()
    if claim_id is None:
        conn.execute(_claim_insert(), {"source": meta.source,
                                       "relative_path": meta.relative_path,
                                       "content_hash": meta.content_hash,
                                       "kept_path": kept_path, "done": False,
                                       "claimed_at": meta.collected_at})
    else:
        conn.execute(_claim_update(), {"claim_id": claim_id, "hash": meta.content_hash,
                                       "kept": kept_path, "at": meta.collected_at})


@cache
def _stored_id() -> Select[int]:
    return select(SubmissionRow.id).where(SubmissionRow.content_hash == bindparam("hash"))


@cache
def _siblings() -> Select[int, int | None, datetime]:
    return select(SubmissionRow.id, SubmissionRow.superseded_by, SubmissionRow.arrived_at
                  ).where(SubmissionRow.agency_code == bindparam("agency"),
                          SubmissionRow.period == bindparam("period"))


@cache
def _insert_submission() -> Insert:
    return insert(SubmissionRow).returning(SubmissionRow.id)


@cache
def _point_to() -> Update:
    return (update(SubmissionRow).where(SubmissionRow.id == bindparam("row_id"))
            .values(superseded_by=bindparam("newest")))


@cache
def _clear_rejection() -> Update:
    return (update(RejectionRow).where(RejectionRow.content_hash == bindparam("hash"),
                                       RejectionRow.cleared_at.is_(None))
            .values(cleared_at=bindparam("at")))


@cache
def _insert_event() -> Insert:
    return insert(IntakeEventRow)


@cache
def _claim_done() -> Update:
    return (update(IntakeClaimRow).where(IntakeClaimRow.source == bindparam("b_source"),
                                         IntakeClaimRow.relative_path == bindparam("path"))
            .values(done=True))


@cache
def _insert_tasks() -> Insert:
    return insert(TaskReportRow)


@cache
def _insert_metrics() -> Insert:
    return insert(MetricReportRow)


def stored_submission(conn: Connection, content_hash: str) -> int | None:
    found: int | None = conn.execute(_stored_id(), {"hash": content_hash}).scalar()
    return found


def record_event(conn: Connection, meta: FileMeta, outcome: str, detail: str | None) -> None:
    """The intake event, and the file's claim marked done, in the caller's transaction."""
    conn.execute(_insert_event(), {"source": meta.source, "agency_folder": meta.agency_folder,
                                   "file_name": meta.file_name,
                                   "content_hash": meta.content_hash, "outcome": outcome,
                                   "detail": detail, "at": meta.collected_at})
    if meta.relative_path:
        conn.execute(_claim_done(), {"b_source": meta.source, "path": meta.relative_path})


def insert_submission(conn: Connection, submission: Submission, meta: FileMeta,
                      archive_path: str) -> tuple[int, list[int]]:
    """The submission, its task and metric rows (one statement a table), the newest of the
    agency's files for the period made the only current one, an earlier rejection of the
    same content cleared, and the intake event; returns its id and the ids it superseded."""
    siblings = [(r[0], r[1], r[2]) for r in conn.execute(_siblings(), {
        "agency": submission.agency_code, "period": submission.period.label})]
    first = min(siblings, key=lambda r: (r[1] is not None, r[0]), default=None)
    new_id: int = conn.execute(_insert_submission(), {
        "agency_code": submission.agency_code, "period": submission.period.label,
        "content_hash": meta.content_hash, "file_name": meta.file_name,
        "origin_path": meta.origin_path, "archive_path": archive_path,
        "arrived_at": meta.arrived_at, "collected_at": meta.collected_at,
        "superseded_by": first[0] if first else None}).scalar_one()
    if submission.tasks:
        conn.execute(_insert_tasks(), [
            {"submission_id": new_id, "task_id": t.task_id, "status": t.status,
             "progress": t.progress, "completed_on": t.completed_on, "result": t.result,
             "difficulties": t.difficulties, "source_row": t.row} for t in submission.tasks])
    if submission.metrics:
        conn.execute(_insert_metrics(), [
            {"submission_id": new_id, "metric_code": m.metric_code, "value": m.value,
             "note": m.note, "source_row": m.row} for m in submission.metrics])
    superseded = settle_current(
        conn, [*siblings, (new_id, first[0] if first else None, meta.arrived_at)], new_id)
    conn.execute(_clear_rejection(), {"hash": meta.content_hash, "at": meta.collected_at})
    record_event(conn, meta, "accepted",
                 f"thay thế {len(superseded)} tệp trước" if superseded else None)
    return new_id, superseded


def settle_current(conn: Connection, siblings: Sequence[tuple[int, int | None, datetime]],
                   new_id: int) -> list[int]:
    """Make the newest sibling (by first-seen time, then id) the only current one; return
    the ids that were current before and are not any more (other than ``new_id``).

    Every other row points to the newest first, then the newest is cleared, so the
    partial unique index never sees two current rows."""
    newest_id, newest_by = max(siblings, key=lambda r: (r[2], r[0]))[:2]
    superseded: list[int] = []
    repoint: list[dict[str, int | None]] = []
    for row_id, by, _arrived in siblings:
        if row_id != newest_id and by != newest_id:
            if by is None and row_id != new_id:
                superseded.append(row_id)
            repoint.append({"row_id": row_id, "newest": newest_id})
    if repoint:
        conn.execute(_point_to(), repoint)
    if newest_by is not None:
        conn.execute(_point_to(), {"row_id": newest_id, "newest": None})
    return superseded


@cache
def release_statements() -> tuple[Delete, Delete]:
    return (delete(IntakeClaimRow).where(IntakeClaimRow.source == bindparam("source"),
                                         IntakeClaimRow.relative_path == bindparam("path")),
            delete(FileSightingRow).where(FileSightingRow.source == bindparam("source"),
                                          FileSightingRow.relative_path == bindparam("path")))
