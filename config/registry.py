"""The YAML registries in ``config/data``: agencies, the task register, indicators.

Loaded and validated with pydantic when a run starts (:func:`load_registry`); nothing
is read at import time. Units are never deleted: a closed unit keeps its
``valid_to`` so that earlier periods can still be reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from config.crosswalk import Crosswalk, load_crosswalk
from config.errors import CchcError
from config.folding import fold
from config.yaml_files import read_yaml

# A task's lead list may name a group (``@so-ban-nganh``) instead of listing every unit;
# the groups, the unit kinds and who must submit are data (``unit-kinds.yaml``).


def overlaps(start: date, end: date, valid_from: date | None, valid_to: date | None) -> bool:
    """Whether [start, end] meets [valid_from, valid_to] (open ends are unbounded)."""
    if valid_from is not None and valid_from > end:
        return False
    return not (valid_to is not None and valid_to < start)


class RegistryError(CchcError, ValueError):
    """A registry file that is inconsistent."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UnitKind(_Strict):
    name: str
    must_submit: bool


class GroupSuccession(_Strict):
    """From ``effective``, tasks given to ``group`` pass to ``to`` (unless due before)."""

    group: str
    to: str
    effective: date


class SeriesBreak(_Strict):
    effective: date
    note: str


class UnitKindFile(_Strict):
    kinds: dict[str, UnitKind]
    groups: dict[str, tuple[str, ...]]
    succession: tuple[GroupSuccession, ...] = ()
    series_breaks: tuple[SeriesBreak, ...] = ()

    @model_validator(mode="after")
    def _known(self) -> UnitKindFile:
        for group, kinds in self.groups.items():
            if not group.startswith("@"):
                raise ValueError(f"tên nhóm {group} phải bắt đầu bằng @")
            for kind in kinds:
                if kind not in self.kinds:
                    raise ValueError(f"nhóm {group} ghi loại đơn vị {kind} không có trong "
                                     "danh mục loại đơn vị")
        for rule in self.succession:
            for group in (rule.group, rule.to):
                if group not in self.groups:
                    raise ValueError(f"quy tắc kế thừa (succession) ghi nhóm {group} không có "
                                     "trong danh mục")
        return self


class Agency(_Strict):
    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]*$")
    name: str
    kind: str
    official_code: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    email: str | None = None
    aliases: tuple[str, ...] = ()
    successors: tuple[str, ...] = ()

    def valid_between(self, start: date, end: date) -> bool:
        return overlaps(start, end, self.valid_from, self.valid_to)


class Document(_Strict):
    """The document a task register comes from; it applies from ``applies_from``."""

    kind: str
    number: str | None = None
    issued_on: date | None = None
    issuer: str = ""
    conference_on: date | None = None
    applies_from: date
    applies_from_inferred: bool = False
    applies_to: date | None = None
    title: str = ""

    @model_validator(mode="after")
    def _dates(self) -> Document:
        if self.issued_on is not None and self.applies_from < self.issued_on:
            raise ValueError("danh mục nhiệm vụ không thể áp dụng (applies_from) trước "
                             "ngày ban hành văn bản giao (issued_on)")
        if self.applies_to is not None and self.applies_to < self.applies_from:
            raise ValueError("ngày hết áp dụng (applies_to) của danh mục nhiệm vụ trước "
                             "ngày bắt đầu áp dụng (applies_from)")
        return self

    @property
    def label(self) -> str:
        number = f" số {self.number}" if self.number else ""
        issued = f" ngày {self.issued_on:%d/%m/%Y}" if self.issued_on else ""
        return f"{self.kind}{number}{issued}".strip()


class Task(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-]*$")
    area: str
    text: str
    lead: tuple[str, ...]
    coordinating: tuple[str, ...] = ()
    deadline: date | None = None
    deadline_inferred: bool = False
    deadline_note: str = ""
    source: str = ""
    register_id: str = ""  # the register file's stem; filled in when loaded
    applies_from: date | None = None  # from the register's document; filled in when loaded
    applies_to: date | None = None

    def in_force(self, start: date, end: date) -> bool:
        """Whether the task's register applies at some point in [start, end]."""
        return overlaps(start, end, self.applies_from, self.applies_to)


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
    document: Document
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
                raise ValueError(f"mã đơn vị {agency.code} được ghi hai lần")
            seen.add(agency.code)
        return agencies


