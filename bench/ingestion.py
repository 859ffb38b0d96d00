"""Benchmark 3: ingestion of agency workbooks against reading their cells alone.

Generates ``--files`` agency workbooks (default 500) as agencies send them: the real
registry's units for 2025-05, every task of the unit listed with a status, progress and
text, every metric filled (the pre-filled template, ~10 KiB each; each file's content
differs, so later files of a unit supersede earlier ones). Then, alternating, best of
``--repeat`` each, on a fresh copy of the files:

- ``project``: the intake the collection flow runs for each file (plain domain functions,
  no Prefect): list and settle the files, hash, read, validate, archive, store in a real
  SQLite database, remove from the inbox;
- ``plain``: the same files' cells read with python-calamine alone in a plain loop (every
  sheet of every file, as Python values).

Prints both times and the ratio. Target: project ≤ 3 × plain.

    PYTHONPATH=. .venv/bin/python bench/ingestion.py [--files 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

TARGET = 3.0
PERIOD = "2025-05"


def generate(folder: Path, files: int, seed: int = 7) -> list[Path]:
    """``files`` workbooks under ``folder/<unit>/``, spread over the units of the period."""
    from config.registry import load_registry
    from config.settings import REGISTRY_DIR
    from tasks.intake.template import TaskEntry, write_template
    from tasks.model.periods import parse_period
    from tasks.model.rules import ReportingRules

    rng = random.Random(seed)
    registry = load_registry(REGISTRY_DIR)
    period = parse_period(PERIOD)
    rules = ReportingRules()
    window = rules.window(period)
    units = [a.code for a in rules.expected_units(registry, period)]
    written = []
    for n in range(files):
        code = units[n % len(units)]
        entries = [TaskEntry(t.id, "Đang thực hiện", float(rng.randrange(5, 95, 5)), None,
                             f"Lần {n}: đã triển khai {rng.randint(1, 40)} nội dung",
                             "Chờ hướng dẫn" if rng.random() < 0.2 else None)
                   for t in registry.tasks_reportable_by(code, window)]
        metrics = {m.code: float(rng.randint(0, 30)) for m in registry.metrics}
        path = folder / code / f"bao-cao-{code}-{n:04d}.xlsx"
        write_template(registry, code, period, path, entries, metrics, rules=rules)
        written.append(path)
    return written


def run_project(source: Path, work: Path) -> tuple[float, int]:
    """Collect a fresh copy of ``source`` as the inbox of a new workspace; seconds taken
    by the intake itself (not the copy, not the database migration)."""
    from config.index766 import load_index766
    from config.registry import load_registry
    from config.settings import REGISTRY_DIR
    from connectors.database import Database
    from connectors.drop_folder import DropFolder
    from tasks.intake.collect import Intake, ready_files
    from tasks.model.clock import fixed_clock
    from tasks.model.rules import ReportingRules

    workspace = work / "workspace"
    shutil.rmtree(workspace, ignore_errors=True)
    shutil.copytree(source, workspace / "inbox")
    past = (datetime.now(UTC) - timedelta(hours=1)).timestamp()
    for path in (workspace / "inbox").rglob("*.xlsx"):
        os.utime(path, (past, past))
    registry = load_registry(REGISTRY_DIR)
    db = Database.from_url(f"sqlite:///{workspace / 'cchc.db'}")
    db.migrate()
    folder = DropFolder.agency_inbox(workspace)
    folder.ensure()
    try:
        started = time.perf_counter()
        now = datetime.now(UTC)
        # one intake for the folder, as the composition root builds it for a run
        intake = Intake(folder, db, registry, rules=ReportingRules(),
                        index766=load_index766(REGISTRY_DIR), clock=fixed_clock(now))
        accepted = 0
        for item in ready_files(folder, db, now=now, settle=timedelta(0)):
            outcome = intake.take(item)
            accepted += outcome is not None and outcome.outcome == "accepted"
        return time.perf_counter() - started, accepted
    finally:
        db.dispose()


def run_plain(source: Path) -> tuple[float, int]:
    """Every sheet of every file read with python-calamine in a plain loop."""
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    cells = 0
    for path in sorted(source.rglob("*.xlsx")):
        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            for row in workbook.get_sheet_by_name(name).to_python():
                cells += len(row)
    return time.perf_counter() - started, cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cchc-bench-ingest-") as tmp:
        root = Path(tmp)
        began = time.perf_counter()
        paths = generate(root / "files", args.files)
        size = sum(p.stat().st_size for p in paths)
        print(f"generated {len(paths)} workbooks, {size / len(paths) / 1024:.1f} KiB each, "
              f"in {time.perf_counter() - began:.1f} s")
        project, plain = float("inf"), float("inf")
        for _ in range(args.repeat):
            seconds, cells = run_plain(root / "files")
            plain = min(plain, seconds)
            seconds, accepted = run_project(root / "files", root)
            project = min(project, seconds)
        if accepted != len(paths):
            raise SystemExit(f"only {accepted} of {len(paths)} files were accepted")
    ratio = project / plain
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}; load average {os.getloadavg()[0]:.1f}")
    print(f"plain calamine read: {plain:.2f} s ({cells} cells)")
    print(f"project intake:      {project:.2f} s ({accepted} files accepted)")
    print(f"ratio project/plain: {ratio:.2f} (target ≤ {TARGET:g}) "
          f"{'met' if ratio <= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
