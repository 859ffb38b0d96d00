"""A report's fingerprint: a hash of everything it shows and every input it used.

Two runs with the same inputs make the same fingerprint, so a rerun is recognised and
keeps the version already written (:mod:`tasks.report.publish`). Keys added to the report
since its first release enter the hash only when they hold something, so that reports
made before keep their fingerprint.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from typing import Any

from tasks.model.report import MissingUnitRow, ReportContent
from tasks.report.report_json import canonical_json


def report_fingerprint(content: ReportContent, used: list[dict[str, Any]], *,
                       provisional: bool) -> str:
    """The fingerprint of ``content`` built from the inputs ``used`` (the manifest's
    list); ``provisional``: made before its period closed (then it differs from the
    closed period's report, so the run after the close makes its own version)."""
    shown: dict[str, Any] = {
        "indicators": [asdict(v) for v in content.indicators],
        "tasks": [asdict(t) for t in content.tasks],
        "missing": [_shown_state(m) for m in content.missing],
        "rejected": [asdict(r) for r in content.rejected],
        "inputs": used,
    }
    if provisional:  # only then, so that earlier reports keep their fingerprint
        shown["provisional"] = True
    if content.index766_points or content.source_disagreements:
        shown["index766_points"] = [asdict(p) for p in content.index766_points]
        shown["source_disagreements"] = [asdict(d) for d in content.source_disagreements]
    return hashlib.sha256(canonical_json(shown)).hexdigest()


def _shown_state(row: MissingUnitRow) -> dict[str, Any]:
    """A unit's state as the fingerprint sees it: without the waiting files' key when there
    are none, so that reports made before files could wait keep their fingerprint."""
    shown = asdict(row)
    if not row.waiting_files:
        del shown["waiting_files"]
    return shown
