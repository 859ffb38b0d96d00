"""Benchmark 5, the country on Prefect: N provinces' monthly runs triggered at once
through the API on 1, 2 and 4 workers, against the same work on a process pool.

For each worker count W (``--workers``, default 1,2,4), not timed: ``deployments.cluster
up`` brings up a Prefect server on PostgreSQL, a process pool (limit W), W workers (one
run each) and N provinces (``--provinces``, default 34), each with its demo month
(2025-05, seed = its number) and its reporting database on PostgreSQL. Timed: every
province's ``bao-cao-thang-<code>`` triggered at once (``run_deployment(..., timeout=0)``)
until the last run is final. Then ``down``.

The baseline, in the same run: the same work with the plain functions the flow's steps
call (``build_resources``; each file taken by ``Intake.take``; ``Reporting.gather``,
``build``, ``publish``: the report rendered and written), each province in a fresh demo
workspace and a fresh PostgreSQL database, on a ``ProcessPoolExecutor`` of 1 and of 2
processes (no Prefect at all, not even its test harness).

Both use ``CCHC_SETTLE_SECONDS=0`` (the demo's files are old: nothing to wait for).

Prints: the wall time and provinces per minute of each configuration and the ratio to 1
worker; for the Prefect runs, each run's launch (Pending → Running: the worker starts
the process, imports, the pull step) and body (Running → final), Prefect's overhead per
run (launch + body − the plain work of one province on a pool of one), and the task runs'
total time by task name (the profile of where the runs spend their time).

    PYTHONPATH=. .venv/bin/python bench/country.py --provinces 34 --workers 1,2,4
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

from deployments.cluster import DEFAULT_POSTGRES, create_databases, database_url, down, up

PERIOD = "2025-05"
SETTINGS = {"CCHC_SETTLE_SECONDS": "0"}


def lay_out(number: int, workspace: str) -> None:
    """Province ``number``'s demo month (not timed, as ``cluster up`` is not)."""
    from config.registry import load_registry
    from config.settings import REGISTRY_DIR
    from tasks.demo.province import build_demo_workspace

    build_demo_workspace(Path(workspace), load_registry(REGISTRY_DIR), seed=number)


def plain_month(workspace: str, db_url: str) -> float:
    """One province's monthly run without Prefect; returns its seconds."""
    from config.settings import load_settings
    from flows.resources import build_resources
    from tasks.intake import settling
    from tasks.model.periods import parse_period

    began = time.perf_counter()
    res = build_resources(load_settings(workspace=Path(workspace), database_url=db_url,
                                        settle_seconds=0))
    with res.lock:
        for intake in (res.inbox_intake, res.portal_intake):
            intake.repair()
            listing = settling.scan(intake.folder, intake.store, now=intake.clock(),
                                    settle=timedelta(0))
            for item in listing.ready:
                intake.take(item)
    inputs, portal_file, rejections = res.reporting.gather(parse_period(PERIOD))
    built = res.reporting.build(inputs, portal_file, rejections, data_gaps=(),
                                dossier_counts=None, waiting=(), provisional=False)
    res.reporting.publish(built, force=False, run_id="bench")
    res.db.dispose()
    return time.perf_counter() - began


def baseline(pool_size: int, provinces: int, base: Path,
             postgres: str) -> tuple[float, list[float]]:
    names = [f"cchc_benchplain{pool_size}_{n:02d}" for n in range(provinces)]
    create_databases(postgres, names)
    folders = [str(base / f"plain{pool_size}" / f"p{n:02d}") for n in range(provinces)]
    with ProcessPoolExecutor(max_workers=pool_size) as pool:
        for future in [pool.submit(lay_out, n, folders[n]) for n in range(provinces)]:
            future.result()
        began = time.perf_counter()  # the pool's processes are up: as the workers are
        futures = [pool.submit(plain_month, folders[n], database_url(postgres, names[n]))
                   for n in range(provinces)]
        each = [f.result() for f in futures]
        wall = time.perf_counter() - began
    from deployments.cluster import drop_databases

    drop_databases(postgres, names)
    return wall, each


def _seconds(a: datetime | None, b: datetime | None) -> float:
    return (b - a).total_seconds() if a and b else float("nan")


