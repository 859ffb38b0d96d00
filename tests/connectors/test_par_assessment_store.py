"""The CCHC index's self-assessment and appraisal tables (connectors/par_assessment_store.py)
on a real database, SQLite and PostgreSQL: one current file per unit and year (per year
for the appraisal), a late older file kept superseded, the same content again current
again, and the merge into AssessedCriterion values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connectors.database import Database
from tasks.model.par_assessment import AssessedCriterion
from tasks.model.par_files import Appraisal, AppraisedLine, SelfAssessedLine, SelfAssessment
from tasks.model.records import FileMeta
from tests.builders import file_meta

T0 = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)


def _self(unit: str, *lines: tuple[str, float, str | None]) -> SelfAssessment:
    return SelfAssessment(unit, 2025, tuple(SelfAssessedLine(c, p, e, row)
                                            for row, (c, p, e) in enumerate(lines, start=3)))


def _meta(name: str, content_hash: str, at: datetime, folder: str = "STP") -> FileMeta:
    return file_meta(name, content_hash, at, source="inbox", folder=folder)


def test_the_newest_self_assessment_of_a_unit_is_current(db: Database) -> None:
    first, _ = db.add_par_self_assessment(_self("STP", ("1.2", 2, "BC")),
                                          _meta("a.xlsx", "h1", T0), "archive/h1.xlsx")
    newer, superseded = db.add_par_self_assessment(
        _self("STP", ("1.2", 1.5, "BC quý"), ("1.3", 1, "KT")),
        _meta("b.xlsx", "h2", T0 + timedelta(hours=2)), "archive/h2.xlsx")
    assert superseded == [first]
    # a file first seen between the two, taken in late, is kept but not current
    _late, superseded = db.add_par_self_assessment(
        _self("STP", ("1.2", 0, None)), _meta("c.xlsx", "h3", T0 + timedelta(hours=1)),
        "archive/h3.xlsx")
    assert superseded == []
    # another unit's file is its own
    db.add_par_self_assessment(_self("STC", ("1.2", 2, "BC")),
                               _meta("d.xlsx", "h4", T0, "STC"), "archive/h4.xlsx")
    assert db.par_self_claims(2025) == {("STP", "1.2"): 1.5, ("STP", "1.3"): 1.0,
                                        ("STC", "1.2"): 2.0}
    assert db.par_self_claims(2024) == {}
    assert db.assessments(2025) == [
        AssessedCriterion("STC", 2025, "1.2", 2.0, "BC", "archive/h4.xlsx"),
        AssessedCriterion("STP", 2025, "1.2", 1.5, "BC quý", "archive/h2.xlsx"),
        AssessedCriterion("STP", 2025, "1.3", 1.0, "KT", "archive/h2.xlsx"),
    ]
    assert newer != first


def test_the_same_content_again_is_the_units_latest_word(db: Database) -> None:
    first, _ = db.add_par_self_assessment(_self("STP", ("1.2", 2, "BC")),
                                          _meta("a.xlsx", "h1", T0), "archive/h1.xlsx")
    second, _ = db.add_par_self_assessment(_self("STP", ("1.2", 1, "BC")),
                                           _meta("b.xlsx", "h2", T0 + timedelta(hours=1)),
                                           "archive/h2.xlsx")
    again, superseded = db.add_par_self_assessment(
        _self("STP", ("1.2", 2, "BC")), _meta("a.xlsx", "h1", T0 + timedelta(hours=2)),
        "archive/h1.xlsx")
    assert (again, superseded) == (first, [second])
    assert [a.self_points for a in db.assessments(2025)] == [2.0]
    assert db.has_intake_event("h1", "accepted")


def test_appraisal_rows_merge_with_claims_and_a_newer_appraisal_replaces(db: Database) -> None:
    db.add_par_self_assessment(_self("STP", ("1.2", 2, "BC"), ("1.10", 1, "X")),
                               _meta("a.xlsx", "h1", T0), "archive/h1.xlsx")
    first, _ = db.add_par_appraisal(
        Appraisal(2025, (AppraisedLine("STP", "1.2", 1.0, "nộp muộn", 2),
                         AppraisedLine("STP", "1.1.2", 1.0, None, 3))),
        _meta("tham-dinh.xlsx", "a1", T0 + timedelta(days=1), "SNV"), "archive/a1.xlsx")
    # ids ordered as numbers: 1.2 before 1.10
    assert db.assessments(2025) == [
        AssessedCriterion("STP", 2025, "1.1.2", appraised_points=1.0,
                          appraisal_source="archive/a1.xlsx"),
        AssessedCriterion("STP", 2025, "1.2", 2.0, "BC", "archive/h1.xlsx", 1.0, "nộp muộn",
                          "archive/a1.xlsx"),
        AssessedCriterion("STP", 2025, "1.10", 1.0, "X", "archive/h1.xlsx"),
    ]
    _second, superseded = db.add_par_appraisal(
        Appraisal(2025, (AppraisedLine("STP", "1.10", 0.5, "thiếu tài liệu", 2),)),
        _meta("tham-dinh-2.xlsx", "a2", T0 + timedelta(days=2), "SNV"), "archive/a2.xlsx")
    assert superseded == [first]
    assert [(a.criterion_id, a.points) for a in db.assessments(2025)] == [("1.2", 2.0),
                                                                          ("1.10", 0.5)]
