"""The country on one machine, for trying and testing: a Prefect server on PostgreSQL, a
process work pool, N workers and every province's deployments; and the command that
stops exactly what it started.

::

    python -m deployments.cluster up --root /tmp/cchc-country --provinces 3 --workers 2
    python -m deployments.cluster down --root /tmp/cchc-country

``up`` creates, on the PostgreSQL server of ``--postgres`` (default the local one,
``CCHC_CLUSTER_POSTGRES_URL``), the Prefect server's database ``<prefix>_prefect`` and one
reporting database per province ``<prefix>_<code>``; lays out each province's workspace
``<root>/<code>/`` with the demo builder (2025-05, seed = its number); starts the server
(``PREFECT_API_DATABASE_CONNECTION_URL=postgresql+asyncpg://…``) and the workers as
child processes in their own process groups (logs in ``<root>/logs/``); creates the pool,
the provinces' queues and limits (deployments/country.py), the automation that marks a
run whose heartbeats stopped as Crashed, and registers the deployments. Everything it
started or created is written to ``<root>/cluster.json``; ``down`` reads that file,
stops those process groups (SIGTERM, then SIGKILL) and drops those databases.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import create_engine, make_url, text

from config.registry import load_registry
from config.settings import REGISTRY_DIR
from config.tenants import DATABASE_PREFIX, Tenant, province_tenants
from deployments.country import TenantSecrets, deploy_country, ensure_pool

DEFAULT_POSTGRES = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres"
STATE_FILE = "cluster.json"
# A run's process sends a heartbeat every 30 s (Prefect's minimum); 90 s without one and
# neither a final state: the automation marks the run Crashed (a worker host lost).
HEARTBEAT_SECONDS = 30
ZOMBIE_AFTER = timedelta(seconds=90)
ZOMBIE_AUTOMATION = "cchc: lượt chạy mất tín hiệu thì đánh dấu Crashed"


@dataclass
class ClusterState:
    """What ``up`` started and created, for ``down`` and for the callers (tests, bench)."""

    root: str
    api_url: str
    pool: str
    db_prefix: str
    provinces: list[str]
    databases: list[str]
    pids: dict[str, int] = field(default_factory=dict)

    def save(self) -> None:
        path = Path(self.root) / STATE_FILE
        path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        path.chmod(0o600)

    @classmethod
    def load(cls, root: Path) -> ClusterState:
        return cls(**json.loads((root / STATE_FILE).read_text(encoding="utf-8")))

    def tenants(self) -> list[Tenant]:
        return [Tenant(code, code, Path(self.root), self.db_prefix) for code in self.provinces]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _admin(postgres_url: str):  # type: ignore[no-untyped-def]
    return create_engine(postgres_url, isolation_level="AUTOCOMMIT")


def create_databases(postgres_url: str, names: list[str]) -> None:
    engine = _admin(postgres_url)
    try:
        with engine.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def drop_databases(postgres_url: str, names: list[str]) -> None:
    engine = _admin(postgres_url)
    try:
        with engine.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def database_url(postgres_url: str, name: str, driver: str = "postgresql+psycopg") -> str:
    return make_url(postgres_url).set(drivername=driver, database=name).render_as_string(
        hide_password=False)


def base_environment(root: Path, api_url: str) -> dict[str, str]:
    """The server's and workers' environment: this one without any PREFECT_ or CCHC_
    setting (a province's settings reach its runs only through its job variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CCHC_"))}
    env.update(PREFECT_HOME=str(root / "prefect-home"), PREFECT_API_URL=api_url,
               PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_WORKER_QUERY_SECONDS="2",
               PREFECT_FLOWS_HEARTBEAT_FREQUENCY=str(HEARTBEAT_SECONDS),
               PREFECT_LOGGING_LEVEL="INFO")
    return env


def start_process(args: list[str], env: dict[str, str], log: Path) -> int:
    """A child in its own process group (``down`` stops the group), output in ``log``."""
    with log.open("ab") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, cwd=str(REPO_ROOT))
    return proc.pid


