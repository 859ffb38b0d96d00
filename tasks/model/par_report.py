"""The yearly CCHC index as a report shows it: each unit's points per criterion and area,
its rank in its group, its band and its change against last year.

Computed in :mod:`tasks.indicators.par_year`; rendered by the workbook, Word and HTML
writers (:mod:`tasks.report`) and read back by ``cchc trace`` from ``indicators.json``.
Every point keeps where it came from: the indicator's months and the published monthly
report versions they were read from, or the self-assessment / appraisal file and reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# where a leaf's final points come from
SOURCE_COMPUTED = "computed"
SOURCE_SELF = "self_assessed"
SOURCE_APPRAISED = "appraised"
SOURCE_NONE = "none"
SOURCE_NAMES: dict[str, str] = {
    SOURCE_COMPUTED: "tính từ số liệu",
    SOURCE_SELF: "đơn vị tự chấm",
    SOURCE_APPRAISED: "Sở Nội vụ thẩm định",
    SOURCE_NONE: "chưa có điểm",
}
NO_ASSESSMENT_VI = "chưa có điểm tự chấm/thẩm định"


@dataclass(frozen=True)
class MonthFigure:
    """One unit's indicator in one month, as the month's published report version holds it."""

    month: int
    period: str  # "2025-03"
    version: int
    numerator: float | None
    denominator: float | None
    value: float | None


@dataclass(frozen=True)
class YearValue:
    """A unit's value of one indicator for the year, over the months it existed.

    ``how`` says in Vietnamese how it was derived (summed parts, or the stock of a month);
    ``used`` are the month figures it was derived from, ``lacking`` the unit's months
    without a published figure.
    """

    indicator: str
    value: float | None
    numerator: float | None
    denominator: float | None
    how: str
    used: tuple[MonthFigure, ...] = ()
    lacking: tuple[int, ...] = ()


@dataclass(frozen=True)
class LeafPoints:
    """One scored item of one unit: its final points, where they came from and why."""

    criterion_id: str
    area_id: str
    name: str
    method: str  # computed, self_assessed, appraised, survey
    max_points: float
    points: float
    source: str  # SOURCE_*
    reason: str
    computed_points: float | None = None
    year_value: YearValue | None = None
    self_points: float | None = None
    evidence: str | None = None
    self_source: str | None = None
    appraised_points: float | None = None
    appraisal_reason: str | None = None
    appraisal_source: str | None = None


@dataclass(frozen=True)
class AreaTotal:
    area_id: str
    name: str
    max_points: float
    points: float


@dataclass(frozen=True)
class UnitIndex:
    """One unit's index for the year, ranked in its group."""

    unit: str
    unit_name: str
    set_id: str
    months: tuple[int, ...]
    points: float
    max_points: float
    areas: tuple[AreaTotal, ...]
    leaves: tuple[LeafPoints, ...]
    rank: int = 0
    band: str | None = None
    last_year: float | None = None
    successors: tuple[str, ...] = ()  # "Sở Tài chính (STC)": who took over a closed unit

    @property
    def change(self) -> float | None:
        if self.last_year is None:
            return None
        return round(self.points - self.last_year, 2)

    def months_vi(self) -> str:
        """«cả năm» or «3 tháng (01–03)»."""
        if len(self.months) == 12:
            return "cả năm"
        return (f"{len(self.months)} tháng ({self.months[0]:02d}–{self.months[-1]:02d})"
                if len(self.months) > 1 else f"1 tháng ({self.months[0]:02d})")

    def leaf(self, criterion_id: str) -> LeafPoints | None:
        return next((x for x in self.leaves if x.criterion_id == criterion_id), None)


@dataclass(frozen=True)
class IndexGroup:
    """The units one criteria set scores (departments; communes), ranked."""

    set_id: str
    name: str
    sample: bool
    max_points: float
    areas: tuple[AreaTotal, ...]  # the set's areas with their maximum (points 0)
    units: tuple[UnitIndex, ...]


@dataclass(frozen=True)
class ParIndexReport:
    """The year's CCHC index of every group; ``notes`` say what a reader must know (no
    last year's index, months without a published report, a sample criteria set)."""

    year: int
    groups: tuple[IndexGroup, ...]
    last_year_found: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    def unit(self, code: str) -> UnitIndex | None:
        return next((u for g in self.groups for u in g.units if u.unit == code), None)
