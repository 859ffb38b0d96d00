"""End to end on a real Prefect server: a process work pool, the monthly deployment
from this checkout, a worker, and a run triggered with parameters through the API.

Everything listens on 127.0.0.1 only; every process the test starts is stopped in
``finally`` (terminate, wait, kill). It takes a minute or two.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterId,
)
from prefect.deployments import run_deployment
from prefect.exceptions import PrefectHTTPStatusError
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.workers.process import ProcessWorker

from config.registry import Registry
from deployments.worker import deploy_to_pool
from flows.period_run import slot_name
from tasks.demo.province import build_demo_workspace
from tasks.model.periods import parse_period
from tests.e2e.processes import child_process
from tests.servers import free_port

pytestmark = pytest.mark.flow

POOL = "cchc-e2e"
RUN_TIMEOUT = 300.0


def _wait_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"prefect server exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    pytest.fail(f"prefect server not healthy:\n{log.read_text(errors='replace')[-3000:]}")


def test_a_worker_runs_the_monthly_deployment_triggered_through_the_api(
        tmp_path: Path, registry: Registry) -> None:
    workspace = tmp_path / "workspace"
    build_demo_workspace(workspace, registry)  # period 2025-05, files dropped in the past
    url = f"http://127.0.0.1:{free_port()}/api"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PREFECT_", "CCHC_"))}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_API_URL=url,
               PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_WORKER_QUERY_SECONDS="2",
               PREFECT_LOGGING_LEVEL="INFO")
    prefect = [sys.executable, "-m", "prefect"]
    port = url.rsplit(":", 1)[1].split("/")[0]
    server_log, worker_log = tmp_path / "server.log", tmp_path / "worker.log"

    with child_process([*prefect, "server", "start", "--host", "127.0.0.1", "--port", port,
                   "--no-ui"], env, server_log) as server, \
            temporary_settings(updates={PREFECT_API_URL: url}):
        _wait_healthy(url, server, server_log)
        with get_client(sync_client=True) as client:
            client.create_work_pool(WorkPoolCreate(
                name=POOL, type="process",
                base_job_template=ProcessWorker.get_default_base_job_template()))
        [deployment_id] = deploy_to_pool(POOL, workspace=workspace, names={"bao-cao-thang"})

        with child_process([*prefect, "worker", "start", "--pool", POOL, "--type", "process"],
                      env, worker_log) as worker:
            run = run_deployment("monthly-report/bao-cao-thang",
                                 parameters={"period": "2025-05"}, timeout=RUN_TIMEOUT,
                                 poll_interval=2)
            assert run.state is not None
            assert run.state.is_completed(), (
                f"{run.state!r}\n--- worker log ---\n"
                f"{worker_log.read_text(errors='replace')[-4000:]}")
            # a value the form does not offer is refused by the server: no run at all
            with pytest.raises(PrefectHTTPStatusError, match="'tuan' is not one of"):
                run_deployment("monthly-report/bao-cao-thang",
                               parameters={"period_kind": "tuan"}, timeout=0)
            # the CLI of docs/operations.md; a period nobody can read fails the run at
            # once, in Vietnamese
            cli = subprocess.run([*prefect, "deployment", "run", "monthly-report/bao-cao-thang",
                                  "--param", "period=2025-13", "--watch", "--watch-timeout",
                                  str(int(RUN_TIMEOUT))], env=env, capture_output=True,
                                 text=True, timeout=RUN_TIMEOUT + 60)
            assert cli.returncode == 1, cli.stdout + cli.stderr
            assert "Flow run finished in state 'Failed'" in cli.stdout
            with get_client(sync_client=True) as client:
                [bad] = [r for r in client.read_flow_runs(deployment_filter=DeploymentFilter(
                    id=DeploymentFilterId(any_=[deployment_id])))
                    if r.parameters.get("period") == "2025-13"]
            assert bad.state is not None and bad.state.is_failed()
            assert "PeriodError: Kỳ báo cáo «2025-13» không có thật (tháng phải từ 1 đến 12)" \
                in str(bad.state.message)

        assert run.deployment_id == deployment_id
        assert run.parameters == {"period": "2025-05", "publish": True, "period_kind": "month"}
        # the job variable CCHC_WORKSPACE took the run to the demo workspace
        report = workspace / "reports" / "2025-05" / "v1"
        assert (report / "bao-cao-cchc-2025-05.xlsx").is_file()
        assert (workspace / "outbox" / "so-noi-vu" / "2025-05" / "v1").is_dir()
        with get_client(sync_client=True) as client:
            artifacts = client.read_artifacts(flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=[run.id])))
            slot = client.read_global_concurrency_limit_by_name(
                slot_name(parse_period("2025-05"), workspace))
        assert (slot.limit, slot.active_slots) == (1, 0)  # held during the run, then freed
        keys = {a.key for a in artifacts}
        assert {"bao-cao-cchc-2025-05", "bao-cao-cchc-2025-05-tom-tat",
                "bao-cao-cchc-2025-05-thu-muc"} <= keys
        table = next(a for a in artifacts if a.key == "bao-cao-cchc-2025-05")
        assert table.type == "table"
        assert any("trực tuyến" in row["Chỉ số"] for row in json.loads(str(table.data)))
    assert server.poll() is not None and worker.poll() is not None  # both stopped
