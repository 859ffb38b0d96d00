"""A province as a tenant: its names, and the check that its runs stay in its own
workspace and database (hand-written paths and URLs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import Settings
from config.tenants import Tenant, TenantBinding, TenantMismatch, check_tenant, province_tenants


def test_names_come_from_the_code(tmp_path: Path) -> None:
    tenant = Tenant("ha-noi", "Thành phố Hà Nội", tmp_path)
    assert tenant.workspace == tmp_path / "ha-noi"
    assert tenant.database_name == "cchc_ha_noi"
    assert tenant.environment("postgresql+psycopg://u:p@h/cchc_ha_noi", "cchc-smtp-ha-noi") == {
        "CCHC_PROVINCE": "ha-noi", "CCHC_TENANT_ROOT": str(tmp_path.resolve()),
        "CCHC_TENANT_DB_PREFIX": "cchc", "CCHC_WORKSPACE": str((tmp_path / "ha-noi").resolve()),
        "CCHC_DATABASE_URL": "postgresql+psycopg://u:p@h/cchc_ha_noi",
        "CCHC_SMTP_PASSWORD_BLOCK": "cchc-smtp-ha-noi"}
    with pytest.raises(ValueError, match="không hợp lệ"):
        Tenant("../cao-bang", "x", tmp_path)


def test_the_first_provinces_in_the_order_of_their_codes(tmp_path: Path) -> None:
    # vietnam_provinces, 2025 list: 01 Hà Nội, 04 Cao Bằng, 08 Tuyên Quang
    assert [t.code for t in province_tenants(tmp_path, 3)] == ["ha-noi", "cao-bang",
                                                                "tuyen-quang"]
    assert len(province_tenants(tmp_path, 34)) == 34


def test_a_tenants_run_opens_only_its_own_workspace_and_database(tmp_path: Path) -> None:
    hanoi = Tenant("ha-noi", "Hà Nội", tmp_path)
    own = tmp_path / "ha-noi"
    pg = "postgresql+psycopg://u:p@127.0.0.1/"
    check_tenant(Settings(workspace=own), hanoi)  # SQLite in its workspace
    check_tenant(Settings(workspace=own, database_url=pg + "cchc_ha_noi"), hanoi,
                 "bao-cao-thang-ha-noi")
    refused = {
        "workspace": (Settings(workspace=tmp_path / "cao-bang"), None),
        "sqlite": (Settings(workspace=own,
                            database_url=f"sqlite:///{tmp_path / 'cao-bang' / 'cchc.db'}"), None),
        "postgres": (Settings(workspace=own, database_url=pg + "cchc_cao_bang"), None),
        "deployment": (Settings(workspace=own), "bao-cao-thang-cao-bang"),
    }
    for what, (settings, deployment) in refused.items():
        with pytest.raises(TenantMismatch):
            check_tenant(settings, hanoi, deployment)
            pytest.fail(what)
    check_tenant(Settings(workspace=tmp_path / "anywhere"), None)  # not a tenant: no check


def test_the_binding_is_read_from_the_environment(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CCHC_PROVINCE", raising=False)
    assert TenantBinding().tenant() is None
    monkeypatch.setenv("CCHC_PROVINCE", "ha-noi")
    monkeypatch.delenv("CCHC_TENANT_ROOT", raising=False)
    with pytest.raises(TenantMismatch, match="thiếu CCHC_TENANT_ROOT"):
        TenantBinding().tenant()
    monkeypatch.setenv("CCHC_TENANT_ROOT", str(tmp_path))
    monkeypatch.setenv("CCHC_TENANT_DB_PREFIX", "cchc_x")
    assert TenantBinding().tenant() == Tenant("ha-noi", "ha-noi", tmp_path, "cchc_x")
