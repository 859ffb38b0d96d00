"""Building a period's consolidated report from its inputs.

The content is computed here and fingerprinted (:mod:`tasks.report.fingerprint`); its
version number and time are set only when a version is written
(:mod:`tasks.report.publish`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from config.index766 import Index766Config
from config.registry import Registry
from tasks.indicators.compute import (
    PeriodInputs,
    compute_indicators,
    expected_units,
    left_out_of_province,
    registers_note,
    series_break_notes,
    submission_states,
    task_progress,
)
from tasks.indicators.rollup import portal_files_used
from tasks.model.periods import Period
from tasks.model.records import StoredPortalFile, StoredRejection, WaitingFile
from tasks.model.report import PORTAL_MISSING_VI, RejectedFileRow, ReportContent
from tasks.model.vocabulary import STATE_MISSING
from tasks.portal.dossier_counts import DossierCounts
from tasks.report.checks import data_issues
from tasks.report.dossier_figures import DossierFigures, dossier_figures
from tasks.report.fingerprint import report_fingerprint

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuiltReport:
    """A report not yet written: its content, the inputs it used (as the manifest lists
    them) and its fingerprint."""
    content: ReportContent
    inputs: list[dict[str, Any]]
    fingerprint: str


def build_report(registry: Registry, inputs: PeriodInputs, portal: StoredPortalFile | None,
                 rejections: list[StoredRejection], *,
                 data_gaps: Sequence[str] = (),
                 index766: Index766Config | None = None,
                 dossier_counts: DossierCounts | None = None,
                 waiting: Sequence[WaitingFile] = (),
                 provisional: bool = False,
                 plausibility: Sequence[str] = ()) -> BuiltReport:
    """Compute the report's content (version and time are set when it is written).

    A period without portal figures is marked ``portal_missing`` and its ``data_gaps``
    say so first; ``data_gaps`` adds what this run could not get (a failed portal fetch).
    With a current dossier file and ``index766``, the 766 indicators, points and the
    disagreements with the aggregated statistics are added (:mod:`dossier_figures`), from
    ``dossier_counts`` when given (the flow's cached counts), else from the file.
    ``waiting``: files still being written in the drop folders, shown with their units
    (such a unit is «tệp đang chờ thu nhận», not «chưa nộp»).
    ``provisional``: the period has not closed (asked for with ``open_period``): a banner
    says so first, and the fingerprint differs from the closed period's report, so the
    run after the close makes its own version.
    ``plausibility``: the warnings of figures that look odd against their history and
    peers (:mod:`tasks.report.plausibility`), listed after the data issues.
    """
    tasks = task_progress(registry, inputs)
    dossiers = (dossier_figures(registry, inputs, index766, dossier_counts)
                if index766 is not None
                else DossierFigures())
    indicators = compute_indicators(registry, inputs, tasks) + dossiers.indicators
    names = registry.indicator_names()
    for code, name in dossiers.names.items():
        names.setdefault(code, name)
    units = {a.code: a.name for a in expected_units(registry, inputs)}
    for value in indicators:
        agency = registry.agency(value.unit)
        if agency is not None and value.unit not in units:
            units[value.unit] = agency.name
    content = ReportContent(
        period=inputs.period.label, period_label_vi=inputs.period.label_vi, version=0,
        generated_at=datetime.fromtimestamp(0).astimezone(), window=inputs.window,
        indicators=indicators, indicator_names=names,
        indicator_kinds=registry.indicator_kinds(), unit_names=units,
        tasks=tasks, missing=submission_states(registry, inputs, waiting),
        rejected=[RejectedFileRow(r.agency_folder or r.source, r.file_name, r.arrived_at,
                                  "; ".join(p.line_vi() for p in r.problems))
                  for r in rejections],
        left_out=left_out_of_province(registry, inputs, tasks),
        notes=[*registers_note(registry, inputs), *series_break_notes(registry, inputs)],
        portal_missing=inputs.portal is None,
        data_gaps=([provisional_note(inputs.period, inputs.window[1])] if provisional
                   else []) + ([PORTAL_MISSING_VI] if inputs.portal is None else [])
        + list(data_gaps) + dossiers.gaps,
        data_issues=[*data_issues(inputs, portal, indicators), *plausibility],
        index766_points=dossiers.points, source_disagreements=dossiers.disagreements,
    )
    used = _inputs_used(inputs, portal, dossiers)
    fingerprint = report_fingerprint(content, used, provisional=provisional)
    missing = [m.unit for m in content.missing if m.state == STATE_MISSING]
    _LOG.info("kỳ %s: %d chỉ số, %d đơn vị chưa nộp%s", content.period, len(indicators),
              len(missing), f" ({', '.join(missing)})" if missing else "")
    _LOG.debug("kỳ %s: dấu vân tay dữ liệu %s", content.period, fingerprint)
    return BuiltReport(content, used, fingerprint)


def _inputs_used(inputs: PeriodInputs, portal: StoredPortalFile | None,
                 dossiers: DossierFigures) -> list[dict[str, Any]]:
    """Every stored file the report used (units' reports, portal figures, the dossier
    file), as the manifest lists them and the fingerprint hashes them."""
    used: list[dict[str, Any]] = [
        {"kind": "submission", "path": s.archive_path, "content_hash": s.content_hash,
         "agency": s.agency_code, "period": s.period, "file_name": s.file_name,
         "arrived_at": s.arrived_at.isoformat()} for s in inputs.submissions]
    used.extend({"kind": "portal", "path": p.archive_path, "content_hash": p.content_hash,
                 "agency": None, "period": p.period, "file_name": p.file_name}
                for p in portal_files_used(inputs, portal))
    if dossiers.used is not None:
        used.append(dossiers.used)
    return used


def provisional_note(period: Period, end: date) -> str:
    """The banner of a report made before its period closed (Vietnamese)."""
    return (f"BẢN TẠM: kỳ {period.label_vi} chưa kết thúc (số liệu tính đến hết "
            f"{end:%d/%m/%Y}); số liệu còn thay đổi, bản này không gửi Sở Nội vụ.")
