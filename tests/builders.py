"""Builders for test inputs: real files written with the project's own template."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
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
from tasks.model.submission import MetricLine, Submission

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


# A unit's figure over the 12 months before 2025-05, written by hand (robust statistics):
# 20 22 18 21 19 20 23 17 20 21 19 22; sorted 17 18 19 19 20 20 20 21 21 22 22 23 →
# median (20 + 20) / 2 = 20; |x − 20| sorted 0 0 0 1 1 1 1 2 2 2 3 3 → MAD (1 + 1) / 2 = 1.
# May at 250: |250 − 20| / (1.4826 · 1) = 155,1 > 3,5, 12,5 times the median: an outlier;
# May at 21: |21 − 20| / 1.4826 = 0,67: plausible.
HISTORY_MONTHS = ("2024-05", "2024-06", "2024-07", "2024-08", "2024-09", "2024-10",
                  "2024-11", "2024-12", "2025-01", "2025-02", "2025-03", "2025-04")
HISTORY_VALUES = (20, 22, 18, 21, 19, 20, 23, 17, 20, 21, 19, 22)


def store_history(db: IntakeStore, agency: str, metric: str) -> None:
    """``agency``'s ``metric`` of :data:`HISTORY_MONTHS` stored as accepted submissions
    (one per month, arrived on the 10th of the next month), the history a May file is
    compared with."""
    for label, value in zip(HISTORY_MONTHS, HISTORY_VALUES, strict=True):
        month = parse_period(label)
        arrived = datetime(month.year, month.first_month, 10, tzinfo=UTC) + timedelta(days=30)
        content_hash = hashlib.sha256(f"{agency}-{label}".encode()).hexdigest()
        db.add_submission(Submission(agency, month, (), (MetricLine(metric, value, None, 5),)),
                          file_meta(f"{agency.lower()}-{label}.xlsx", content_hash, arrived,
                                    source="inbox", folder=agency), f"/archive/{label}.xlsx")
