"""What Sở Nội vụ's page shows for one period: every unit expected to report, with its
submission state, and the period's report versions with their files.

The states are the report's own (:func:`tasks.indicators.compute.submission_states`, words
from :mod:`tasks.model.vocabulary`): the page and the report's «Đơn vị chưa nộp» list
cannot disagree about who is missing or late. A unit the report does not list has reported
on time (:data:`~tasks.model.vocabulary.STATE_ON_TIME`, as the agency's own page says).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from config.registry import Agency, Registry
from tasks.indicators.compute import PeriodInputs, expected_units, submission_states
from tasks.model.periods import Period, PeriodError, parse_period
from tasks.model.records import InboxFile, ReportVersion, WaitingFile
from tasks.model.rules import ReportingRules
from tasks.model.vocabulary import (
    STATE_LATE,
    STATE_MISSING,
    STATE_ON_TIME,
    STATE_SUBMITTED_WAITING,
    STATE_WAITING,
)
from tasks.report.html import html_name
from tasks.report.period_inputs import gather_inputs
from tasks.report.reporting import ReportingStore
from tasks.report.version_files import workbook_name
from tasks.report.word import word_name

# the page's filter by kind: «sở» (departments) and «xã, phường, đặc khu» (communes)
Level = Literal["so", "xa"]
LEVEL_KINDS: dict[str, frozenset[str]] = {"so": frozenset({"so-ban-nganh"}),
                                          "xa": frozenset({"ubnd-xa"})}
STATES = (STATE_ON_TIME, STATE_LATE, STATE_SUBMITTED_WAITING, STATE_WAITING, STATE_MISSING)

FileKind = Literal["xlsx", "docx", "html"]
FILE_KINDS: tuple[FileKind, ...] = ("xlsx", "docx", "html")


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    kind: str  # the registry's kind id (so-ban-nganh, ubnd-xa…)
    kind_name: str  # its Vietnamese name (unit-kinds.yaml)
    state: str  # one of :data:`STATES`
    received_at: datetime | None  # first accepted file's arrival (the one timeliness uses)


@dataclass(frozen=True)
class ProvincePage:
    period: Period
    due: date
    rows: tuple[UnitRow, ...]  # the units of the kind asked for, in the registry's order
    counts: dict[str, int]  # rows per state (every state of :data:`STATES`, 0 included)
    versions: tuple[ReportVersion, ...]  # written versions, newest first


def page_period(label: str | None, *, rules: ReportingRules, now: datetime) -> Period:
    """The period asked for (``?ky=``), else the last closed month; raises
    :class:`PeriodError` (Vietnamese) for a label that cannot be read."""
    if not label:
        return rules.last_closed_month(rules.today(now))
    return parse_period(label)


def province_page(store: ReportingStore, registry: Registry, period: Period, *,
                  rules: ReportingRules, waiting: Sequence[WaitingFile] = (),
                  level: str | None = None) -> ProvincePage:
    """Every expected unit's state for ``period`` (of ``level``'s kinds when given) and the
    period's written report versions."""
    inputs, _, _ = gather_inputs(store, period, rules=rules, registry=registry)
    rows = [row for row in unit_rows(registry, inputs, waiting)
            if level not in LEVEL_KINDS or row.kind in LEVEL_KINDS[level]]
    counted = Counter(row.state for row in rows)
    return ProvincePage(period, rules.due_date(period), tuple(rows),
                        {state: counted.get(state, 0) for state in STATES},
                        tuple(report_versions(store, period.label)))


def unit_rows(registry: Registry, inputs: PeriodInputs,
              waiting: Sequence[WaitingFile] = ()) -> list[UnitRow]:
    """One row per expected unit, its state as the report names it."""
    listed = {row.unit: row for row in submission_states(registry, inputs, waiting)}
    submitted = inputs.submitted()
    rows = []
    for unit in expected_units(registry, inputs):
        sub = submitted.get(unit.code)
        row = listed.get(unit.code)
        rows.append(UnitRow(unit.code, unit.name, unit.kind, _kind_name(registry, unit),
                            row.state if row else STATE_ON_TIME,
                            inputs.first_arrival(sub) if sub else None))
    return rows


def waiting_in_inbox(pending: Sequence[InboxFile]) -> list[WaitingFile]:
    """The files lying in agencies' folders, not yet taken in, as waiting files: the page
    reads and writes nothing of the intake (no sighting recorded), so their settling
    times are not known and their modification time stands for them."""
    return [WaitingFile("inbox", item.agency_folder, item.relative_name, item.size,
                        item.modified_at, item.modified_at, item.modified_at)
            for item in pending if item.agency_folder]


def report_versions(store: ReportingStore, period: str) -> list[ReportVersion]:
    """The period's versions whose folder was written, newest first."""
    latest = store.latest_report_version(period)
    if latest is None:
        return []
    found = (store.report_version(period, n) for n in range(latest.version, 0, -1))
    return [v for v in found if v is not None and v.written_at is not None]


def version_file(reports_dir: Path, period: str, version: int, kind: str) -> Path | None:
    """The file of kind ``kind`` of ``reports/<period>/v<version>/``, built from a period
    that reads as one and the kind's own name (never from a name the client sent); None
    when the request names no such file."""
    try:
        label = parse_period(period).label
    except PeriodError:
        return None
    names = {"xlsx": workbook_name(label), "docx": word_name(label), "html": html_name(label)}
    if kind not in names or version < 1:
        return None
    path = reports_dir / label / f"v{version}" / names[kind]
    return path if path.is_file() else None


def _kind_name(registry: Registry, unit: Agency) -> str:
    kind = registry.kinds.kinds.get(unit.kind)
    return kind.name if kind else unit.kind
