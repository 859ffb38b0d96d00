"""Every province's deployments for the shared pool: names with the code, the province's
queue and tag, its environment as job variables, nothing of it in the parameters."""

from __future__ import annotations

from pathlib import Path

from config.tenants import Tenant
from deployments.country import TenantSecrets, province_deployment, queue_name
from deployments.schedules import DEPLOYMENTS


def test_one_deployment_per_spec_and_province(tmp_path: Path) -> None:
    hanoi = Tenant("ha-noi", "Thành phố Hà Nội", tmp_path)
    secrets = TenantSecrets("postgresql+psycopg://u:p@h/cchc_ha_noi", "cchc-smtp-ha-noi")
    built = {d.name: d
             for d in (province_deployment(spec, hanoi, secrets) for spec in DEPLOYMENTS)}
    assert set(built) == {"bao-cao-thang-ha-noi", "bao-cao-quy-ha-noi", "bao-cao-6-thang-ha-noi",
                          "bao-cao-9-thang-ha-noi", "bao-cao-nam-ha-noi", "thu-nhan-ha-noi",
                          "nhac-nop-bao-cao-ha-noi"}
    monthly = built["bao-cao-thang-ha-noi"]
    assert queue_name(hanoi) == "tinh-ha-noi" == monthly.work_queue_name
    assert "tinh-ha-noi" in monthly.tags
    assert [s.schedule.cron for s in monthly.schedules] == ["0 7 19 * *"]
    env = monthly.job_variables["env"]
    assert env["CCHC_PROVINCE"] == "ha-noi"
    assert env["CCHC_WORKSPACE"] == str((tmp_path / "ha-noi").resolve())
    assert env["CCHC_DATABASE_URL"].endswith("/cchc_ha_noi")
    assert env["CCHC_SMTP_PASSWORD_BLOCK"] == "cchc-smtp-ha-noi"
    assert "CCHC_SMTP_PASSWORD" not in env  # the password stays in its Secret block
    assert monthly.parameters == {"publish": True, "period_kind": "month"}
