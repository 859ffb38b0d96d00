"""The two files of the provincial CCHC index that come from people, as the intake
checked them: a unit's self-assessment (points it claims, each with its evidence) and Sở
Nội vụ's appraisal (points it accepts, with a reason where it changes them).

They are stored by the intake (``connectors/par_assessment_store.py``) and read back as
:class:`tasks.model.par_assessment.AssessedCriterion`, the value the yearly index takes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SelfAssessedLine:
    """One claimed criterion; ``row`` is the spreadsheet row it was read on."""

    criterion_id: str
    points: float
    evidence: str | None
    row: int


@dataclass(frozen=True)
class SelfAssessment:
    """A unit's self-assessment for one year: only the criteria it scored."""

    unit: str
    year: int
    lines: tuple[SelfAssessedLine, ...]

    @property
    def period_label(self) -> str:
        """The year as a period label (``2025``): what receipts and the intake log name."""
        return str(self.year)


@dataclass(frozen=True)
class AppraisedLine:
    unit: str
    criterion_id: str
    points: float
    reason: str | None
    row: int


@dataclass(frozen=True)
class Appraisal:
    """Sở Nội vụ's appraisal of one year: the points it sets for any unit's criteria."""

    year: int
    lines: tuple[AppraisedLine, ...]

    @property
    def period_label(self) -> str:
        return str(self.year)
