"""Register the deployments with a ``process`` work pool; workers on this machine run them.

::

    prefect work-pool create cchc --type process
    PREFECT_API_URL=http://127.0.0.1:4200/api python -m deployments.worker \\
        --pool cchc --workspace /srv/cchc/workspace
    PREFECT_API_URL=http://127.0.0.1:4200/api prefect worker start --pool cchc

The flows are loaded from this checkout (``flows/…py:<flow>`` entrypoints): a worker
changes into it before each run, so it must run on a machine that has the checkout at
the same path, with the project's virtualenv. The workspace is a job variable
(``CCHC_WORKSPACE`` in the run's environment), not a run parameter: an operator cannot
point a run at a mistyped folder from the UI (docs/operations.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect import Flow, deploy
from prefect.deployments.runner import RunnerDeployment

from deployments.schedules import DEPLOYMENTS, DeploymentSpec

REPO_ROOT = Path(__file__).resolve().parent.parent


def job_variables(workspace: Path | None) -> dict[str, Any]:
    """The process job's environment: the workspace, when given (else the worker's)."""
    return {"env": {"CCHC_WORKSPACE": str(workspace.resolve())}} if workspace else {}


def worker_deployment(spec: DeploymentSpec, source: Path = REPO_ROOT,
                      workspace: Path | None = None) -> RunnerDeployment:
    """``spec`` loaded from the checkout at ``source``, as a work pool runs it."""
    loaded = Flow.from_source(source=str(source), entrypoint=spec.entrypoint)
    assert isinstance(loaded, Flow)  # maybe-async; called from sync code it is not
    deployment = loaded.to_deployment(**spec.options(), job_variables=job_variables(workspace))
    assert isinstance(deployment, RunnerDeployment)
    return deployment


def build_worker_deployments(source: Path = REPO_ROOT, workspace: Path | None = None,
                             names: set[str] | None = None) -> list[RunnerDeployment]:
    """Every deployment (or those ``names``) for a work pool."""
    return [worker_deployment(spec, source, workspace) for spec in DEPLOYMENTS
            if names is None or spec.name in names]


def deploy_to_pool(pool: str, source: Path = REPO_ROOT, workspace: Path | None = None,
                   names: set[str] | None = None) -> list[UUID]:
    """Create or update the deployments in the (existing) process work pool ``pool``."""
    ids = deploy(*build_worker_deployments(source, workspace, names), work_pool_name=pool,
                 build=False, push=False, print_next_steps_message=False,
                 ignore_warnings=True)
    assert isinstance(ids, list)  # maybe-async; called from sync code it is not
    return ids


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - thin CLI
    parser = argparse.ArgumentParser(
        description="Đăng ký các deployment với một work pool kiểu process; worker trên máy "
                    "này chạy chúng.")
    parser.add_argument("--pool", default="cchc", help="work pool kiểu process (mặc định: cchc)")
    parser.add_argument("--workspace", type=Path, default=None,
                        help="thư mục làm việc (mặc định: CCHC_WORKSPACE của worker)")
    parser.add_argument("--only", action="append", default=None, metavar="NAME",
                        help="chỉ đăng ký deployment này (lặp lại được)")
    args = parser.parse_args(argv)
    ids = deploy_to_pool(args.pool, workspace=args.workspace,
                         names=set(args.only) if args.only else None)
    print(f"Đã đăng ký {len(ids)} deployment trong work pool {args.pool!r}")


if __name__ == "__main__":  # pragma: no cover
    main()
