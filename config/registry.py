"""The YAML registries in ``config/data``: agencies, the task register, indicators.

Loaded and validated with pydantic when a run starts (:func:`load_registry`); nothing
is read at import time. Units are never deleted: a closed unit keeps its
``valid_to`` so that earlier periods can still be reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tasks.periods import overlaps
from tasks.text import fold

AgencyKind = Literal["so-ban-nganh", "ubnd-huyen", "ubnd-xa", "doan-the"]
# A task's lead list may name a group instead of listing every unit.
GROUPS: dict[str, tuple[AgencyKind, ...]] = {
    "@so-ban-nganh": ("so-ban-nganh",),
    "@ubnd-huyen": ("ubnd-huyen",),
    "@ubnd-xa": ("ubnd-xa",),
    "@tat-ca": ("so-ban-nganh", "ubnd-huyen", "ubnd-xa"),
}


class RegistryError(ValueError):
    """A registry file that is inconsistent."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Agency(_Strict):
    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]*$")
    name: str
    kind: AgencyKind
    valid_from: date | None = None
    valid_to: date | None = None
    email: str | None = None
    aliases: tuple[str, ...] = ()
    successors: tuple[str, ...] = ()
    reports: bool = True

    def valid_between(self, start: date, end: date) -> bool:
        return overlaps(start, end, self.valid_from, self.valid_to)


class Task(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-]*$")
    area: str
    text: str
    lead: tuple[str, ...]
    coordinating: tuple[str, ...] = ()
    deadline: date | None = None
    source: str = ""


class Metric(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    unit: str = ""


class Indicator(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    kind: Literal["rate", "count"]
    scope: Literal["all", "province"] = "all"
    source: str = ""


class Target(_Strict):
    indicator: str
    op: Literal[">=", "<="]
    value: float
    valid_from: date | None = None
    valid_to: date | None = None
    source: str = ""

    def met_by(self, value: float) -> bool:
        return value >= self.value if self.op == ">=" else value <= self.value


class TaskFile(_Strict):
    notice: str
    title: str = ""
    tasks: tuple[Task, ...]


class IndicatorFile(_Strict):
    indicators: tuple[Indicator, ...]
    metrics: tuple[Metric, ...]
    targets: tuple[Target, ...] = ()


class AgencyFile(_Strict):
    agencies: tuple[Agency, ...]

    @field_validator("agencies")
    @classmethod
    def _unique_codes(cls, agencies: tuple[Agency, ...]) -> tuple[Agency, ...]:
        seen: set[str] = set()
        for agency in agencies:
            if agency.code in seen:
                raise ValueError(f"agency code {agency.code} appears twice")
            seen.add(agency.code)
        return agencies


class Registry(_Strict):
    agencies: tuple[Agency, ...]
    tasks: tuple[Task, ...]
    indicators: tuple[Indicator, ...]
    metrics: tuple[Metric, ...]
    targets: tuple[Target, ...]

    @model_validator(mode="after")
    def _references_exist(self) -> Registry:
        codes = {a.code for a in self.agencies}
        ids: set[str] = set()
        for task in self.tasks:
            if task.id in ids:
                raise ValueError(f"task id {task.id} appears twice")
            ids.add(task.id)
            for ref in (*task.lead, *task.coordinating):
                if ref not in codes and ref not in GROUPS:
                    raise ValueError(f"task {task.id} names unknown unit {ref}")
        indicator_ids = {i.id for i in self.indicators} | {m.code for m in self.metrics}
        for target in self.targets:
            if target.indicator not in indicator_ids:
                raise ValueError(f"target for unknown indicator {target.indicator}")
        return self

    # --- agencies -----------------------------------------------------------------
    def agency(self, code: str) -> Agency | None:
        return next((a for a in self.agencies if a.code == code), None)

    def agencies_valid(self, start: date, end: date) -> list[Agency]:
        """Units that exist at some point in [start, end] and report (dates, not periods:
        whether a unit reports for a period is ``ReportingRules.reports_for``)."""
        return [a for a in self.agencies if a.reports and a.valid_between(start, end)]

    def find_agency(self, code_or_name: str) -> Agency | None:
        """Look a unit up by code, name or alias, ignoring case, diacritics and spacing."""
        wanted = fold(code_or_name)
        for agency in self.agencies:
            keys = {fold(agency.code), fold(agency.name), *(fold(a) for a in agency.aliases)}
            if wanted in keys:
                return agency
        return None

    # --- tasks --------------------------------------------------------------------
    def task(self, task_id: str) -> Task | None:
        return next((t for t in self.tasks if t.id == task_id), None)

    def _expand(self, refs: Iterable[str]) -> set[str]:
        codes: set[str] = set()
        for ref in refs:
            if ref in GROUPS:
                codes |= {a.code for a in self.agencies if a.kind in GROUPS[ref]}
            else:
                codes.add(ref)
        return codes

    def leads_of(self, task: Task) -> set[str]:
        return self._expand(task.lead)

    def is_assigned(self, task: Task, agency_code: str) -> bool:
        """Whether the unit leads or coordinates the task (both may report on it)."""
        return agency_code in self._expand((*task.lead, *task.coordinating))

    def tasks_led_by(self, agency_code: str) -> list[Task]:
        return [t for t in self.tasks if agency_code in self.leads_of(t)]

    def tasks_reportable_by(self, agency_code: str) -> list[Task]:
        return [t for t in self.tasks if self.is_assigned(t, agency_code)]

    # --- indicators ---------------------------------------------------------------
    def metric(self, code: str) -> Metric | None:
        return next((m for m in self.metrics if m.code == code), None)

    def indicator_kinds(self) -> dict[str, str]:
        """``rate`` or ``count`` for every indicator and reported metric."""
        kinds: dict[str, str] = {i.id: i.kind for i in self.indicators}
        kinds.update({m.code: "count" for m in self.metrics})
        return kinds

    def indicator_names(self) -> dict[str, str]:
        names = {i.id: i.name for i in self.indicators}
        names.update({m.code: m.name + (f" ({m.unit})" if m.unit else "") for m in self.metrics})
        return names

    def target_for(self, indicator: str, start: date, end: date) -> Target | None:
        matches = [
            t for t in self.targets
            if t.indicator == indicator and overlaps(start, end, t.valid_from, t.valid_to)
        ]
        return matches[-1] if matches else None


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RegistryError(f"cannot read registry file {path}: {exc}") from exc


def load_registry(directory: Path) -> Registry:
    """Load ``agencies.yaml``, ``indicators.yaml`` and every ``tasks/*.yaml`` in ``directory``."""
    try:
        agencies = AgencyFile.model_validate(_read_yaml(directory / "agencies.yaml"))
        catalogue = IndicatorFile.model_validate(_read_yaml(directory / "indicators.yaml"))
        tasks: list[Task] = []
        for path in sorted((directory / "tasks").glob("*.yaml")):
            tasks.extend(TaskFile.model_validate(_read_yaml(path)).tasks)
        return Registry(
            agencies=agencies.agencies,
            tasks=tuple(tasks),
            indicators=catalogue.indicators,
            metrics=catalogue.metrics,
            targets=catalogue.targets,
        )
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise RegistryError(f"registry in {directory} is invalid: {exc}") from exc