def on_prefect(workers: int, provinces: int, base: Path, postgres: str) -> dict[str, object]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    root = base / f"prefect{workers}"
    state = up(root, provinces, workers, postgres_url=postgres, db_prefix=f"cchc_bench{workers}",
               pool=f"bench-{workers}", pool_limit=workers, settings_env=SETTINGS)
    try:
        with temporary_settings(updates={PREFECT_API_URL: state.api_url}):
            began = time.perf_counter()
            ids: list[UUID] = []
            for tenant in state.tenants():
                run = run_deployment(f"monthly-report/bao-cao-thang-{tenant.code}",
                                     parameters={"period": PERIOD}, timeout=0)
                assert isinstance(run, FlowRun)  # maybe-async; called from sync code it is not
                ids.append(run.id)
            with get_client(sync_client=True) as client:
                pending = set(ids)
                while pending:
                    for run_id in list(pending):
                        seen = client.read_flow_run(run_id)
                        if seen.state is not None and seen.state.is_final():
                            pending.discard(run_id)
                    time.sleep(0.5)
                wall = time.perf_counter() - began
                launch: list[float] = []
                body: list[float] = []
                states: dict[str, int] = defaultdict(int)
                for run_id in ids:
                    history = {s.type.value: s.timestamp
                               for s in client.read_flow_run_states(run_id)}
                    final = client.read_flow_run(run_id).state
                    assert final is not None
                    states[final.type.value] += 1
                    launch.append(_seconds(history.get("PENDING"), history.get("RUNNING")))
                    body.append(_seconds(history.get("RUNNING"), final.timestamp))
                by_task: dict[str, float] = defaultdict(float)
                for run_id in ids:  # the API returns at most 200 task runs a call
                    for task_run in client.read_task_runs(flow_run_filter=FlowRunFilter(
                            id=FlowRunFilterId(any_=[run_id])), limit=200):
                        name = task_run.name.rsplit("-", 1)[0]
                        if name.startswith("thu-nhan-"):  # one task run per file taken
                            name = "thu-nhan (mỗi tệp)"
                        by_task[name] += task_run.total_run_time.total_seconds()
    finally:
        down(root, postgres_url=postgres)
    return {"wall": wall, "launch": launch, "body": body, "states": dict(states),
            "tasks": dict(by_task)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--postgres", default=os.environ.get("CCHC_CLUSTER_POSTGRES_URL",
                                                             DEFAULT_POSTGRES))
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}; load average before: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; {args.provinces} provinces")
    n = args.provinces
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        plain: dict[int, tuple[float, list[float]]] = {}
        for size in (1, 2):
            plain[size] = baseline(size, n, base, args.postgres)
            print(f"process pool of {size}: {plain[size][0]:.1f} s, "
                  f"{n / plain[size][0] * 60:.1f} provinces/min "
                  f"(one province: median {statistics.median(plain[size][1]):.2f} s)",
                  flush=True)
        one_plain = statistics.median(plain[1][1])
        results = {}
        for workers in counts:
            r = on_prefect(workers, n, base, args.postgres)
            results[workers] = r
            launch, body = r["launch"], r["body"]
            assert isinstance(launch, list) and isinstance(body, list)
            wall = r["wall"]
            assert isinstance(wall, float)
            start, run = statistics.median(launch), statistics.median(body)
            print(f"Prefect, {workers} worker(s): {wall:.1f} s, {n / wall * 60:.1f} provinces/min"
                  f", states {r['states']}; per run: launch median {start:.2f} s, body median "
                  f"{run:.2f} s, overhead vs plain {start + run - one_plain:.2f} s", flush=True)
            tasks = r["tasks"]
            assert isinstance(tasks, dict)
            top = sorted(tasks.items(), key=lambda kv: -kv[1])[:6]
            print("   task runs' total time: " + ", ".join(f"{k} {v:.1f} s" for k, v in top))
        first = results[counts[0]]["wall"]
        assert isinstance(first, float)
        for workers in counts:
            wall = results[workers]["wall"]
            assert isinstance(wall, float)
            print(f"ratio to {counts[0]} worker(s), {workers}: {first / wall:.2f} x "
                  f"(plain pool of 2 vs 1: {plain[1][0] / plain[2][0]:.2f} x; Prefect "
                  f"{workers} vs plain pool of 1: {plain[1][0] / wall:.2f} x)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
