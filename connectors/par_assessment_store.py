"""The CCHC index's self-assessment and appraisal files: stored at intake, one current
file per unit and year (self-assessment) and per year (appraisal), and read back merged
as :class:`AssessedCriterion` values for the yearly index."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from connectors.db_schema import (
    ParAppraisalRow,
    ParAppraisedLineRow,
    ParSelfAssessedLineRow,
    ParSelfAssessmentRow,
)
from connectors.db_session import WRITE_ATTEMPTS, Tables, retry_pause, settle_current_rows
from connectors.intake_store import clear_rejection, record_intake
from tasks.model.par_assessment import AssessedCriterion
from tasks.model.par_files import Appraisal, SelfAssessment
from tasks.model.records import FileMeta

FileRow = ParSelfAssessmentRow | ParAppraisalRow


def _criterion_order(criterion_id: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in criterion_id.split("."))


class ParAssessmentTables(Tables):
    def add_par_self_assessment(self, assessment: SelfAssessment, meta: FileMeta,
                                archive_path: str) -> tuple[int, list[int]]:
        """Store a unit's accepted self-assessment and its lines; the newest of the unit's
        files for the year (by first-seen time) becomes the only current one. The same
        content sent again is the unit's latest word again (its first-seen time moves
        on). Returns the row id and the ids it superseded."""
        return self._store(meta, lambda s: self._self_row(s, assessment, meta, archive_path))

    def add_par_appraisal(self, appraisal: Appraisal, meta: FileMeta,
                          archive_path: str) -> tuple[int, list[int]]:
        """Store Sở Nội vụ's accepted appraisal; the newest of the year's files replaces
        the earlier one whole."""
        return self._store(meta, lambda s: self._appraisal_row(s, appraisal, meta,
                                                                archive_path))

    def _store(self, meta: FileMeta,
               write: Callable[[Session], tuple[int, list[int], bool]]
               ) -> tuple[int, list[int]]:
        """``write`` in one commit with clearing an earlier rejection of the content and
        the intake event, retried when a concurrent writer got in first."""
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with self._session() as s:
                    row_id, superseded, again = write(s)
                    clear_rejection(s, meta)
                    detail = ("gửi lại tệp đã nhận trước đây" if again else
                              f"thay thế {len(superseded)} tệp trước" if superseded else None)
                    record_intake(s, meta, "accepted", detail)
                    return row_id, superseded
            except (IntegrityError, OperationalError):
                retry_pause(attempt)
        raise RuntimeError(f"không lưu được {meta.file_name}: quá nhiều lượt ghi "
                           "cùng lúc vào cơ sở dữ liệu")

    @staticmethod
    def _self_row(s: Session, assessment: SelfAssessment, meta: FileMeta,
                  archive_path: str) -> tuple[int, list[int], bool]:
        siblings: list[FileRow] = list(s.scalars(select(ParSelfAssessmentRow).filter_by(
            unit_code=assessment.unit, year=assessment.year)))
        return _keep_file(s, siblings, meta, lambda current: ParSelfAssessmentRow(
            unit_code=assessment.unit, year=assessment.year,
            content_hash=meta.content_hash, file_name=meta.file_name,
            origin_path=meta.origin_path, archive_path=archive_path,
            arrived_at=meta.arrived_at, collected_at=meta.collected_at,
            superseded_by=current), lambda file_id: [
            ParSelfAssessedLineRow(assessment_id=file_id, criterion_id=line.criterion_id,
                                   points=line.points, evidence=line.evidence,
                                   source_row=line.row)
            for line in assessment.lines])

    @staticmethod
    def _appraisal_row(s: Session, appraisal: Appraisal, meta: FileMeta,
                       archive_path: str) -> tuple[int, list[int], bool]:
        siblings: list[FileRow] = list(s.scalars(select(ParAppraisalRow).filter_by(
            year=appraisal.year)))
        return _keep_file(s, siblings, meta, lambda current: ParAppraisalRow(
            year=appraisal.year, content_hash=meta.content_hash,
            file_name=meta.file_name, origin_path=meta.origin_path,
            archive_path=archive_path, arrived_at=meta.arrived_at,
            collected_at=meta.collected_at, superseded_by=current), lambda file_id: [
            ParAppraisedLineRow(appraisal_id=file_id, unit_code=line.unit,
                                criterion_id=line.criterion_id, points=line.points,
                                reason=line.reason, source_row=line.row)
            for line in appraisal.lines])

    def par_self_claims(self, year: int) -> dict[tuple[str, str], float]:
        """(unit, criterion id) -> the points each unit's current self-assessment claims."""
        with self._session() as s:
            rows = s.execute(
                select(ParSelfAssessmentRow.unit_code, ParSelfAssessedLineRow.criterion_id,
                       ParSelfAssessedLineRow.points)
                .join(ParSelfAssessedLineRow,
                      ParSelfAssessedLineRow.assessment_id == ParSelfAssessmentRow.id)
                .where(ParSelfAssessmentRow.year == year,
                       ParSelfAssessmentRow.superseded_by.is_(None)))
            return {(unit, criterion): points for unit, criterion, points in rows}

    def assessments(self, year: int) -> list[AssessedCriterion]:
        """Every criterion of ``year`` that a unit claimed or Sở Nội vụ appraised, from
        the current files: the claim, the appraisal, and the archive path of the stored
        file each came from (``*_source``), ordered by unit and criterion."""
        found: dict[tuple[str, str], AssessedCriterion] = {}
        with self._session() as s:
            claimed = s.execute(
                select(ParSelfAssessmentRow, ParSelfAssessedLineRow)
                .join(ParSelfAssessedLineRow,
                      ParSelfAssessedLineRow.assessment_id == ParSelfAssessmentRow.id)
                .where(ParSelfAssessmentRow.year == year,
                       ParSelfAssessmentRow.superseded_by.is_(None)))
            for file, line in claimed:
                found[file.unit_code, line.criterion_id] = AssessedCriterion(
                    unit=file.unit_code, year=year, criterion_id=line.criterion_id,
                    self_points=line.points, evidence=line.evidence,
                    self_source=file.archive_path)
            appraised = s.execute(
                select(ParAppraisalRow, ParAppraisedLineRow)
                .join(ParAppraisedLineRow, ParAppraisedLineRow.appraisal_id == ParAppraisalRow.id)
                .where(ParAppraisalRow.year == year, ParAppraisalRow.superseded_by.is_(None)))
            for appraisal, set_line in appraised:
                key = (set_line.unit_code, set_line.criterion_id)
                base = found.get(key) or AssessedCriterion(set_line.unit_code, year,
                                                           set_line.criterion_id)
                found[key] = replace(base, appraised_points=set_line.points,
                                     appraisal_reason=set_line.reason,
                                     appraisal_source=appraisal.archive_path)
        return sorted(found.values(),
                      key=lambda a: (a.unit, _criterion_order(a.criterion_id)))


def _keep_file(s: Session, siblings: list[FileRow], meta: FileMeta,
               new_row: Callable[[int | None], FileRow],
               lines: Callable[[int], Sequence[object]]) -> tuple[int, list[int], bool]:
    """Store a file among its ``siblings`` (the unit's and year's files of its kind): the
    same content again only updates its times; new content gets its row (pointing to the
    current one until settled) and its ``lines``; then the newest is made current.
    Returns its id, the ids it superseded, and whether it was already stored."""
    row = next((r for r in siblings if r.content_hash == meta.content_hash), None)
    again = row is not None
    if row is None:
        current = next((r for r in siblings if r.superseded_by is None), None)
        row = new_row(current.id if current else None)
        s.add(row)
        s.flush()
        s.add_all(lines(row.id))
        siblings.append(row)
    else:
        row.arrived_at = max(row.arrived_at, meta.arrived_at)
        row.collected_at = meta.collected_at
    return row.id, settle_current_rows(s, siblings, row.id), again
