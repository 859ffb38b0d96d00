"""End to end: the country on one machine (deployments/cluster.py) with real processes.

A Prefect server on the PostgreSQL of ``CCHC_TEST_POSTGRES_URL`` (its own database), a
process pool, 2 workers, 3 provinces (Hà Nội, Cao Bằng, Tuyên Quang), each with its
workspace and its reporting database on that PostgreSQL; runs triggered through the API.
Skipped without ``CCHC_TEST_POSTGRES_URL`` (``.ci/run`` sets it). A few minutes: the
killed-worker case waits for Prefect's zombie automation (90 s without a heartbeat).
"""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlalchemy import create_engine, inspect, make_url, text

from config.tenants import Tenant
from deployments.cluster import ClusterState, down, start_worker, up
from flows.period_run import slot_name
from tasks.model.periods import parse_period

pytestmark = pytest.mark.flow

POSTGRES = os.environ.get("CCHC_TEST_POSTGRES_URL")
PERIOD = "2025-05"
RUN_TIMEOUT = 300.0
MONTH = {"period": PERIOD, "wait_for_files": True}  # the demo's files settle in ~5 s


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterState]:
    if not POSTGRES:
        pytest.skip("CCHC_TEST_POSTGRES_URL is not set: no PostgreSQL for the Prefect server")
    root = tmp_path_factory.mktemp("country")
    try:
        state = up(root, 3, 2, postgres_url=POSTGRES, db_prefix=f"cchc_e2e{uuid.uuid4().hex[:6]}",
                   pool="cchc-country")
        with temporary_settings(updates={PREFECT_API_URL: state.api_url}):
            yield state
    finally:
        down(root, postgres_url=POSTGRES)


def _url(tenant: Tenant, port: int | None = None) -> str:
    assert POSTGRES
    url = make_url(POSTGRES).set(database=tenant.database_name)
    return (url.set(port=port) if port else url).render_as_string(hide_password=False)


def _trigger(tenant: Tenant, parameters: dict[str, Any],
             env: dict[str, str] | None = None) -> UUID:
    run = run_deployment(f"monthly-report/bao-cao-thang-{tenant.code}", parameters=parameters,
                         job_variables={"env": env} if env is not None else None, timeout=0)
    return run.id


def _wait(run_id: UUID, *, until: str = "final", timeout: float = RUN_TIMEOUT) -> FlowRun:
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            run = client.read_flow_run(run_id)
            assert run.state is not None
            if (run.state.is_final() if until == "final" else run.state.is_running()):
                return run
            if time.monotonic() > deadline:
                pytest.fail(f"run {run_id} still {run.state!r} after {timeout:g} s")
            time.sleep(1)


def _worker_logs(state: ClusterState) -> str:
    logs = sorted((Path(state.root) / "logs").glob("worker-*.log"))
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in logs)


def _indicators(tenant: Tenant, version: int) -> dict[str, Any]:
    path = tenant.workspace / "reports" / PERIOD / f"v{version}" / "indicators.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if k not in {"version", "generated_at"}}


