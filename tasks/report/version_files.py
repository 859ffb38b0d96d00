"""Writing a version's folder: ``reports/<period>/v<N>/``.

It holds ``indicators.json``, ``manifest.json``, the workbook
``bao-cao-cchc-<period>.xlsx`` and, beside it, the Word report, the HTML report and the
chart PNGs (:mod:`tasks.report.documents`). The folder is staged beside its place and
moved there once complete, so a reader never sees half a version.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from tasks.model.crash_points import crash_point
from tasks.model.report import IndicatorValue, ReportContent
from tasks.report.build import BuiltReport
from tasks.report.letterhead import Letterhead
from tasks.report.report_json import readable_json


def indicators_document(content: ReportContent) -> dict[str, Any]:
    """``indicators.json``: the report's figures and notes, for programs that read them."""
    return {
        "period": content.period,
        "version": content.version,
        "generated_at": content.generated_at.isoformat(),
        "portal_missing": content.portal_missing,
        "data_gaps": list(content.data_gaps),
        "indicators": [{"unit": v.unit, "indicator": v.indicator, "numerator": v.numerator,
                        "denominator": v.denominator, "value": v.value, "target": v.target,
                        "status": v.status} for v in content.indicators],
        "left_out": [{"indicator": indicator, "units": units}
                     for indicator, units in content.left_out.items()],
        "index766_points": [asdict(p) for p in content.index766_points],
        "source_disagreements": [
            {**asdict(d), "unit_name": content.unit_names.get(d.unit, d.unit),
             "text": d.line_vi(content.unit_names.get(d.unit, d.unit))}
            for d in content.source_disagreements],
        "notes": content.all_notes(),
        "data_issues": list(content.data_issues),
        "trend": [asdict(row) for row in content.trend],
        **({"par_index": asdict(content.par_index)} if content.par_index is not None else {}),
    }


def workbook_name(period: str) -> str:
    return f"bao-cao-cchc-{period}.xlsx"


def write_report(built: BuiltReport, folder: Path, *, version: int, generated_at: datetime,
                 run_id: str | None, timezone: str, letterhead: Letterhead | None = None,
                 previous_period: Sequence[IndicatorValue] = ()) -> Path:
    """Write the report files into ``folder`` (staged, then moved into place).

    Beside the workbook: the Word report, the HTML report and the chart PNGs
    (:mod:`tasks.report`); ``previous_period`` gives the change from the period before.
    """
    # the writers (openpyxl, docxtpl, matplotlib) are imported only when a version is written
    from tasks.report.documents import write_documents
    from tasks.report.workbook import write_report_workbook

    content = replace(built.content, version=version, generated_at=generated_at)
    staging = folder.with_name(folder.name + ".partial")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    _write_json(staging / "indicators.json", indicators_document(content))
    _write_json(staging / "manifest.json", {
        "period": content.period, "version": version, "run_id": run_id,
        "generated_at": generated_at.isoformat(), "fingerprint": built.fingerprint,
        "inputs": built.inputs,
        "portal_missing": content.portal_missing,
        "data_gaps": list(content.data_gaps),
        "rejected": [asdict(r) for r in content.rejected],
    })
    crash_point("report.writing")
    write_report_workbook(content, staging / workbook_name(content.period), timezone=timezone)
    write_documents(content, staging, letterhead=letterhead, previous=previous_period,
                    timezone=timezone)
    if folder.exists():
        shutil.rmtree(folder)
    staging.replace(folder)
    return folder


def _write_json(path: Path, data: object) -> None:
    path.write_text(readable_json(data), encoding="utf-8")