class Registry(_Strict):
    agencies: tuple[Agency, ...]
    tasks: tuple[Task, ...]
    indicators: tuple[Indicator, ...]
    metrics: tuple[Metric, ...]
    targets: tuple[Target, ...]
    kinds: UnitKindFile
    documents: dict[str, Document] = Field(default_factory=dict)
    crosswalk: Crosswalk = Field(default_factory=Crosswalk)

    @model_validator(mode="after")
    def _references_exist(self) -> Registry:
        codes = {a.code for a in self.agencies}
        for agency in self.agencies:
            if agency.kind not in self.kinds.kinds:
                raise ValueError(f"đơn vị {agency.code} có loại đơn vị {agency.kind} không có "
                                 "trong danh mục loại đơn vị")
            for successor in agency.successors:
                if successor not in codes:
                    raise ValueError(f"đơn vị {agency.code} ghi đơn vị kế thừa {successor} "
                                     "không có trong danh mục")
        ids: set[str] = set()
        for task in self.tasks:
            if task.id in ids:
                raise ValueError(f"mã nhiệm vụ {task.id} được ghi hai lần")
            ids.add(task.id)
            for ref in (*task.lead, *task.coordinating):
                if ref not in codes and ref not in self.kinds.groups:
                    raise ValueError(f"nhiệm vụ {task.id} giao cho đơn vị {ref} không có trong "
                                     "danh mục")
        indicator_ids = {i.id for i in self.indicators} | {m.code for m in self.metrics}
        for target in self.targets:
            if target.indicator not in indicator_ids:
                raise ValueError(f"mục tiêu ghi chỉ số {target.indicator} không có trong "
                                 "danh mục chỉ số")
        self._check_crosswalk(codes)
        return self

    def _check_crosswalk(self, codes: set[str]) -> None:
        """Every unit in the crosswalk exists, and every closed unit's figures move on the
        day after it closes. With the crosswalk free of cycles, every chain of successors
        therefore ends in units still open today."""
        for unit in self.crosswalk.units():
            if unit not in codes:
                raise ValueError(f"bảng chuyển đơn vị (crosswalk) ghi đơn vị {unit} không có "
                                 "trong danh mục")
        for agency in self.agencies:
            if agency.valid_to is None:
                continue
            change = self.crosswalk.change_of(agency.code)
            if change is None:
                raise ValueError(f"đơn vị {agency.code} hoạt động đến hết ngày {agency.valid_to} "
                                 "nhưng bảng chuyển đơn vị (crosswalk) không ghi đơn vị nhận "
                                 "số liệu của nó")
            if change.effective != agency.valid_to + timedelta(days=1):
                raise ValueError(f"đơn vị {agency.code} hoạt động đến hết ngày {agency.valid_to} "
                                 "nhưng bảng chuyển đơn vị (crosswalk) ghi ngày chuyển "
                                 f"{change.effective}, không phải ngày hôm sau")

    # --- agencies -----------------------------------------------------------------
    def agency(self, code: str) -> Agency | None:
        return next((a for a in self.agencies if a.code == code), None)

    def must_submit(self, agency: Agency) -> bool:
        """Whether the unit's kind must report every period (and counts in the rate)."""
        return self.kinds.kinds[agency.kind].must_submit

    def units_valid(self, start: date, end: date) -> list[Agency]:
        """Every unit that exists at some point in [start, end], whatever its kind."""
        return [a for a in self.agencies if a.valid_between(start, end)]

    def agencies_valid(self, start: date, end: date) -> list[Agency]:
        """Units that exist at some point in [start, end] and must report (dates, not
        periods: whether a unit reports for a period is ``ReportingRules.reports_for``)."""
        return [a for a in self.units_valid(start, end) if self.must_submit(a)]

    def find_agency(self, code_or_name: str, on: tuple[date, date] | None = None
                    ) -> Agency | None:
        """Look a unit up by code, name or alias, ignoring case, diacritics and spacing.

        With ``on`` (a window), only units existing in it match: many new communes carry
        an old district's name (Châu Thành, Tân Châu…), so a name means the unit of its time.
        """
        wanted = fold(code_or_name)
        for agency in self.agencies:
            if on is not None and not agency.valid_between(*on):
                continue
            keys = {fold(agency.code), fold(agency.name), *(fold(a) for a in agency.aliases)}
            if wanted in keys:
                return agency
        return None

    def successor_names(self, agency: Agency) -> list[str]:
        """Names of the units that took over ``agency`` (successors, else the crosswalk)."""
        codes = list(agency.successors)
        change = self.crosswalk.change_of(agency.code)
        if not codes and change is not None:
            codes = list(change.to)
        return [f"{found.name} ({found.code})" for code in codes
                if (found := self.agency(code)) is not None]

    def series_breaks_in(self, start: date, end: date) -> list[SeriesBreak]:
        return [b for b in self.kinds.series_breaks if start <= b.effective <= end]

    # --- tasks --------------------------------------------------------------------
    def task(self, task_id: str) -> Task | None:
        return next((t for t in self.tasks if t.id == task_id), None)

    def tasks_in_force(self, start: date, end: date) -> list[Task]:
        """Tasks whose register applies at some point in [start, end]."""
        return [t for t in self.tasks if t.in_force(start, end)]

    def _groups_for(self, task: Task, ref: str, end: date | None) -> list[str]:
        """The group ``ref`` and, after a succession date, the groups it passed to."""
        groups = [ref]
        for rule in self.kinds.succession:
            if rule.group != ref or end is None or end < rule.effective:
                continue
            if task.deadline is None or task.deadline >= rule.effective:
                groups.append(rule.to)
        return groups

    def _expand(self, task: Task, refs: Iterable[str], window: tuple[date, date] | None
                ) -> set[str]:
        codes: set[str] = set()
        end = window[1] if window else None
        for ref in refs:
            if ref not in self.kinds.groups:
                codes.add(ref)
                continue
            for group in self._groups_for(task, ref, end):
                kinds = self.kinds.groups[group]
                codes |= {a.code for a in self.agencies if a.kind in kinds
                          and (window is None or a.valid_between(*window))}
        return codes

    def leads_of(self, task: Task, window: tuple[date, date] | None = None) -> set[str]:
        """Units leading the task; with ``window``, groups expand to units existing in it."""
        return self._expand(task, task.lead, window)

    def is_assigned(self, task: Task, agency_code: str,
                    window: tuple[date, date] | None = None) -> bool:
        """Whether the unit leads or coordinates the task (both may report on it)."""
        return agency_code in self._expand(task, (*task.lead, *task.coordinating), window)

    def tasks_led_by(self, agency_code: str, window: tuple[date, date] | None = None
                     ) -> list[Task]:
        tasks = self.tasks_in_force(*window) if window else self.tasks
        return [t for t in tasks if agency_code in self.leads_of(t, window)]

    def tasks_reportable_by(self, agency_code: str, window: tuple[date, date] | None = None
                            ) -> list[Task]:
        tasks = self.tasks_in_force(*window) if window else self.tasks
        return [t for t in tasks if self.is_assigned(t, agency_code, window)]

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
        return read_yaml(path)
    except (OSError, yaml.YAMLError) as exc:
        raise RegistryError(f"không đọc được tệp danh mục {path}: {exc}") from exc


