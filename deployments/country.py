"""Every province's deployments on one shared Prefect server: one set per province.

Each province (a :class:`config.tenants.Tenant`) gets every deployment of
:data:`deployments.schedules.DEPLOYMENTS` (the monthly, quarterly, … reports, the
collection, the reminders, each with its schedule), named ``<name>-<code>``
(``bao-cao-thang-ha-noi``), tagged ``tinh-<code>``, with the province's environment as job
variables (``Tenant.environment``: who it is, its workspace, its database, the name of its
SMTP Secret block) and in the work queue ``tinh-<code>`` of the shared process pool.

Concurrency, two levels, both enforced by the server before a worker starts a run:

* per province: the work queue ``tinh-<code>`` has a concurrency limit (default 1): at
  most that many of the province's flow runs at once, whichever deployment they come
  from (a collection and a monthly report of one province never overlap; the period slot
  of flows/period_run.py still guards the same period). A per-deployment
  ``concurrency_limit`` would not do it (it limits one deployment, not the province's
  seven), and tag-based limits apply to task runs only.
* global: the work pool's concurrency limit: at most that many flow runs of the pool at
  once over every province and worker (the reporting databases' and disks' capacity),
  whatever number of workers polls it. A global concurrency limit (``prefect gcl``) would
  need code in the flow to take it; the pool's limit needs none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect import Flow, deploy
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.actions import WorkPoolCreate, WorkPoolUpdate
from prefect.deployments.runner import RunnerDeployment
from prefect.exceptions import ObjectAlreadyExists
from prefect.workers.process import ProcessWorker

from config.tenants import Tenant
from deployments.schedules import DEPLOYMENTS, DeploymentSpec
from deployments.worker import REPO_ROOT


@dataclass(frozen=True)
class TenantSecrets:
    """What a province's runs need that is not in its code: its database URL (with its
    password) and the name of the Secret block that holds its SMTP password."""

    database_url: str | None = None
    smtp_password_block: str | None = None
    settings: dict[str, str] = field(default_factory=dict)  # more CCHC_ settings, not secret


def queue_name(tenant: Tenant) -> str:
    return f"tinh-{tenant.code}"


def deployment_name(spec: DeploymentSpec, tenant: Tenant) -> str:
    return f"{spec.name}-{tenant.code}"


def province_deployment(spec: DeploymentSpec, tenant: Tenant, secrets: TenantSecrets,
                        source: Path = REPO_ROOT, *, paused: bool = False) -> RunnerDeployment:
    """``spec`` for ``tenant``: its name, queue, tag and environment."""
    loaded = Flow.from_source(source=str(source), entrypoint=spec.entrypoint)
    assert isinstance(loaded, Flow)  # maybe-async; called from sync code it is not
    options: dict[str, Any] = {
        **spec.options(), "name": deployment_name(spec, tenant),
        "tags": [*spec.tags, queue_name(tenant)],
        "description": f"{spec.description} Tỉnh: {tenant.name} ({tenant.code})."}
    env = {**secrets.settings,
           **tenant.environment(secrets.database_url, secrets.smtp_password_block)}
    deployment = loaded.to_deployment(**options, job_variables={"env": env},
                                      work_queue_name=queue_name(tenant), paused=paused)
    assert isinstance(deployment, RunnerDeployment)
    return deployment


def ensure_pool(client: SyncPrefectClient, pool: str, tenants: Iterable[Tenant], *,
                pool_limit: int | None, province_limit: int = 1) -> None:
    """The process work pool with its global limit, and each province's queue with its
    own (created, or updated when they exist)."""
    try:
        client.create_work_pool(WorkPoolCreate(
            name=pool, type="process", concurrency_limit=pool_limit,
            base_job_template=ProcessWorker.get_default_base_job_template()))
    except ObjectAlreadyExists:
        client.update_work_pool(pool, WorkPoolUpdate(concurrency_limit=pool_limit))
    for tenant in tenants:
        try:
            client.create_work_queue(name=queue_name(tenant), work_pool_name=pool,
                                     concurrency_limit=province_limit)
        except ObjectAlreadyExists:
            queue = client.read_work_queue_by_name(queue_name(tenant), work_pool_name=pool)
            client.update_work_queue(queue.id, concurrency_limit=province_limit)


def deploy_country(pool: str, tenants: dict[Tenant, TenantSecrets], source: Path = REPO_ROOT,
                   *, names: set[str] | None = None, paused: bool = False) -> list[UUID]:
    """Create or update every province's deployments (or those ``names``) in ``pool``."""
    built = [province_deployment(spec, tenant, secrets, source, paused=paused)
             for tenant, secrets in tenants.items() for spec in DEPLOYMENTS
             if names is None or spec.name in names]
    ids = deploy(*built, work_pool_name=pool, build=False, push=False,
                 print_next_steps_message=False, ignore_warnings=True)
    assert isinstance(ids, list)  # maybe-async; called from sync code it is not
    return ids




def main(argv: list[str] | None = None) -> None:  # pragma: no cover - thin CLI
    """Register (or update) the provinces' deployments on a standing server."""
    import argparse

    from prefect.client.orchestration import get_client

    from config.tenants import DATABASE_PREFIX, province_tenants

    parser = argparse.ArgumentParser(description="Đăng ký deployment của các tỉnh vào một "
                                     "work pool kiểu process trên Prefect server dùng chung.")
    parser.add_argument("--pool", default="cchc")
    parser.add_argument("--root", type=Path, required=True,
                        help="thư mục chứa thư mục làm việc <root>/<mã tỉnh>/ trên mọi worker")
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--database-url", default=None, metavar="TEMPLATE",
                        help="URL cơ sở dữ liệu, {db} là tên cơ sở dữ liệu của tỉnh, ví dụ "
                             "postgresql+psycopg://cchc@db.local/{db} (mật khẩu: ~/.pgpass "
                             "của worker, không ghi ở đây); mặc định SQLite trong thư mục làm việc")
    parser.add_argument("--db-prefix", default=DATABASE_PREFIX)
    parser.add_argument("--pool-limit", type=int, default=None,
                        help="số lượt chạy đồng thời tối đa của cả pool")
    parser.add_argument("--province-limit", type=int, default=1)
    parser.add_argument("--paused", action="store_true", help="đăng ký với lịch tạm dừng")
    args = parser.parse_args(argv)
    tenants = province_tenants(args.root, args.provinces, args.db_prefix)
    secrets = {t: TenantSecrets(args.database_url.format(db=t.database_name)
                                if args.database_url else None,
                                f"cchc-smtp-{t.code}") for t in tenants}
    with get_client(sync_client=True) as client:
        ensure_pool(client, args.pool, tenants, pool_limit=args.pool_limit,
                    province_limit=args.province_limit)
    ids = deploy_country(args.pool, secrets, paused=args.paused)
    print(f"Đã đăng ký {len(ids)} deployment của {len(tenants)} tỉnh trong work pool "
          f"{args.pool!r}")


if __name__ == "__main__":  # pragma: no cover
    main()
