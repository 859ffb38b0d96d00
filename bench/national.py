"""Benchmark 4, the national month: 34 provinces' dossiers aggregated, 34 reports rendered.

The project has one province registry (``config/data``); every one of the N provinces here
uses it (the demo province's units and tasks), so each province's dossiers fall on the same
~140 units. Rows are split unevenly, as the country's are: province ``k`` (0 = the biggest)
gets a share proportional to ``1 / (k + 1) ** 0.7`` (for 34 provinces: about 14 % for the
biggest, 1.2 % for the smallest). Each province's dossiers are numbered apart, so every
MaHoSo is unique in the country.

Not timed (printed): the dossier files are generated as Parquet with DuckDB (``COPY …
FROM range()``, the generator of ``bench/dossiers.py``); each province's demo month
(2025-05: agency files and portal export) is laid out and collected into its own SQLite
database (``bench/provinces.py``), without the demo's own dossier file.

Timed, each province on a ``ProcessPoolExecutor`` of ``--workers`` processes (plain
domain functions, no Prefect server), as a monthly run does it:

1. ``intake``: the province's ``ho-so-2025-05.parquet`` collected from ``portal/``
   (``collect_portal_file``: the dossier check, archive, stored as the month's file);
2. ``aggregation``: ``gather_inputs`` + ``build_report`` with the 766 rules (the file
   checked again and aggregated, the 766 indicators and points, the comparison with the
   portal export) + the trend;
3. the report rendered into a temporary folder (``bench/rendering.render_parts``):
   ``workbook``, ``charts``, ``view``, ``word``, ``html``.

Prints each stage's total over the provinces (seconds of work summed over the workers),
the wall time of the timed part, the goal (300 s) and whether it is met; and checks that
the provinces' received counts add up to the dossiers generated in the window.

    PYTHONPATH=. /work/main/.venv/bin/python bench/national.py \\
        --provinces 34 --rows 10000000 --workers 2 [--data-dir DIR --keep-data]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.dossiers import WINDOW, generate
from bench.provinces import collect_demo_month
from bench.rendering import render_parts

GOAL_SECONDS = 300.0
SKEW = 0.7
STAGES = ("intake", "aggregation", "workbook", "charts", "view", "word", "html")
PERIOD = "2025-05"  # the demo's month; WINDOW is its data window


def province_rows(rows: int, provinces: int) -> list[int]:
    """``rows`` split over the provinces, biggest first, in proportion to 1/(k+1)^SKEW."""
    weights = [1 / (k + 1) ** SKEW for k in range(provinces)]
    total = sum(weights)
    split = [int(rows * w / total) for w in weights]
    split[0] += rows - sum(split)
    return split


@dataclass(frozen=True)
class ProvinceResult:
    number: int
    rows: int
    stages: dict[str, float]
    received: int  # the province's dossiers received in the window (766 counts)
    units: int  # units with dossier indicators
    charts: int
    files: list[str]


def prepare_province(number: int, folder: str) -> float:
    """The province's demo month collected (no dossier file); returns the seconds."""
    began = time.perf_counter()
    db, _ = collect_demo_month(number, Path(folder), demo_dossiers=False)
    db.engine.dispose()
    return time.perf_counter() - began


def national_province(number: int, rows: int, folder: str, reports: str) -> ProvinceResult:
    """The timed part of one province's month (its dossier file is in ``portal/``)."""
    from datetime import UTC, datetime

    from config.index766 import load_index766
    from config.registry import load_registry
    from config.settings import REGISTRY_DIR
    from connectors.database import Database
    from connectors.drop_folder import DropFolder
    from tasks.intake.collect import collect_portal_file
    from tasks.model.periods import parse_period
    from tasks.model.report import PROVINCE
    from tasks.model.rules import ReportingRules
    from tasks.portal.dossiers import INDICATOR_IDS
    from tasks.report.build import build_report
    from tasks.report.period_inputs import gather_inputs
    from tasks.report.trend_history import with_trend

    root = Path(folder)
    registry, index766 = load_registry(REGISTRY_DIR), load_index766(REGISTRY_DIR)
    period, rules = parse_period(PERIOD), ReportingRules()
    db = Database.from_url(f"sqlite:///{root / 'cchc.db'}")
    stages: dict[str, float] = {}

    began = time.perf_counter()
    portal = DropFolder.portal_exports(root / "workspace")
    for item in portal.pending():
        outcome = collect_portal_file(item, portal, db, registry, today=rules.due_date(period),
                                      now=datetime.now(UTC), index766=index766)
        if outcome is None or outcome.outcome != "accepted":
            raise SystemExit(f"p{number:02d}: dossier file not accepted: {outcome}")
    stages["intake"] = time.perf_counter() - began

    began = time.perf_counter()
    inputs, portal_file, rejections = gather_inputs(db, period, rules=rules)
    built = build_report(registry, inputs, portal_file, rejections, index766=index766)
    built = with_trend(db, registry, built, rules=rules)
    stages["aggregation"] = time.perf_counter() - began
    db.engine.dispose()

    content = built.content
    if content.data_gaps[1:]:  # the first gap may only say the portal figures are missing
        raise SystemExit(f"p{number:02d}: {content.data_gaps}")
    out = Path(reports) / f"p{number:02d}"
    parts, charts = render_parts(content, out)
    stages.update({part: wall for part, (wall, _cpu) in parts.items()})
    received = next(v.denominator for v in content.indicators
                    if v.unit == PROVINCE and v.indicator == "idx766_online_share")
    units = {v.unit for v in content.indicators if v.indicator in INDICATOR_IDS} - {PROVINCE}
    return ProvinceResult(number, rows, stages, int(received or 0), len(units), charts,
                          sorted(p.name for p in out.iterdir()))


