"""The demo's dossier file (``portal/ho-so-<YYYY-MM>.csv``), consistent with its export.

Each unit gets one row per dossier of its export row: the new dossiers received in the
window by channel (online, in person, post), the carried-over ones received before it,
and, shuffled over them, the outcomes the export counts (resolved on time, resolved late,
in progress within the deadline, in progress overdue). So the statistics and the dossiers
agree, except for :data:`UNSYNCED`, whose first few online dossiers were "not synchronised": the
report lists that disagreement. Rows are written one at a time (never held as a list).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path

from config.index766 import DOSSIER_COLUMNS

UNSYNCED = "UBND-LX"  # the demo unit whose first online dossiers are missing from the file
UNSYNCED_COUNT = 3
_FORMAT = "%Y-%m-%d %H:%M:%S"

DemoRow = tuple[str, str, list[object]]  # unit name, unit code, the export's 14 numbers


def _between(rng: random.Random, start: datetime, stop: datetime) -> datetime:
    seconds = max(0, int((stop - start).total_seconds()))
    return start + timedelta(seconds=rng.randint(0, seconds))


def _flag(rng: random.Random, share: float) -> int:
    return 1 if rng.random() < share else 0


def _unit_rows(code: str, period_label: str, values: Sequence[object],
               window: tuple[date, date], rng: random.Random) -> Iterator[list[object]]:
    counts = [int(str(v)) for v in values[:11]]
    received, online, in_person, post, carried = counts[:5]
    late, overdue = counts[7], counts[10]
    on_time, within = counts[6], counts[9]
    outcomes = (["on_time"] * on_time + ["late"] * late + ["within"] * within
                + ["overdue"] * overdue)
    outcomes += ["within"] * (received - len(outcomes))
    rng.shuffle(outcomes)
    start = datetime.combine(window[0], time(0))
    last = datetime.combine(window[1], time(23, 59, 59))
    channels = [2] * online + [1] * in_person + [3] * post + [1] * carried
    skipped = UNSYNCED_COUNT if code == UNSYNCED else 0
    for number, (channel, outcome) in enumerate(zip(channels, outcomes, strict=False)):
        if number < skipped:
            continue
        if number < received - carried:
            got = _between(rng, start, last - timedelta(hours=2))
        else:
            got = start - timedelta(days=rng.randint(3, 40), hours=rng.randint(0, 9))
        begin = max(got, start)
        ended: datetime | None = None
        if outcome in ("on_time", "late"):
            ended = _between(rng, begin + timedelta(minutes=30), last)
            due = (ended + timedelta(days=rng.randint(0, 5), hours=1) if outcome == "on_time"
                   else got + (ended - got) / 2)
        elif outcome == "within":
            due = last + timedelta(days=rng.randint(1, 15))
        else:
            due = got + (last - got) / 2
        paper = _flag(rng, 0.6)
        fee = _flag(rng, 0.4)
        yield [
            f"{code}-{period_label}-{number + 1:06d}", code,
            f"{rng.randint(1, 3)}.{rng.randint(1, 60):06d}", channel, got.strftime(_FORMAT),
            due.strftime(_FORMAT), ended.strftime(_FORMAT) if ended else "",
            (10 if rng.random() < 0.8 else 9) if ended else (4 if rng.random() < 0.9 else 5),
            _flag(rng, 0.15), 0, fee,
            (rng.choice((1, 2)) if fee and _flag(rng, 0.35 if channel == 2 else 0.05) else 0),
            paper, (_flag(rng, 0.55) if paper and ended else 0), _flag(rng, 0.6),
            _flag(rng, 0.3), _flag(rng, 0.01),
        ]


def write_dossier_file(path: Path, period_label: str, window: tuple[date, date],
                       rows: Sequence[DemoRow], rng: random.Random) -> Path:
    """Write the demo's dossier CSV (national column names) for the export ``rows``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(DOSSIER_COLUMNS)
        for _, code, values in rows:
            writer.writerows(_unit_rows(code, period_label, values, window, rng))
    return path
