"""A province as a tenant of a shared Prefect server: its code, its workspace and its
reporting database, and the check that a run stays inside them.

Many provinces run on one server and one pool of workers (docs/scaling.md). Each is a
tenant named by its code (``ha-noi``, ``an-giang``: the ``codename`` of
``vietnam_provinces`` with ``-``): its workspace is ``<root>/<code>/`` and its reporting
database ``cchc_<code with _>`` on PostgreSQL (or the SQLite file in its workspace). Its
settings and secrets reach a run only through the environment of the run's process (the
deployment's ``job_variables`` ``env``, set when the deployments are registered, or the
worker's environment) and Prefect Secret blocks: never through code or flow parameters.

A run that knows it is a tenant's (``CCHC_PROVINCE`` and ``CCHC_TENANT_ROOT`` in its
environment) refuses, before it opens anything, a workspace or a database that is not
that tenant's (:func:`check_tenant`): a run for A pointed at B's folder (a parameter, an
overridden job variable) stops with one Vietnamese sentence, having read and written
nothing of B's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import make_url

from config.errors import CchcError
from config.settings import Settings

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
DATABASE_PREFIX = "cchc"


class TenantMismatch(CchcError, PermissionError):
    """A tenant's run was pointed at a workspace or a database that is not its own."""


@dataclass(frozen=True)
class Tenant:
    """One province on the shared server: what its runs may open, and nothing else."""

    code: str  # lowercase ASCII with "-", e.g. "ha-noi": folder and deployment names
    name: str  # e.g. "Thành phố Hà Nội"
    root: Path  # the folder that holds every tenant's workspace
    db_prefix: str = DATABASE_PREFIX  # PostgreSQL databases are <db_prefix>_<code>

    def __post_init__(self) -> None:
        if not CODE_PATTERN.match(self.code):
            raise ValueError(f"Mã tỉnh «{self.code}» không hợp lệ (chữ thường, số, dấu -)")

    @property
    def workspace(self) -> Path:
        return self.root / self.code

    @property
    def database_name(self) -> str:
        """``<db_prefix>_<code>``, ``-`` as ``_``: a PostgreSQL name needing no quotes."""
        return f"{self.db_prefix}_{self.code.replace('-', '_')}"

    def environment(self, database_url: str | None = None,
                    smtp_password_block: str | None = None) -> dict[str, str]:
        """The run's environment for this tenant (a deployment's ``job_variables`` env):
        who it is, its workspace, its database (default: SQLite in the workspace) and the
        name of the Secret block with its SMTP password (the password itself never here)."""
        env = {"CCHC_PROVINCE": self.code, "CCHC_TENANT_ROOT": str(self.root.resolve()),
               "CCHC_TENANT_DB_PREFIX": self.db_prefix,
               "CCHC_WORKSPACE": str(self.workspace.resolve())}
        if database_url:
            env["CCHC_DATABASE_URL"] = database_url
        if smtp_password_block:
            env["CCHC_SMTP_PASSWORD_BLOCK"] = smtp_password_block
        return env


class TenantBinding(BaseSettings):
    """Which tenant this process runs for, read from its environment (unset: a single
    province's installation, nothing to check)."""

    model_config = SettingsConfigDict(env_prefix="CCHC_", extra="ignore")

    province: str | None = Field(default=None, description="The tenant's code.")
    tenant_root: Path | None = Field(default=None, description="The tenants' root folder.")
    tenant_db_prefix: str = Field(default=DATABASE_PREFIX)

    def tenant(self) -> Tenant | None:
        if not self.province:
            return None
        if self.tenant_root is None:
            raise TenantMismatch(f"CCHC_PROVINCE={self.province} nhưng thiếu CCHC_TENANT_ROOT: "
                                 "không biết thư mục làm việc của tỉnh")
        return Tenant(self.province, self.province, self.tenant_root, self.tenant_db_prefix)


def check_tenant(settings: Settings, tenant: Tenant | None,
                 deployment_name: str | None = None) -> None:
    """Refuse a workspace, a database or a deployment that is not ``tenant``'s.

    The workspace must be the tenant's folder; the database the tenant's PostgreSQL
    database (:attr:`Tenant.database_name`) or a SQLite file inside the workspace; a run of
    a deployment must be of one whose name ends with ``-<code>`` (a run of A's deployment whose
    environment was overridden to B's code is refused).
    """
    if tenant is None:
        return
    code = tenant.code
    if deployment_name is not None and not deployment_name.endswith(f"-{code}"):
        raise TenantMismatch(f"Lượt chạy của deployment «{deployment_name}» không được chạy "
                             f"cho tỉnh «{code}»")
    own = tenant.workspace.resolve()
    if settings.workspace.resolve() != own:
        raise TenantMismatch(f"Lượt chạy của tỉnh «{code}» chỉ được dùng thư mục làm việc "
                             f"{own}, không được dùng {settings.workspace.resolve()}")
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "").resolve()
        if not path.is_relative_to(own):
            raise TenantMismatch(f"Lượt chạy của tỉnh «{code}» chỉ được dùng cơ sở dữ liệu "
                                 f"trong {own}, không được dùng {path}")
    elif url.database != tenant.database_name:
        raise TenantMismatch(f"Lượt chạy của tỉnh «{code}» chỉ được dùng cơ sở dữ liệu "
                             f"«{tenant.database_name}», không được dùng «{url.database}»")


def province_tenants(root: Path, count: int,
                     db_prefix: str = DATABASE_PREFIX) -> list[Tenant]:
    """The first ``count`` of the 34 provinces and cities (``vietnam_provinces``, in the
    order of their official codes) as tenants under ``root``."""
    from vietnam_provinces import Province

    provinces = sorted(Province.iter_all(), key=lambda p: int(p.code))
    if not 1 <= count <= len(provinces):
        raise ValueError(f"Số tỉnh phải từ 1 đến {len(provinces)}")
    return [Tenant(p.codename.replace("_", "-"), p.name, root, db_prefix)
            for p in provinces[:count]]