def window_count(files: list[Path]) -> int:
    """Dossiers received in the window, statuses 3 and 7 left out: one plain query."""
    from datetime import datetime, timedelta

    import duckdb

    start = datetime.combine(WINDOW[0], datetime.min.time())
    stop = datetime.combine(WINDOW[1] + timedelta(days=1), datetime.min.time())
    with duckdb.connect() as con:
        found = con.execute(
            "SELECT count(*) FROM read_parquet($files) WHERE NgayTiepNhan >= $start "
            "AND NgayTiepNhan < $stop AND TrangThaiHoSo NOT IN (3, 7)",
            {"files": [str(f) for f in files], "start": start, "stop": stop}).fetchone()
    return int(found[0]) if found else 0


@dataclass
class NationalRun:
    provinces: int
    rows: int
    generation: float = 0.0
    preparation: float = 0.0
    wall: float = 0.0
    expected_received: int = 0
    results: list[ProvinceResult] = field(default_factory=list)

    @property
    def received(self) -> int:
        return sum(r.received for r in self.results)

    def stage_totals(self) -> dict[str, float]:
        return {s: sum(r.stages[s] for r in self.results) for s in STAGES}


def _dossier_file(data: Path, number: int) -> Path:
    return data / f"ho-so-{number:02d}.parquet"


def prepare_data(data: Path, provinces: int, rows: int, workers: int, run: NationalRun) -> None:
    """Generate the dossier files and collect each province's demo month, unless ``data``
    already holds them for the same sizes (``params.json``)."""
    params = {"provinces": provinces, "rows": rows, "skew": SKEW}
    marker = data / "params.json"
    if marker.is_file() and json.loads(marker.read_text()) == params:
        print(f"Reusing the data in {data}")
        return
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    first = 0
    for number, count in enumerate(province_rows(rows, provinces)):
        run.generation += generate(_dossier_file(data, number), count, first)
        first += count
    began = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(prepare_province, range(provinces),
                      [str(data / f"p{n:02d}") for n in range(provinces)]))
    run.preparation = time.perf_counter() - began
    marker.write_text(json.dumps(params))


def national_month(data: Path, provinces: int, rows: int, workers: int,
                   reports: Path) -> NationalRun:
    """Prepare (or reuse) ``data``, then time the provinces' months on the pool."""
    run = NationalRun(provinces, rows)
    prepare_data(data, provinces, rows, workers, run)
    split = province_rows(rows, provinces)
    run.expected_received = window_count([_dossier_file(data, n) for n in range(provinces)])
    work = data / f"run-{os.getpid()}"
    try:
        for number in range(provinces):  # a fresh copy of the prepared month (not timed)
            folder = work / f"p{number:02d}"
            shutil.copytree(data / f"p{number:02d}", folder)
            target = folder / "workspace" / "portal" / f"ho-so-{PERIOD}.parquet"
            shutil.copyfile(_dossier_file(data, number), target)  # the intake refuses links
        began = time.perf_counter()
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(national_province, n, split[n], str(work / f"p{n:02d}"),
                                   str(reports)) for n in range(provinces)]
            run.results = [f.result() for f in futures]
        run.wall = time.perf_counter() - began
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return run


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def report(run: NationalRun, workers: int) -> None:
    print(f"{'province':>8} {'rows':>10} {'received':>9} {'units':>5} {'charts':>6} "
          + " ".join(f"{s:>11}" for s in STAGES))
    for r in run.results:
        print(f"{f'p{r.number:02d}':>8} {r.rows:>10,} {r.received:>9,} {r.units:>5} "
              f"{r.charts:>6} "
              + " ".join(f"{r.stages[s]:>9.2f} s" for s in STAGES))
    print(f"generation (not timed): {run.generation:.1f} s; demo months collected "
          f"(not timed): {run.preparation:.1f} s")
    totals = run.stage_totals()
    print("stage totals (work seconds summed over the provinces, "
          f"{workers} worker{'s' if workers > 1 else ''}):")
    for stage, seconds in totals.items():
        print(f"  {stage:>11}: {seconds:8.2f} s  ({seconds / sum(totals.values()):5.1%})")
    print(f"  {'all':>11}: {sum(totals.values()):8.2f} s")
    print(f"received in the window: {run.received:,} by the 766 counts, "
          f"{run.expected_received:,} by a plain count of the files")
    met = run.wall <= GOAL_SECONDS
    print(f"total wall time: {run.wall:.1f} s for {run.provinces} provinces and "
          f"{run.rows:,} dossiers; goal {GOAL_SECONDS:.0f} s: {'met' if met else 'NOT MET'}")


def main(argv: list[str] | None = None) -> NationalRun:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--rows", type=int, default=10_000_000, help="dossiers in all")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="where the generated data lives (reused when the sizes match)")
    parser.add_argument("--keep-data", action="store_true",
                        help="keep --data-dir afterwards (a later run reuses it)")
    parser.add_argument("--reports-dir", type=Path, default=None,
                        help="keep the rendered reports here (default: a temporary folder)")
    args = parser.parse_args(argv)
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}; load average before: {_load()}")
    with tempfile.TemporaryDirectory(prefix="cchc-national-") as tmp:
        data = args.data_dir if args.data_dir is not None else Path(tmp) / "data"
        reports = args.reports_dir if args.reports_dir is not None else Path(tmp) / "reports"
        try:
            run = national_month(data, args.provinces, args.rows, args.workers, reports)
        finally:
            if args.data_dir is not None and not args.keep_data:
                shutil.rmtree(data, ignore_errors=True)
        report(run, args.workers)
    print(f"load average after: {_load()}")
    if run.received != run.expected_received:
        raise SystemExit("the 766 counts do not add up to the dossiers in the window")
    return run


if __name__ == "__main__":
    main()
