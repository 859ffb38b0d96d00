"""Points of the provincial CCHC index that do not come from this system's figures.

A unit's self-assessment file claims points (with evidence) for the criteria its criteria
set marks ``self_assessed``; Sở Nội vụ's appraisal file sets the points it accepts for any
criterion, with a reason, and carries the ``appraised`` and ``survey`` criteria. Both are
read at intake and stored; the yearly index (``tasks/indicators``) combines them with the
computed criteria. This module holds only the value that passes between the two.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AssessedCriterion:
    """One criterion of one unit in one year, as the unit claimed it and Sở Nội vụ set it.

    ``self_points`` is ``None`` when the unit claimed nothing; ``appraised_points`` is
    ``None`` when Sở Nội vụ did not change (or has not yet appraised) the criterion. The
    ``*_source`` fields name the stored file each came from, for ``cchc trace``.
    """

    unit: str
    year: int
    criterion_id: str
    self_points: float | None = None
    evidence: str | None = None
    self_source: str | None = None
    appraised_points: float | None = None
    appraisal_reason: str | None = None
    appraisal_source: str | None = None

    @property
    def points(self) -> float | None:
        """The points that count: Sở Nội vụ's when it set them, else the unit's claim."""
        return self.appraised_points if self.appraised_points is not None else self.self_points
