"""An agency's files read back for its web page: its submissions (with their warning
receipts, intake events ``warned``) and its rejections (tables ``submissions``,
``intake_events``, ``rejections``), newest first."""

from __future__ import annotations

import json

from sqlalchemy import select

from connectors.database import Database
from connectors.db_schema import IntakeEventRow, RejectionRow, SubmissionRow
from connectors.db_session import Tables
from tasks.model.agency_files import AgencyFile
from tasks.model.problems import Problem, agency_message
from tasks.model.warning_receipt import WARNED


class AgencyFiles(Tables):
    """Satisfies :class:`tasks.model.agency_files.AgencyFileSource`."""

    def __init__(self, db: Database) -> None:
        super().__init__(db.engine)

    def files_of(self, agency_code: str) -> list[AgencyFile]:
        code = agency_code.upper()
        with self._session() as s:
            warned: dict[str, str | None] = {
                content_hash: detail for content_hash, detail in s.execute(
                    select(IntakeEventRow.content_hash, IntakeEventRow.detail)
                    .join(SubmissionRow,
                          SubmissionRow.content_hash == IntakeEventRow.content_hash)
                    .where(SubmissionRow.agency_code == code,
                           IntakeEventRow.outcome == WARNED))}
            accepted = [AgencyFile(r.period, r.file_name, r.arrived_at, "accepted",
                                   current=r.superseded_by is None,
                                   warning_receipt=warned.get(r.content_hash))
                        for r in s.scalars(select(SubmissionRow).filter_by(agency_code=code))]
            rejected = [AgencyFile(r.period, r.file_name, r.arrived_at, "rejected",
                                   problems=tuple(_shown(p) for p in json.loads(r.problems)))
                        for r in s.scalars(select(RejectionRow).where(
                            RejectionRow.source == "inbox",
                            RejectionRow.agency_folder.in_([code, agency_code]),
                            RejectionRow.cleared_at.is_(None)))]
        return sorted(accepted + rejected, key=lambda f: f.arrived_at, reverse=True)


def _shown(stored: dict[str, object]) -> Problem:
    """A stored problem as an agency may read it (no server path, no exception name)."""
    problem = Problem(**stored)  # type: ignore[arg-type]
    return Problem(agency_message(problem.message), problem.sheet, problem.row,
                   problem.column)