def load_unit_kinds(directory: Path) -> UnitKindFile:
    """``unit-kinds.yaml``: who must submit, the task groups, successions, series breaks."""
    return UnitKindFile.model_validate(_read_yaml(directory / "unit-kinds.yaml"))


def load_registry(directory: Path) -> Registry:
    """Load the registries in ``directory``: ``agencies.yaml`` and ``communes.yaml``,
    ``unit-kinds.yaml``, ``indicators.yaml``, every ``tasks/*.yaml`` and every
    ``crosswalk/*.yaml``."""
    try:
        agencies: list[Agency] = []
        for name in ("agencies.yaml", "communes.yaml"):
            if (directory / name).exists():
                agencies.extend(AgencyFile.model_validate(_read_yaml(directory / name)).agencies)
        AgencyFile(agencies=tuple(agencies))  # codes unique across both files
        kinds = load_unit_kinds(directory)
        catalogue = IndicatorFile.model_validate(_read_yaml(directory / "indicators.yaml"))
        tasks: list[Task] = []
        documents: dict[str, Document] = {}
        for path in sorted((directory / "tasks").glob("*.yaml")):
            register = TaskFile.model_validate(_read_yaml(path))
            documents[path.stem] = register.document
            tasks.extend(t.model_copy(update={
                "register_id": path.stem, "applies_from": register.document.applies_from,
                "applies_to": register.document.applies_to}) for t in register.tasks)
        crosswalk = load_crosswalk((directory / "crosswalk").glob("*.yaml"))
        return Registry(
            agencies=tuple(agencies),
            tasks=tuple(tasks),
            indicators=catalogue.indicators,
            metrics=catalogue.metrics,
            targets=catalogue.targets,
            kinds=kinds,
            documents=documents,
            crosswalk=crosswalk,
        )
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise RegistryError(f"danh mục trong {directory} không hợp lệ: {exc}") from exc
