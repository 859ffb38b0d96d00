"""Builders for test inputs: real files written with the project's own template."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from config.index766 import Index766Config, load_index766
from config.par_criteria import ParCriteria, load_par_criteria
from config.registry import Registry
from config.settings import REGISTRY_DIR
from tasks.intake.collect import FileOutcome, Intake
from tasks.intake.template import TaskEntry, write_template
from tasks.model.clock import fixed_clock
from tasks.model.periods import Period, parse_period
from tasks.model.ports import DropBox, IntakeStore
from tasks.model.problems import Checked, Problem
from tasks.model.records import FileMeta, InboxFile
from tasks.model.rules import ReportingRules
from tasks.model.submission import Submission

MAY_2025 = parse_period("2025-05")
TODAY = date(2025, 6, 1)


def write_submission(path: Path, registry: Registry, agency: str,
                     period: Period = MAY_2025, entries: list[TaskEntry] | None = None,
                     metrics: dict[str, float] | None = None) -> Path:
    """A submission workbook made from the agency template, filled in."""
    return write_template(registry, agency, period, path, entries or [], metrics or {},
                          rules=ReportingRules())


def take_file(item: InboxFile, folder: DropBox, db: IntakeStore, registry: Registry, *,
              now: datetime, rules: ReportingRules | None = None,
              index766: Index766Config | None = None,
              seen_at: datetime | None = None,
              par_criteria: ParCriteria | None = None) -> FileOutcome | None:
    """One file through its folder's :class:`Intake`, the clock stopped at ``now``, under
    the default reporting rules, the bundled 766 rules and the bundled CCHC index criteria
    unless given; ``seen_at``: the file was first seen then (a collector that ran as each
    file was dropped)."""
    if seen_at is not None:
        item = replace(item, seen_at=seen_at)
    return Intake(folder, db, registry, rules=rules or ReportingRules(),
                  index766=index766 or load_index766(REGISTRY_DIR),
                  par_criteria=par_criteria or load_par_criteria(REGISTRY_DIR),
                  clock=fixed_clock(now)).take(item)


def submission_or_problems(checked: Checked[Submission]) -> Submission | list[Problem]:
    """The submission validated, or its problems: what the reader and validation tests
    compare (``isinstance(result, Submission)``, the list of problems)."""
    return checked.value if checked.value is not None else list(checked.problems)


def file_meta(name: str, content_hash: str, arrived_at: datetime, *,
              source: str = "portal", folder: str = "portal") -> FileMeta:
    """Where a stored file came from, for the stores' own tests (no file on disk needed:
    a store keeps the hash, names and times, never reads the file)."""
    return FileMeta(source, folder, name, f"/{folder}/{name}", content_hash, arrived_at,
                    arrived_at, relative_path=f"{folder}/{name}")


def zip_parts(parts: dict[str, bytes]) -> bytes:
    """A zip archive (deflated) of the given members: a workbook's parts, as a hostile or
    broken file is built by hand from them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()
