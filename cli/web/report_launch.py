"""Starting a period's report from Sở Nội vụ's page, without waiting for it.

With a Prefect server configured (``PREFECT_API_URL``), the report is a run of the
monthly-report deployment (its workers have the workspace); otherwise it is the CLI's own
path, ``cchc run --period …``, started as a detached process whose output goes to a log
file in the workspace (``logs/``). Either way the page answers at once.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tasks.model.periods import Period

# the monthly-report flow's deployment (deployments/schedules.py); ``period`` overrides its
# default "the month just closed", so one deployment serves every kind of period
REPORT_DEPLOYMENT = "monthly-report/bao-cao-thang"
LOG_DIR = "logs"


@dataclass(frozen=True)
class Launched:
    message: str  # Vietnamese, shown on the page
    detail: str  # for the audit log (flow run id or process id and log file)


ReportLauncher = Callable[[Period], Launched]


def cli_command(workspace: Path, period: Period) -> list[str]:
    """``cchc run --period <kỳ> --workspace <ws>`` with this interpreter."""
    return [sys.executable, "-c", "from cli.main import app; app()", "run",
            "--period", period.label, "--workspace", str(workspace)]


@dataclass(frozen=True)
class CliLauncher:
    """Starts the CLI's report path as a detached process (its own session: it outlives a
    restart of the web server), output to ``logs/web-run-<kỳ>-<time>.log``."""

    workspace: Path
    clock: Callable[[], datetime]
    command: Callable[[Path, Period], Sequence[str]] = cli_command

    def __call__(self, period: Period) -> Launched:
        folder = self.workspace / LOG_DIR
        folder.mkdir(parents=True, exist_ok=True)
        log = folder / f"web-run-{period.label}-{self.clock():%Y%m%dT%H%M%S%f}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                list(self.command(self.workspace, period)), stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                cwd=self.workspace)
        shown = f"{LOG_DIR}/{log.name}"
        return Launched(f"Đã bắt đầu lập báo cáo kỳ {period.label} (tiến trình {process.pid}); "
                        f"nhật ký: {shown} trong thư mục làm việc.",
                        f"cchc run --period {period.label}: tiến trình {process.pid}, {shown}")


def deployment_launcher(period: Period) -> Launched:
    """A run of :data:`REPORT_DEPLOYMENT` for ``period``, not waited for (``timeout=0``).
    Called in a worker thread (no event loop there): the coroutine runs to its end here."""
    from prefect.deployments.flow_runs import arun_deployment

    flow_run = asyncio.run(arun_deployment(REPORT_DEPLOYMENT,
                                           parameters={"period": period.label}, timeout=0))
    return Launched(f"Đã gửi yêu cầu lập báo cáo kỳ {period.label} tới Prefect "
                    f"(mã lượt chạy {flow_run.id}).",
                    f"{REPORT_DEPLOYMENT} kỳ {period.label}: lượt chạy {flow_run.id}")


def default_launcher(workspace: Path, clock: Callable[[], datetime],
                     command: Callable[[Path, Period], Sequence[str]] = cli_command
                     ) -> ReportLauncher:
    """The deployment when ``PREFECT_API_URL`` is set (read at each click), else the CLI
    (``command``: :func:`cli_command`; a test gives a harmless one)."""
    cli = CliLauncher(workspace, clock, command)

    def launch(period: Period) -> Launched:
        if os.environ.get("PREFECT_API_URL"):
            return deployment_launcher(period)
        return cli(period)

    return launch
