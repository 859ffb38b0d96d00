"""The provincial CCHC index's criteria (``config/data/par-index/*.yaml``): areas, criteria,
sub-criteria, their maximum points and how each is scored.

Every province sets its own index of departments and of commune-level People's Committees
by a yearly decision; the criteria are therefore data, dated like the task registers (a
``document`` with ``applies_from`` / ``applies_to``), one file per group of units. Replacing
the shipped sample by the province's decision is editing these files, never the code.

A leaf (a criterion without sub-criteria, or a sub-criterion) carries its method:
``computed`` from an indicator of this system with a scoring rule (``thresholds``,
``linear``, ``all_or_nothing``), or ``self_assessed``, ``appraised``, ``survey``, whose
points come from outside (the unit's self-assessment, Sở Nội vụ's appraisal, a survey).

Loaded and validated with pydantic (:func:`load_par_criteria`): the points add up at
every level, an indicator is one this system computes for a unit, and no two sets apply
to the same kind of unit at the same time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from config.errors import CchcError
from config.index766 import load_index766
from config.registry import Document, IndicatorFile, load_unit_kinds, overlaps
from config.yaml_files import read_yaml

PAR_INDEX_DIR = "par-index"
# points are written with at most two decimals; sums are compared with this tolerance
_EPSILON = 1e-6


class ParCriteriaError(CchcError, ValueError):
    """A criteria file of the CCHC index that is inconsistent."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- scoring rules ------------------------------------------------------------------------
class ThresholdStep(_Strict):
    """``points`` for a value at or above ``min``."""

    min: float = Field(ge=0)
    points: float = Field(ge=0)


