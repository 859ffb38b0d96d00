"""The crosswalk from old units to new ones (mergers and splits), with weights.

``config/data/crosswalk/*.yaml`` lists each change: from its ``effective`` date, the
figures of unit ``from`` move to the units in ``to`` with the given weights (a merger is
several changes into one unit; a split is one change into several). Checked when
loaded: every weight is positive and each change's weights sum to exactly 1, no unit
changes twice, and following the changes never comes back to a unit (no cycles).
:meth:`Crosswalk.weights_on` follows the chain from any unit to the units that exist on
a given day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from fractions import Fraction
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from config.yaml_files import read_yaml


class UnitChange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source: str = Field(alias="from")
    effective: date
    to: dict[str, Fraction]

    @field_validator("to", mode="before")
    @classmethod
    def _fractions(cls, value: object) -> object:
        if not isinstance(value, Mapping):
            return value
        return {str(k): Fraction(str(v)) for k, v in value.items()}

    @model_validator(mode="after")
    def _weights(self) -> UnitChange:
        if not self.to:
            raise ValueError(f"thay đổi của đơn vị {self.source} không ghi đơn vị kế thừa")
        if any(w <= 0 for w in self.to.values()):
            raise ValueError(f"thay đổi của đơn vị {self.source} có tỷ trọng không dương")
        total = sum(self.to.values(), Fraction(0))
        if total != 1:
            raise ValueError(f"tỷ trọng trong thay đổi của đơn vị {self.source} cộng lại là "
                             f"{total}, không phải 1")
        if self.source in self.to:
            raise ValueError(f"đơn vị {self.source} là đơn vị kế thừa của chính nó")
        return self


class Crosswalk(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    changes: tuple[UnitChange, ...] = ()

    @model_validator(mode="after")
    def _acyclic(self) -> Crosswalk:
        by_source: dict[str, UnitChange] = {}
        for change in self.changes:
            if change.source in by_source:
                raise ValueError(f"đơn vị {change.source} được ghi thay đổi hai lần trong "
                                 "bảng chuyển đơn vị (crosswalk)")
            by_source[change.source] = change
        for start in by_source:
            seen: set[str] = set()
            stack = [start]
            while stack:
                unit = stack.pop()
                if unit in seen:
                    continue
                seen.add(unit)
                step = by_source.get(unit)
                if step is None:
                    continue
                if start in step.to:
                    raise ValueError(f"bảng chuyển đơn vị (crosswalk) có vòng lặp: chuỗi kế thừa "
                                     f"quay lại đơn vị {start}")
                stack.extend(step.to)
        return self

    def change_of(self, unit: str) -> UnitChange | None:
        return next((c for c in self.changes if c.source == unit), None)

    def weights_on(self, unit: str, day: date) -> dict[str, Fraction]:
        """Where ``unit``'s figures belong on ``day``: {unit existing then: weight}."""
        result: dict[str, Fraction] = {}
        pending: list[tuple[str, Fraction]] = [(unit, Fraction(1))]
        while pending:
            current, weight = pending.pop()
            change = self.change_of(current)
            if change is None or change.effective > day:
                result[current] = result.get(current, Fraction(0)) + weight
                continue
            pending.extend((successor, weight * w) for successor, w in change.to.items())
        return dict(sorted(result.items()))

    def units(self) -> set[str]:
        return {c.source for c in self.changes} | {u for c in self.changes for u in c.to}

    def merged(self, other: Crosswalk) -> Crosswalk:
        return Crosswalk(changes=(*self.changes, *other.changes))


def load_crosswalk(paths: Iterable[Path]) -> Crosswalk:
    """Read and check every crosswalk file (``ValueError`` names what is wrong)."""
    changes: list[UnitChange] = []
    for path in sorted(paths):
        data = read_yaml(path) or {}
        changes.extend(Crosswalk.model_validate(data).changes)
    return Crosswalk(changes=tuple(changes))
