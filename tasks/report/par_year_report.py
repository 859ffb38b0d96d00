"""The yearly CCHC index in the year's report (period ``2025``), as its annex.

The index of a year is made with that year's report: the year period's run (``cchc run
--period 2025``, the year's deployment, ``cchc demo --history`` after its twelve months)
adds it to the report's content, and the workbook (sheet «Chỉ số CCHC»), the Word document
(an annex after the signature, Nghị định 30 layout) and the HTML page show it;
``indicators.json`` keeps every point with its sources for ``cchc trace``.

Its inputs: the twelve months' published report versions (the values,
:mod:`tasks.indicators.par_year`), the self-assessed and appraised points
(:class:`~tasks.model.par_assessment.AssessedCriterion`, from the store that takes in those
files), and last year's index as last year's report published it. The report's fingerprint
includes the index, so an appraisal that arrives after the year's report was written makes
a new version when the year is run again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Protocol

from config.par_criteria import ParCriteria
from config.registry import Registry
from tasks.indicators.par_year import PublishedMonths, published_months, year_index
from tasks.model.par_assessment import AssessedCriterion
from tasks.model.periods import parse_period
from tasks.model.records import ReportVersion
from tasks.report.build import BuiltReport
from tasks.report.report_json import canonical_json

_LOG = logging.getLogger(__name__)
PAR_INDEX_KEY = "par_index"


class AssessedPoints(Protocol):
    """Where the self-assessed and appraised points of a year are read from."""

    def assessments(self, year: int) -> Sequence[AssessedCriterion]: ...


class NoAssessments:
    """No self-assessment or appraisal taken in (yet): every such criterion is 0 with its
    reason, and the report says so."""

    def assessments(self, year: int) -> Sequence[AssessedCriterion]:
        del year
        return ()


class YearReports(PublishedMonths, Protocol):
    def latest_report_version(self, period: str) -> ReportVersion | None: ...


def last_year_totals(store: YearReports, year: int) -> dict[str, float] | None:
    """Each unit's total in the index of ``year - 1`` as its latest published year report
    holds it (``indicators.json``), or ``None`` when there is no such index."""
    version = store.latest_report_version(str(year - 1))
    if version is None:
        return None
    try:
        document = json.loads((Path(version.path) / "indicators.json").read_text("utf-8"))
    except (OSError, ValueError):
        _LOG.warning("không đọc được indicators.json của báo cáo năm %d (%s)", year - 1,
                     version.path)
        return None
    index = document.get(PAR_INDEX_KEY) if isinstance(document, dict) else None
    if not isinstance(index, dict):
        return None
    totals: dict[str, float] = {}
    for group in index.get("groups", []):
        for unit in group.get("units", []):
            totals[str(unit["unit"])] = float(unit["points"])
    return totals




def with_par_index(store: YearReports, registry: Registry, criteria: ParCriteria,
                   assessments: AssessedPoints, built: BuiltReport) -> BuiltReport:
    """``built`` with the year's CCHC index when it is a year's report and a criteria set
    applies to that year; any other report is returned as it is."""
    period = parse_period(built.content.period)
    if period.kind != "year" or not any(s.applies_in(*period.window("calendar"))
                                        for s in criteria.sets):
        return built
    published = published_months(store, period.year)
    index = year_index(registry, criteria, period.year, published,
                       list(assessments.assessments(period.year)),
                       last_year_totals(store, period.year))
    _LOG.info("năm %d: chỉ số CCHC của %s", period.year,
              ", ".join(f"{len(g.units)} đơn vị ({g.set_id})" for g in index.groups))
    fingerprint = hashlib.sha256(built.fingerprint.encode("ascii")
                                 + canonical_json(asdict(index))).hexdigest()
    return replace(built, content=replace(built.content, par_index=index),
                   fingerprint=fingerprint)