class ThresholdsRule(_Strict):
    """Steps: the points of the highest step whose ``min`` the value reaches, else 0.
    Higher values are better; for "the fewer the better" use ``all_or_nothing`` with ``<=``."""

    kind: Literal["thresholds"]
    steps: tuple[ThresholdStep, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> ThresholdsRule:
        for lower, upper in zip(self.steps, self.steps[1:], strict=False):
            if upper.min <= lower.min:
                raise ValueError("các bậc (steps) phải ghi theo ngưỡng (min) tăng dần")
            if upper.points < lower.points:
                raise ValueError(f"bậc ngưỡng {upper.min:g} cho ít điểm hơn bậc ngưỡng "
                                 f"{lower.min:g}")
        return self


class LinearRule(_Strict):
    """Full points at or above ``full_at``; below, points in proportion to the value."""

    kind: Literal["linear"]
    full_at: float = Field(gt=0)


class AllOrNothingRule(_Strict):
    """Full points when ``value op target`` holds, else 0."""

    kind: Literal["all_or_nothing"]
    op: Literal[">=", "<="]
    value: float


ScoringRule = Annotated[ThresholdsRule | LinearRule | AllOrNothingRule,
                        Field(discriminator="kind")]


class ComputedMethod(_Strict):
    """``nothing_due``: the points when the indicator is a rate with nothing to count over
    the unit's months (denominator 0: no task due, no dossier): ``zero`` (the default) or
    ``full`` (nothing was due, so nothing was failed), as the province's decision says."""

    kind: Literal["computed"]
    indicator: str
    rule: ScoringRule
    nothing_due: Literal["zero", "full"] = "zero"


class OutsideMethod(_Strict):
    """Points that come from outside the system's data."""

    kind: Literal["self_assessed", "appraised", "survey"]


Method = Annotated[ComputedMethod | OutsideMethod, Field(discriminator="kind")]

METHOD_NAMES: dict[str, str] = {
    "computed": "tính từ số liệu của hệ thống",
    "self_assessed": "đơn vị tự chấm",
    "appraised": "Sở Nội vụ thẩm định",
    "survey": "điều tra xã hội học",
}


# --- the tree -----------------------------------------------------------------------------
def _check_rule(leaf_id: str, max_points: float, method: ComputedMethod) -> None:
    rule = method.rule
    if isinstance(rule, ThresholdsRule):
        top = rule.steps[-1].points
        if abs(top - max_points) > _EPSILON:
            raise ValueError(f"tiêu chí {leaf_id}: bậc cao nhất cho {top:g} điểm, không phải "
                             f"{max_points:g} điểm tối đa của tiêu chí")


class SubCriterion(_Strict):
    id: str = Field(pattern=r"^[0-9]+(\.[0-9]+)*$")
    name: str
    max_points: float = Field(gt=0)
    method: Method

    @model_validator(mode="after")
    def _rule_fits(self) -> SubCriterion:
        if isinstance(self.method, ComputedMethod):
            _check_rule(self.id, self.max_points, self.method)
        return self


class Criterion(_Strict):
    """A criterion: either a leaf with its ``method``, or ``sub_criteria`` that add up to
    its ``max_points``."""

    id: str = Field(pattern=r"^[0-9]+(\.[0-9]+)*$")
    name: str
    max_points: float = Field(gt=0)
    method: Method | None = None
    sub_criteria: tuple[SubCriterion, ...] = ()

    @model_validator(mode="after")
    def _leaf_or_parent(self) -> Criterion:
        if self.method is None and not self.sub_criteria:
            raise ValueError(f"tiêu chí {self.id} không có cách chấm (method) cũng không có "
                             "tiêu chí thành phần (sub_criteria)")
        if self.method is not None and self.sub_criteria:
            raise ValueError(f"tiêu chí {self.id} có tiêu chí thành phần thì không ghi cách "
                             "chấm (method): mỗi tiêu chí thành phần ghi cách chấm của nó")
        if isinstance(self.method, ComputedMethod):
            _check_rule(self.id, self.max_points, self.method)
        if self.sub_criteria:
            points = sum(s.max_points for s in self.sub_criteria)
            if abs(points - self.max_points) > _EPSILON:
                raise ValueError(f"các tiêu chí thành phần của tiêu chí {self.id} cộng lại là "
                                 f"{points:g} điểm, không phải {self.max_points:g} điểm của "
                                 "tiêu chí")
            for sub in self.sub_criteria:
                if not sub.id.startswith(self.id + "."):
                    raise ValueError(f"tiêu chí thành phần {sub.id} phải đánh số tiếp theo "
                                     f"tiêu chí {self.id} ({self.id}.1, {self.id}.2…)")
        return self


class Area(_Strict):
    id: str = Field(pattern=r"^[0-9]+$")
    name: str
    max_points: float = Field(gt=0)
    criteria: tuple[Criterion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _adds_up(self) -> Area:
        points = sum(c.max_points for c in self.criteria)
        if abs(points - self.max_points) > _EPSILON:
            raise ValueError(f"các tiêu chí của lĩnh vực {self.id} ({self.name}) cộng lại là "
                             f"{points:g} điểm, không phải {self.max_points:g} điểm của "
                             "lĩnh vực")
        for criterion in self.criteria:
            if criterion.id.split(".")[0] != self.id:
                raise ValueError(f"tiêu chí {criterion.id} phải đánh số theo lĩnh vực "
                                 f"{self.id} ({self.id}.1, {self.id}.2…)")
        return self


class Leaf(_Strict):
    """A scored item, flattened: a criterion without sub-criteria or a sub-criterion."""

    id: str
    name: str
    area_id: str
    max_points: float
    method: ComputedMethod | OutsideMethod


class Band(_Strict):
    """A band of the yearly ranking (xếp loại): a total of at least ``min`` is ``name``."""

    min: float = Field(ge=0)
    name: str = Field(min_length=1)


class ParCriteriaSet(_Strict):
    """One group's index (departments, or communes) as the province's decision sets it.

    ``bands`` (xếp loại) are written from the highest ``min`` down, as decisions list
    them; a total below the lowest band has no band (the report says so)."""

    sample: bool = False
    name: str
    unit_kinds: tuple[str, ...] = Field(min_length=1)
    document: Document
    max_points: float = Field(gt=0)
    areas: tuple[Area, ...] = Field(min_length=1)
    bands: tuple[Band, ...] = ()
    set_id: str = ""  # the file's stem; filled in when loaded

    @model_validator(mode="after")
    def _adds_up(self) -> ParCriteriaSet:
        points = sum(a.max_points for a in self.areas)
        if abs(points - self.max_points) > _EPSILON:
            raise ValueError(f"các lĩnh vực cộng lại là {points:g} điểm, không phải "
                             f"{self.max_points:g} điểm của bộ chỉ số")
        area_ids = [a.id for a in self.areas]
        if len(set(area_ids)) != len(area_ids):
            raise ValueError("một mã lĩnh vực được ghi hai lần")
        item_ids = [c.id for a in self.areas for c in a.criteria]
        item_ids += [s.id for a in self.areas for c in a.criteria for s in c.sub_criteria]
        for item_id in item_ids:
            if item_ids.count(item_id) > 1:
                raise ValueError(f"mã tiêu chí {item_id} được ghi hai lần")
        for higher, lower in zip(self.bands, self.bands[1:], strict=False):
            if lower.min >= higher.min:
                raise ValueError("các mức xếp loại (bands) phải ghi từ mức cao xuống mức thấp, "
                                 f"mức «{lower.name}» ({lower.min:g}) không thấp hơn mức "
                                 f"«{higher.name}» ({higher.min:g})")
        if self.bands and self.bands[0].min > self.max_points + _EPSILON:
            raise ValueError(f"mức xếp loại «{self.bands[0].name}» đòi {self.bands[0].min:g} "
                             f"điểm, quá {self.max_points:g} điểm tối đa của bộ chỉ số")
        names = [b.name for b in self.bands]
        if len(set(names)) != len(names):
            raise ValueError("một tên xếp loại được ghi hai lần trong bands")
        return self

    def band_of(self, total: float) -> str | None:
        """The band a total reaches (``None``: below every band, or no bands)."""
        return next((b.name for b in self.bands if total + _EPSILON >= b.min), None)

    def leaves(self) -> list[Leaf]:
        """Every scored item, in the order of the decision."""
        found: list[Leaf] = []
        for area in self.areas:
            for criterion in area.criteria:
                if criterion.method is not None:
                    found.append(Leaf(id=criterion.id, name=criterion.name, area_id=area.id,
                                      max_points=criterion.max_points, method=criterion.method))
                found.extend(Leaf(id=sub.id, name=sub.name, area_id=area.id,
                                  max_points=sub.max_points, method=sub.method)
                             for sub in criterion.sub_criteria)
        return found

    def computed(self) -> list[Leaf]:
        return [leaf for leaf in self.leaves() if isinstance(leaf.method, ComputedMethod)]

    def applies_in(self, start: date, end: date) -> bool:
        return overlaps(start, end, self.document.applies_from, self.document.applies_to)


class ParCriteria(_Strict):
    """Every criteria set of the index, checked against each other and the catalogues."""

    sets: tuple[ParCriteriaSet, ...]

    def set_for(self, unit_kind: str, year: int) -> ParCriteriaSet | None:
        """The set that scores units of ``unit_kind`` in ``year`` (``None``: not scored)."""
        start, end = date(year, 1, 1), date(year, 12, 31)
        return next((s for s in self.sets
                     if unit_kind in s.unit_kinds and s.applies_in(start, end)), None)


def check_references(sets: Iterable[ParCriteriaSet], unit_indicators: set[str],
                     province_indicators: set[str], unit_kinds: set[str]) -> None:
    """Refuse (``ValueError``, Vietnamese) an indicator the system does not compute for a
    unit, an unknown kind of unit, and two sets scoring one kind of unit at the same time."""
    checked: list[ParCriteriaSet] = []
    for criteria_set in sets:
        label = criteria_set.set_id or criteria_set.name
        for kind in criteria_set.unit_kinds:
            if kind not in unit_kinds:
                raise ValueError(f"bộ chỉ số {label} ghi loại đơn vị {kind} không có trong "
                                 "danh mục loại đơn vị (unit-kinds.yaml)")
        for leaf in criteria_set.leaves():
            if not isinstance(leaf.method, ComputedMethod):
                continue
            indicator = leaf.method.indicator
            if indicator in province_indicators:
                raise ValueError(f"bộ chỉ số {label}, tiêu chí {leaf.id}: chỉ tiêu {indicator} "
                                 "chỉ tính cho toàn tỉnh, không tính được cho từng đơn vị")
            if indicator not in unit_indicators:
                raise ValueError(f"bộ chỉ số {label}, tiêu chí {leaf.id}: chỉ tiêu {indicator} "
                                 "không có trong danh mục chỉ tiêu của hệ thống "
                                 "(indicators.yaml, index766.yaml)")
        document = criteria_set.document
        for other in checked:
            shared = set(other.unit_kinds) & set(criteria_set.unit_kinds)
            if shared and other.applies_in(document.applies_from,
                                           document.applies_to or date.max):
                raise ValueError(f"bộ chỉ số {label} và {other.set_id or other.name} cùng áp "
                                 f"dụng cho loại đơn vị {', '.join(sorted(shared))} trong "
                                 "cùng một thời gian")
        checked.append(criteria_set)


def load_par_criteria(directory: Path) -> ParCriteria:
    """Load every ``par-index/*.yaml`` of the registry directory ``directory`` and check
    them against its ``indicators.yaml``, ``index766.yaml`` and ``unit-kinds.yaml``."""
    sets: list[ParCriteriaSet] = []
    for path in sorted((directory / PAR_INDEX_DIR).glob("*.yaml")):
        try:
            loaded = ParCriteriaSet.model_validate(read_yaml(path))
        except (OSError, yaml.YAMLError, ValueError) as exc:
            raise ParCriteriaError(f"bộ chỉ số CCHC trong {path} không hợp lệ: {exc}") from exc
        sets.append(loaded.model_copy(update={"set_id": path.stem}))
    try:
        catalogue = IndicatorFile.model_validate(read_yaml(directory / "indicators.yaml"))
        index766 = load_index766(directory)
        kinds = load_unit_kinds(directory)
        unit_indicators = ({i.id for i in catalogue.indicators if i.scope == "all"}
                           | {c.id for c in index766.criteria if c.computable})
        province_indicators = {i.id for i in catalogue.indicators if i.scope == "province"}
        check_references(sets, unit_indicators, province_indicators, set(kinds.kinds))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ParCriteriaError(f"bộ chỉ số CCHC trong {directory / PAR_INDEX_DIR} không hợp "
                               f"lệ: {exc}") from exc
    return ParCriteria(sets=tuple(sets))
