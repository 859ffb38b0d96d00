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

from tasks.demo.province import STAGING, Drop
from tasks.intake.collect import FileOutcome, Intake, ready_files
from tasks.model.clock import fixed_clock

COLLECT_AFTER = timedelta(minutes=5)  # the collector passes a few minutes after a drop
_LOG = logging.getLogger(__name__)


def drop_and_collect(drops: Sequence[Drop], workspace: Path, *, inbox: Intake,
                     portal: Intake) -> list[FileOutcome]:
    """Drop the staged files (a month's plan's, the year's index files) in time order;
    after each drop time, collect with the clock stopped at that time (the intakes'
    folders, store and rules, not their clock)."""
    staging = workspace / STAGING
    outcomes: list[FileOutcome] = []
    for when, group in groupby(sorted(drops, key=lambda d: (d.when, d.relative)),
                               key=lambda d: d.when):
        for drop in group:
            source, target = staging / drop.relative, workspace / drop.relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(source, target)
            os.utime(target, (when.timestamp(), when.timestamp()))
        now = when + COLLECT_AFTER
        outcomes.extend(_collect(inbox, now))
        outcomes.extend(_collect(portal, now))
    _LOG.info("demo: %d tệp thả vào và thu nhận theo giờ đã định", len(outcomes))
    return outcomes


def _collect(intake: Intake, now: datetime) -> Sequence[FileOutcome]:
    at_now = intake.with_clock(fixed_clock(now))
    found = []
    for item in ready_files(intake.folder, intake.store, now=now, settle=timedelta(0)):
        outcome = at_now.take(item)
        if outcome is not None:
            found.append(outcome)
    return found
