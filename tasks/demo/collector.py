"""The demo's collector: each planned file is dropped at its time and collected then.

Intake records when the system first SAW a file (its sightings), not the file's
modification time. The demo therefore plays the collector: it moves each staged file into
the drop folder at its planned time and runs the intake's collection with ``now`` = that
time, so on-time and late units are the planned ones.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import groupby
from pathlib import Path

from config.registry import Registry
from tasks.demo.province import STAGING, DemoPlan
from tasks.intake.collect import (
    FileOutcome,
    collect_portal_file,
    collect_submission_file,
    ready_files,
)
from tasks.model.ports import DropBox, IntakeStore
from tasks.model.rules import ReportingRules

COLLECT_AFTER = timedelta(minutes=5)  # the collector passes a few minutes after a drop
_LOG = logging.getLogger(__name__)


def drop_and_collect(plan: DemoPlan, workspace: Path, *, inbox: DropBox, portal: DropBox,
                     db: IntakeStore, registry: Registry, rules: ReportingRules
                     ) -> list[FileOutcome]:
    """Drop the plan's staged files in time order; after each drop time, collect."""
    staging = workspace / STAGING
    outcomes: list[FileOutcome] = []
    for when, group in groupby(sorted(plan.drops, key=lambda d: (d.when, d.relative)),
                               key=lambda d: d.when):
        for drop in group:
            source, target = staging / drop.relative, workspace / drop.relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(source, target)
            os.utime(target, (when.timestamp(), when.timestamp()))
        now = when + COLLECT_AFTER
        outcomes.extend(_collect(inbox, db, registry, rules, now=now, source="inbox"))
        outcomes.extend(_collect(portal, db, registry, rules, now=now, source="portal"))
    _LOG.info("demo %s: %d tệp thả vào và thu nhận theo giờ đã định", plan.period.label,
              len(outcomes))
    return outcomes


def _collect(folder: DropBox, db: IntakeStore, registry: Registry, rules: ReportingRules, *,
             now: datetime, source: str) -> Sequence[FileOutcome]:
    step = collect_submission_file if source == "inbox" else collect_portal_file
    today = rules.today(now)
    found = []
    for item in ready_files(folder, db, source=source, now=now, settle=timedelta(0)):
        outcome = step(item, folder, db, registry, today=today, now=now)
        if outcome is not None:
            found.append(outcome)
    return found
