"""Points of the 766 service index from the dossier indicators, and what-if scenarios.

A criterion scores its full points at or above its threshold and ``rate × max ÷
threshold`` below it (``config/data/index766.yaml``). A criterion without a rate (zero
denominator) or not computable from the province's own data has no points; a group's
total is shown only when every criterion of the group has points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from config.errors import CchcError
from config.index766 import Criterion766, Index766Config
from tasks.model.vocabulary import IDX766_ON_TIME, IDX766_SATISFACTION

REASON_NOT_COMPUTABLE = "dữ liệu hồ sơ của tỉnh không tính được"
REASON_NO_DATA = "không có số liệu"

Rates = Mapping[str, float | None]


class OverrideError(CchcError, ValueError):
    """A what-if override that cannot be used; the message is in Vietnamese."""


@dataclass(frozen=True)
class CriterionPoints:
    indicator: str
    criterion: str
    name: str
    group: int
    rate: float | None
    points: float | None
    max_points: float
    computable: bool


@dataclass(frozen=True)
class GroupPoints:
    group: int
    name: str
    max_points: float
    points: float | None  # None unless every criterion of the group has points
    partial_points: float  # the points of the criteria that have them
    missing: tuple[str, ...]  # "3.6: không có số liệu", …


@dataclass(frozen=True)
class Score766:
    criteria: tuple[CriterionPoints, ...]
    groups: tuple[GroupPoints, ...]

    @property
    def points(self) -> float:
        """Points of the criteria that could be scored."""
        return sum(c.points for c in self.criteria if c.points is not None)

    @property
    def max_points_scored(self) -> float:
        """Maximum of the criteria that could be scored."""
        return sum(c.max_points for c in self.criteria if c.points is not None)

    def of(self, indicator: str) -> CriterionPoints:
        return next(c for c in self.criteria if c.indicator == indicator)

    def not_computable_groups(self) -> list[GroupPoints]:
        return [g for g in self.groups
                if all(not c.computable for c in self.criteria if c.group == g.group)]


def criterion_points(rate: float | None, criterion: Criterion766) -> float | None:
    """Full points at or above the threshold, ``rate × max ÷ threshold`` below; 0 below 0."""
    if rate is None or not criterion.computable:
        return None
    bounded = min(max(rate, 0.0), criterion.threshold)
    return bounded * criterion.max_points / criterion.threshold


def score(rates: Rates, config: Index766Config) -> Score766:
    criteria = tuple(
        CriterionPoints(c.id, c.criterion, c.name, c.group,
                        rates.get(c.id) if c.computable else None,
                        criterion_points(rates.get(c.id), c), c.max_points, c.computable)
        for c in config.criteria)
    groups = []
    for group in config.groups:
        members = [c for c in criteria if c.group == group.id]
        missing = tuple(
            f"{c.criterion}: {REASON_NOT_COMPUTABLE if not c.computable else REASON_NO_DATA}"
            for c in members if c.points is None)
        partial = sum(c.points for c in members if c.points is not None)
        groups.append(GroupPoints(group.id, group.name, group.max_points,
                                  None if missing else partial, partial, missing))
    return Score766(criteria, tuple(groups))


def parse_override(text: str) -> tuple[str, float]:
    """``idx766_online_share=60`` → ``("idx766_online_share", 60.0)``."""
    name, sep, value = text.partition("=")
    if not sep:
        raise OverrideError(f"«{text}» không đúng dạng chỉ_số=giá_trị, ví dụ "
                            "idx766_online_share=60")
    try:
        number = float(value.strip().rstrip("%").replace(",", "."))
    except ValueError as exc:
        raise OverrideError(f"Giá trị «{value}» của {name.strip()} không phải là số") from exc
    return name.strip(), number


def apply_overrides(rates: Rates, overrides: Mapping[str, float],
                    config: Index766Config) -> dict[str, float | None]:
    """The rates with ``overrides`` (percentages) applied.

    Satisfaction (5.4) is the on-time rate minus the complaint share; when the on-time
    rate is overridden and satisfaction is not, satisfaction moves with it (the
    complaint share, ``on_time − satisfaction``, stays).
    """
    known = {c.id for c in config.criteria if c.computable}
    for name, value in overrides.items():
        if name not in known:
            raise OverrideError(f"Không có chỉ số «{name}»; dùng một trong: "
                                f"{', '.join(sorted(known))}")
        if not 0 <= value <= 100:
            raise OverrideError(f"Tỷ lệ {name}={value:g} phải trong khoảng 0–100")
    after: dict[str, float | None] = dict(rates)
    after.update(overrides)
    on_time, satisfaction = rates.get(IDX766_ON_TIME), rates.get(IDX766_SATISFACTION)
    if (IDX766_ON_TIME in overrides and IDX766_SATISFACTION not in overrides
            and on_time is not None and satisfaction is not None):
        after[IDX766_SATISFACTION] = overrides[IDX766_ON_TIME] - (on_time - satisfaction)
    return after


@dataclass(frozen=True)
class WhatIf:
    before: Score766
    after: Score766

    @property
    def gained(self) -> float:
        return self.after.points - self.before.points

    def changed(self) -> list[tuple[CriterionPoints, CriterionPoints]]:
        return [(b, a) for b, a in zip(self.before.criteria, self.after.criteria, strict=True)
                if (b.rate, b.points) != (a.rate, a.points)]

    def lines_vi(self) -> list[str]:
        lines = []
        for b, a in self.changed():
            lines.append(f"{a.criterion} {a.name}: {_pct(b.rate)} → {_pct(a.rate)}; "
                         f"điểm {_pts(b.points)} → {_pts(a.points)} / {a.max_points:g} "
                         f"(tăng {_pts((a.points or 0) - (b.points or 0))})")
        lines.append(f"Tổng điểm tính được: {_pts(self.before.points)} → "
                     f"{_pts(self.after.points)} (tăng {_pts(self.gained)}) trên "
                     f"{self.after.max_points_scored:g} điểm của các tiêu chí tính được")
        not_computable = {g.group for g in self.after.not_computable_groups()}
        for group in self.after.groups:
            if group.group in not_computable:
                shown = f"không tính được từ dữ liệu hồ sơ của tỉnh (tối đa {group.max_points:g})"
            elif group.points is None:
                shown = (f"chưa đủ số liệu, tạm tính {_pts(group.partial_points)}/"
                         f"{group.max_points:g} ({'; '.join(group.missing)})")
            else:
                shown = f"{_pts(group.points)}/{group.max_points:g}"
            lines.append(f"  Nhóm {group.group}. {group.name}: {shown}")
        return lines


def what_if(rates: Rates, overrides: Mapping[str, float], config: Index766Config) -> WhatIf:
    """Points before and after setting some rates, e.g. ``{"idx766_online_share": 60}``."""
    return WhatIf(score(rates, config), score(apply_overrides(rates, overrides, config), config))


def _pct(value: float | None) -> str:
    return "N/A" if value is None else f"{value:.2f} %"


def _pts(value: float | None) -> str:
    return "N/A" if value is None else f"{value:.2f}"
