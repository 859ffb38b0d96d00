"""Simulation: N provinces' monthly workloads on a local process pool, against one by one.

Each province's workload, in its own folder, uses the plain domain functions (no Prefect
server per province, no flow runs):

1. the demo builder lays out a workspace for 2025-05 (every agency's progress file and a
   portal export; seed = the province's number);
2. every file is collected into the province's own SQLite database (validation, archive,
   receipts) and the month's report content is computed (``gather_inputs`` +
   ``build_report``: indicators, missing units, tasks);
3. the dossier aggregation (``tasks.portal.dossiers.aggregate_rows``, the 766 counts)
   runs over that province's dossier file (``--rows`` dossiers, generated beforehand with
   the DuckDB generator of ``bench/dossiers.py``, not timed).

The same N workloads are run twice on fresh folders: one after another (a pool of one
process) and concurrently (a pool of ``--workers`` processes); the script prints each
province's time, both wall times and the speed-up.

    PYTHONPATH=. /work/main/.venv/bin/python bench/provinces.py --provinces 6 --workers 2
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bench.dossiers import WINDOW, generate

if TYPE_CHECKING:
    from connectors.database import Database


def collect_demo_month(number: int, root: Path, *,
                       demo_dossiers: bool = True) -> tuple[Database, int]:
    """Province ``number``'s demo month (2025-05) collected as a run would collect it.

    The demo builder lays out ``root/workspace`` (seed = ``number``) and every file is
    collected into ``root/cchc.db`` (validation, archive, receipts). Without
    ``demo_dossiers`` the demo's dossier file is left out (removed from ``portal/``
    before collecting), for a caller that brings its own. Returns the migrated database
    and the number of agency files accepted.
    """
    from config.registry import load_registry
    from config.settings import REGISTRY_DIR
    from connectors.database import Database
    from connectors.drop_folder import DropFolder
    from tasks.demo.province import DEMO_PERIOD, build_demo_workspace
    from tasks.portal.dossiers import SUFFIXES, dossier_file_name
    from tests.builders import take_file

    registry = load_registry(REGISTRY_DIR)
    workspace = root / "workspace"
    build_demo_workspace(workspace, registry, seed=number)
    if not demo_dossiers:
        for suffix in SUFFIXES:
            (workspace / "portal" / dossier_file_name(DEMO_PERIOD, suffix)).unlink(
                missing_ok=True)
    db = Database.from_url(f"sqlite:///{root / 'cchc.db'}")
    db.migrate()
    now = datetime.now(UTC)
    accepted = 0
    inbox, portal = DropFolder.agency_inbox(workspace), DropFolder.portal_exports(workspace)
    for item in inbox.pending():
        outcome = take_file(item, inbox, db, registry, now=now)
        accepted += outcome is not None and outcome.outcome == "accepted"
    for item in portal.pending():
        take_file(item, portal, db, registry, now=now)
    return db, accepted


def province_workload(number: int, folder: str, dossiers: str) -> tuple[int, float, int, int]:
    """One province's month; returns (number, seconds, files accepted, dossier units)."""
    from config.index766 import load_index766
    from config.registry import load_registry
    from config.settings import REGISTRY_DIR
    from tasks.demo.province import DEMO_PERIOD
    from tasks.model.periods import parse_period
    from tasks.model.rules import ReportingRules
    from tasks.portal.dossiers import aggregate_rows
    from tasks.report.build import build_report
    from tasks.report.period_inputs import gather_inputs

    began = time.perf_counter()
    db, accepted = collect_demo_month(number, Path(folder))
    period, rules = parse_period(DEMO_PERIOD), ReportingRules()
    inputs, portal_file, rejections = gather_inputs(db, period, rules=rules)
    build_report(load_registry(REGISTRY_DIR), inputs, portal_file, rejections)
    db.engine.dispose()
    counts = aggregate_rows(Path(dossiers), WINDOW, load_index766(REGISTRY_DIR))
    return number, time.perf_counter() - began, accepted, len(counts)


Results = list[tuple[int, float, int, int]]


def run(pool_size: int, provinces: int, base: Path, files: list[Path]) -> tuple[float, Results]:
    """Every province's workload on a pool of ``pool_size`` processes; wall time, results."""
    began = time.perf_counter()
    with ProcessPoolExecutor(max_workers=pool_size) as pool:
        futures = [pool.submit(province_workload, n, str(base / f"p{n:02d}"), str(files[n]))
                   for n in range(provinces)]
        results = sorted(f.result() for f in futures)
    wall = time.perf_counter() - began
    return wall, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rows", type=int, default=1_000_000,
                        help="dossiers per province")
    args = parser.parse_args()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}; load average before: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        files = [base / f"ho-so-{n:02d}.parquet" for n in range(args.provinces)]
        for path in files:
            generate(path, args.rows)
        print(f"{args.provinces} provinces, {args.rows:,} dossiers each (generated, not timed)")
        serial, serial_each = run(1, args.provinces, base / "serial", files)
        parallel, parallel_each = run(args.workers, args.provinces, base / "parallel", files)
    print("province  one-by-one  concurrent  files accepted  dossier units")
    for a, b in zip(serial_each, parallel_each, strict=True):
        assert a[2:] == b[2:], (a, b)  # the same work both ways
        print(f"p{a[0]:02d}      {a[1]:9.2f} s  {b[1]:9.2f} s  {a[2]:14d}  {a[3]:13d}")
    print(f"wall time one by one (pool of 1): {serial:.2f} s")
    print(f"wall time concurrent (pool of {args.workers}): {parallel:.2f} s")
    print(f"speed-up: {serial / parallel:.2f} x with {args.workers} workers; load average "
          f"after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
