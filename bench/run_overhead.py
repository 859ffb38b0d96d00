"""Benchmarks 1 and 2: what a monthly run costs beyond Prefect's own start-up.

Each measurement is a fresh process started the way an operator starts it, with the
same Prefect mode (no ``PREFECT_API_URL``: each process starts Prefect's temporary
server) and the same, already migrated, Prefect home:

- ``empty``: a Prefect flow that does nothing (the baseline);
- ``run``: ``cchc run --period 2025-05`` on a freshly built demo workspace (28 files to
  collect, validate and store; the report written and handed over);
- ``rerun``: the same command again on that workspace (nothing new: the version is kept).

The three alternate for ``--rounds`` rounds (default 3); the medians and the median
ratios against ``empty`` are printed. Targets: run ≤ 1.3 × empty, rerun ≤ 1.1 × empty.
With ``--api-url`` every process talks to that standing Prefect server instead (see
README: when to use one).

    PYTHONPATH=. .venv/bin/python bench/run_overhead.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EMPTY_FLOW = "from prefect import flow\nflow(name='empty')(lambda: None)()\n"
CLI = "from cli.main import app\napp()\n"
TARGETS = {"run": 1.3, "rerun": 1.1}


CPU: dict[str, list[float]] = {}  # CPU seconds (user + system) of each timed process tree


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str], kind: str | None = None) -> float:
    """Wall-clock seconds; the CPU seconds (which depend less on other jobs sharing the
    machine; the temporary server's own process is included) go to ``CPU[kind]``."""
    began, cpu = time.perf_counter(), _children_cpu()
    subprocess.run(argv, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    if kind is not None:
        CPU.setdefault(kind, []).append(_children_cpu() - cpu)
    return time.perf_counter() - began


def build_workspace(path: Path) -> None:
    """A fresh demo workspace (its files collected by the timed run)."""
    from config.registry import load_registry
    from config.settings import REGISTRY_DIR
    from tasks.demo.province import build_demo_workspace

    build_demo_workspace(path, load_registry(REGISTRY_DIR))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--api-url", default=None, help="a standing Prefect server's API URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cchc-bench-run-") as tmp:
        root = Path(tmp)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_HOME": str(root / "prefect"),
               "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "CCHC_SETTLE_SECONDS": "0",
               "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "300"}
        if args.api_url:
            env["PREFECT_API_URL"] = args.api_url
        timed([sys.executable, "-c", EMPTY_FLOW], env)  # migrate the Prefect home once
        times: dict[str, list[float]] = {"empty": [], "run": [], "rerun": []}
        for number in range(args.rounds):
            workspace = root / f"ws{number}"
            build_workspace(workspace)
            command = [sys.executable, "-c", CLI, "run", "--period", "2025-05",
                       "--workspace", str(workspace)]
            times["empty"].append(timed([sys.executable, "-c", EMPTY_FLOW], env, "empty"))
            times["run"].append(timed(command, env, "run"))
            times["rerun"].append(timed(command, env, "rerun"))
            print(f"round {number + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s"
                                                      for k, v in times.items()), flush=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}; load average {os.getloadavg()[0]:.1f}; "
          f"Prefect {'standing server' if args.api_url else 'temporary server per process'}")
    empty = statistics.median(times["empty"])
    print(f"empty flow: median {empty:.1f} s (CPU {statistics.median(CPU['empty']):.1f} s)")
    for kind in ("run", "rerun"):
        ratios = [t / e for t, e in zip(times[kind], times["empty"], strict=True)]
        ratio = statistics.median(ratios)
        cpu_ratio = statistics.median(c / e for c, e in zip(CPU[kind], CPU["empty"], strict=True))
        print(f"{kind:>5}: median {statistics.median(times[kind]):.1f} s, median ratio "
              f"{ratio:.2f} (target ≤ {TARGETS[kind]}) "
              f"{'met' if ratio <= TARGETS[kind] else 'NOT met'}; CPU median "
              f"{statistics.median(CPU[kind]):.1f} s, ratio "
              f"{cpu_ratio:.2f}")


if __name__ == "__main__":
    main()