def stop_process_group(pid: int, term_wait: float = 20) -> None:
    """SIGTERM to the group of ``pid``, SIGKILL when still there ``term_wait`` s later."""
    for sig, wait in ((signal.SIGTERM, term_wait), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                return
            _reap(pid)
            time.sleep(0.2)


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux ``/proc``): a worker's flow-run
    processes, which run in process groups of their own."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _reap(pid: int) -> None:
    """Collect ``pid`` when it is our own child and has ended (no zombie left)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def wait_healthy(api_url: str, pid: int, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pid)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            raise RuntimeError(f"Prefect server đã dừng:\n{log.read_text(errors='replace')[-3000:]}"
                               ) from None
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"Prefect server chưa sẵn sàng sau {timeout:g} s:\n"
                       f"{log.read_text(errors='replace')[-3000:]}")


def start_worker(state: ClusterState, name: str, limit: int = 1) -> int:
    """One more worker of the pool (a child process group), recorded in ``state``."""
    root = Path(state.root)
    pid = start_process([sys.executable, "-m", "prefect", "worker", "start", "--pool",
                         state.pool, "--type", "process", "--name", name, "--limit", str(limit)],
                        base_environment(root, state.api_url), root / "logs" / f"{name}.log")
    state.pids[name] = pid
    state.save()
    return pid


def create_zombie_automation() -> None:
    """Prefect's documented zombie detection (docs "detect zombie flows"): a run whose
    heartbeat stops, with no final state within :data:`ZOMBIE_AFTER`, is set Crashed."""
    from prefect.automations import Automation
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    Automation(
        name=ZOMBIE_AUTOMATION,
        trigger=EventTrigger(
            after={"prefect.flow-run.heartbeat"},
            expect={"prefect.flow-run.heartbeat", "prefect.flow-run.Completed",
                    "prefect.flow-run.Failed", "prefect.flow-run.Cancelled",
                    "prefect.flow-run.Crashed"},
            match=ResourceSpecification({"prefect.resource.id": ["prefect.flow-run.*"]}),
            for_each={"prefect.resource.id"}, posture=Posture.Proactive, threshold=1,
            within=ZOMBIE_AFTER),
        actions=[ChangeFlowRunState(
            name=None, force=False, state=StateType.CRASHED,
            message="Lượt chạy mất tín hiệu (heartbeat) quá "
                    f"{int(ZOMBIE_AFTER.total_seconds())} giây: worker hoặc máy đã dừng")],
    ).create()


def up(root: Path, provinces: int, workers: int, *, postgres_url: str = DEFAULT_POSTGRES,
       db_prefix: str = DATABASE_PREFIX, pool: str = "cchc", worker_limit: int = 1,
       pool_limit: int | None = None, paused: bool = True, port: int | None = None,
       demo: bool = True, settings_env: dict[str, str] | None = None) -> ClusterState:
    """Bring the country up under ``root`` (see the module's docstring). ``paused``: the
    schedules are registered paused (runs only when triggered), for tests and benchmarks;
    ``settings_env``: more ``CCHC_`` settings for every province (e.g. the benchmark's
    ``CCHC_SETTLE_SECONDS=0``)."""
    from prefect.blocks.system import Secret
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from tasks.demo.province import build_demo_workspace

    root = root.resolve()
    (root / "logs").mkdir(parents=True, exist_ok=True)
    tenants = province_tenants(root, provinces, db_prefix)
    prefect_db = f"{db_prefix}_prefect"
    databases = [prefect_db, *(t.database_name for t in tenants)]
    api_url = f"http://127.0.0.1:{port or _free_port()}/api"
    state = ClusterState(str(root), api_url, pool, db_prefix, [t.code for t in tenants],
                         databases)
    state.save()  # from here on, ``down`` can undo what was done
    create_databases(postgres_url, databases)
    if demo:
        registry = load_registry(REGISTRY_DIR)
        for number, tenant in enumerate(tenants):
            build_demo_workspace(tenant.workspace, registry, seed=number)
    env = base_environment(root, api_url)
    env["PREFECT_API_DATABASE_CONNECTION_URL"] = database_url(
        postgres_url, prefect_db, "postgresql+asyncpg")
    server_log = root / "logs" / "server.log"
    state.pids["server"] = start_process(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port",
         api_url.rsplit(":", 1)[1].split("/")[0], "--no-ui"], env, server_log)
    state.save()
    wait_healthy(api_url, state.pids["server"], server_log)
    secrets: dict[Tenant, TenantSecrets] = {}
    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        with get_client(sync_client=True) as client:
            ensure_pool(client, pool, tenants,
                        pool_limit=pool_limit if pool_limit else workers * worker_limit)
        create_zombie_automation()
        for tenant in tenants:
            block = f"cchc-smtp-{tenant.code}"
            password = os.environ.get(f"CCHC_SMTP_PASSWORD_{tenant.code.replace('-', '_').upper()}")
            if password:  # the province's SMTP password, kept in the server, never in code
                Secret(value=SecretStr(password)).save(block, overwrite=True)
            secrets[tenant] = TenantSecrets(database_url(postgres_url, tenant.database_name),
                                            block if password else None, settings_env or {})
        deploy_country(pool, secrets, paused=paused)
    for number in range(1, workers + 1):
        start_worker(state, f"worker-{number}", worker_limit)
    return state


def down(root: Path, *, postgres_url: str = DEFAULT_POSTGRES, drop: bool = True) -> None:
    """Stop the process groups ``up`` recorded under ``root`` and drop its databases."""
    root = root.resolve()
    if not (root / STATE_FILE).is_file():
        return
    state = ClusterState.load(root)
    for name, pid in sorted(state.pids.items(), key=lambda item: item[0] == "server"):
        runs = children(pid) if name != "server" else []
        stop_process_group(pid)  # workers first, the server last
        for run in runs:  # a flow run the worker left behind
            stop_process_group(run, term_wait=5)
    if drop:
        drop_databases(postgres_url, state.databases)
    (root / STATE_FILE).unlink()


REPO_ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - thin CLI
    parser = argparse.ArgumentParser(description="Dựng (up) hoặc dừng (down) Prefect server "
                                     "trên PostgreSQL, work pool, các worker và deployment "
                                     "của các tỉnh trên máy này.")
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("up")
    stop = sub.add_parser("down")
    for command in (start, stop):
        command.add_argument("--root", type=Path, required=True)
        command.add_argument("--postgres", default=os.environ.get(
            "CCHC_CLUSTER_POSTGRES_URL", DEFAULT_POSTGRES))
    start.add_argument("--provinces", type=int, default=3)
    start.add_argument("--workers", type=int, default=2)
    start.add_argument("--worker-limit", type=int, default=1)
    start.add_argument("--pool", default="cchc")
    start.add_argument("--db-prefix", default=DATABASE_PREFIX)
    start.add_argument("--schedules", action="store_true",
                       help="lịch chạy định kỳ bật ngay (mặc định: tạm dừng)")
    stop.add_argument("--keep-databases", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "up":
        state = up(args.root, args.provinces, args.workers, postgres_url=args.postgres,
                   db_prefix=args.db_prefix, pool=args.pool, worker_limit=args.worker_limit,
                   paused=not args.schedules)
        print(f"Prefect API: {state.api_url} (PREFECT_API_URL); tỉnh: "
              f"{', '.join(state.provinces)}; tiến trình: {state.pids}")
    else:
        down(args.root, postgres_url=args.postgres, drop=not args.keep_databases)
        print(f"Đã dừng các tiến trình và xoá cơ sở dữ liệu ghi trong {args.root / STATE_FILE}")


if __name__ == "__main__":  # pragma: no cover
    main()