def _versions(tenant: Tenant) -> list[int]:
    folder = tenant.workspace / "reports" / PERIOD
    # published versions only: a run killed while writing leaves its ``v<N>.partial``
    return (sorted(int(p.name[1:]) for p in folder.glob("v*") if p.name[1:].isdigit())
            if folder.is_dir() else [])


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time (ns)."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def _rows(url: str) -> dict[str, int]:
    """Rows in each table of the database at ``url``."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t: int(conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one())
                    for t in inspect(conn).get_table_names()}
    finally:
        engine.dispose()


def test_each_province_gets_its_report_and_one_outage_stops_no_other(
        cluster: ClusterState) -> None:
    hanoi, caobang, tuyenquang = cluster.tenants()
    # Tuyên Quang's database is down (nothing listens on port 1): its run fails
    outage = tuyenquang.environment(_url(tuyenquang, port=1))
    runs = {hanoi.code: _trigger(hanoi, MONTH), caobang.code: _trigger(caobang, MONTH),
            tuyenquang.code: _trigger(tuyenquang, MONTH, env=outage)}
    finished = {code: _wait(run_id) for code, run_id in runs.items()}
    states = {code: run.state.type.value for code, run in finished.items() if run.state}
    assert states == {hanoi.code: "COMPLETED", caobang.code: "COMPLETED",
                      tuyenquang.code: "FAILED"}, _worker_logs(cluster)
    failed = finished[tuyenquang.code].state
    assert failed is not None and "OperationalError" in str(failed.message)
    for tenant in (hanoi, caobang):
        indicators = _indicators(tenant, _versions(tenant)[-1])
        assert indicators["period"] == PERIOD and indicators["indicators"]
        # collected into its own PostgreSQL database, which now has the run's rows
        assert _rows(_url(tenant))["submissions"] > 0
    assert _versions(tuyenquang) == []
    # each province's workspace is its own: the demo seeds differ, so do the reports
    assert _indicators(hanoi, _versions(hanoi)[-1]) != _indicators(caobang, _versions(caobang)[-1])


def test_a_run_for_one_province_cannot_reach_another_provinces_data(
        cluster: ClusterState) -> None:
    hanoi, caobang, _ = cluster.tenants()
    before_files, before_rows = _tree(caobang.workspace), _rows(_url(caobang))
    attempts = {
        # B's workspace as the (hidden) flow parameter
        "parameter": _trigger(hanoi, {**MONTH, "workspace": str(caobang.workspace)}),
        # B's database in A's environment (an overridden job variable)
        "database": _trigger(hanoi, MONTH, env=hanoi.environment(_url(caobang))),
        # B's whole environment on A's deployment
        "environment": _trigger(hanoi, MONTH, env=caobang.environment(_url(caobang))),
    }
    messages = {}
    for what, run_id in attempts.items():
        run = _wait(run_id)
        assert run.state is not None and run.state.is_failed(), (what, run.state)
        messages[what] = str(run.state.message)
    assert "TenantMismatch" in messages["parameter"]
    assert f"không được dùng {caobang.workspace.resolve()}" in messages["parameter"]
    assert f"không được dùng «{caobang.database_name}»" in messages["database"]
    assert "bao-cao-thang-ha-noi» không được chạy cho tỉnh «cao-bang»" in messages["environment"]
    # nothing of B's was written: same files (sizes, times), same rows
    assert _tree(caobang.workspace) == before_files
    assert _rows(_url(caobang)) == before_rows


def test_a_worker_killed_mid_run_leaves_it_crashed_and_a_rerun_gives_the_same_report(
        cluster: ClusterState) -> None:
    _, _, tuyenquang = cluster.tenants()
    first = _wait(_trigger(tuyenquang, MONTH))
    assert first.state is not None and first.state.is_completed(), _worker_logs(cluster)
    reference = _indicators(tuyenquang, _versions(tuyenquang)[-1])

    doomed = _wait(_trigger(tuyenquang, {**MONTH, "force": True}), until="running")
    assert doomed.infrastructure_pid, doomed
    # Prefect's zombie automation fires only after a heartbeat it has received: a process
    # killed before its first heartbeat reached the server (sent in the background) would
    # stay Running for ever. Kill once the server has the heartbeat, as after any real
    # loss of a worker more than a few seconds into a run.
    _wait_for_heartbeat(doomed.id)
    flow_pid = int(str(doomed.infrastructure_pid).rsplit(":", 1)[-1])
    worker = next(name for name, pid in cluster.pids.items()
                  if name.startswith("worker-") and _parent(flow_pid) == pid)
    os.killpg(cluster.pids[worker], signal.SIGKILL)  # the worker's host is lost
    os.kill(flow_pid, signal.SIGKILL)
    crashed = _wait(doomed.id, timeout=240)
    assert crashed.state is not None and crashed.state.is_crashed(), crashed.state
    assert "heartbeat" in str(crashed.state.message)
    versions_after_kill = _versions(tuyenquang)

    # the operator frees the period's slot the killed run held (its log line says how)
    with get_client(sync_client=True) as client:
        client.update_global_concurrency_limit(
            slot_name(parse_period(PERIOD), tuyenquang.workspace),
            GlobalConcurrencyLimitUpdate(active_slots=0))
    rerun = _wait(_trigger(tuyenquang, {**MONTH, "force": True}))
    assert rerun.state is not None and rerun.state.is_completed(), _worker_logs(cluster)
    assert len(_versions(tuyenquang)) == len(versions_after_kill) + 1
    assert _indicators(tuyenquang, _versions(tuyenquang)[-1]) == reference
    start_worker(cluster, f"{worker}-again")  # two workers again for the other tests


def _wait_for_heartbeat(run_id: UUID, timeout: float = 60.0) -> None:
    wanted = EventFilter(event=EventNameFilter(name=["prefect.flow-run.heartbeat"]),
                         resource=EventResourceFilter(id=[f"prefect.flow-run.{run_id}"]))
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while not client.read_events(filter=wanted, limit=1).events:
            if time.monotonic() > deadline:
                pytest.fail(f"no heartbeat of run {run_id} after {timeout:g} s")
            time.sleep(1)


def _parent(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])
