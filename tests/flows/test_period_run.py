"""A report run reads its period first and never overlaps another run for that period."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.monthly_report import monthly_report
from flows.period_run import PeriodBusy, period_slot
from tasks.model.periods import PeriodError, parse_period
from tests import scenario


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    registry_dir = tmp_path / "registry"
    registry = scenario.write_registry(registry_dir)
    workspace = tmp_path / "workspace"
    scenario.build_workspace(workspace, registry)
    monkeypatch.setenv("CCHC_REGISTRY_DIR", str(registry_dir))
    monkeypatch.delenv("CCHC_DATABASE_URL", raising=False)
    monkeypatch.setenv("CCHC_SETTLE_SECONDS", "0")
    return workspace


def test_a_bad_period_stops_the_run_before_the_workspace_is_touched(tmp_path: Path) -> None:
    workspace = tmp_path / "chua-co"
    with pytest.raises(PeriodError, match=r"Kỳ báo cáo «2025-13» không có thật \(tháng"):
        monthly_report(period="2025-13", workspace=str(workspace))
    assert not workspace.exists()  # no folder laid out, no database created or migrated


def test_a_second_run_for_the_same_period_waits_then_stops_clearly(
        env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCHC_LOCK_TIMEOUT_SECONDS", "1")
    with period_slot(parse_period("2025-05"), timeout=5), pytest.raises(
            PeriodBusy, match="Một lượt chạy khác đang lập báo cáo kỳ 2025-05"):
        monthly_report(period="05/2025", workspace=str(env))
    assert (env / "inbox" / "SNV" / "snv.xlsx").exists()  # nothing was collected
    assert not (env / "reports").exists()
    with period_slot(parse_period("2025-05"), timeout=1):  # released after the failure
        pass
