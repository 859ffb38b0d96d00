"""Builders for test inputs: real files written with the project's own template."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from config.registry import Registry
from tasks.intake.template import TaskEntry, write_template
from tasks.model.periods import Period, parse_period
from tasks.model.rules import ReportingRules

MAY_2025 = parse_period("2025-05")
TODAY = date(2025, 6, 1)


def write_submission(path: Path, registry: Registry, agency: str,
                     period: Period = MAY_2025, entries: list[TaskEntry] | None = None,
                     metrics: dict[str, float] | None = None) -> Path:
    """A submission workbook made from the agency template, filled in."""
    return write_template(registry, agency, period, path, entries or [], metrics or {},
                          rules=ReportingRules())
