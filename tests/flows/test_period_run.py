"""A report run reads its period first and never overlaps another run for that period."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from prefect import get_client
from prefect.settings import PREFECT_API_URL

from flows.monthly_report import monthly_report
from flows.period_run import PeriodBusy, period_slot, slot_name
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
    with period_slot(parse_period("2025-05"), env, timeout=5), pytest.raises(
            PeriodBusy, match="Một lượt chạy khác đang lập báo cáo kỳ 2025-05"):
        monthly_report(period="05/2025", workspace=str(env))
    assert (env / "inbox" / "SNV" / "snv.xlsx").exists()  # nothing was collected
    assert not (env / "reports").exists()
    with period_slot(parse_period("2025-05"), env, timeout=1):  # released after the failure
        pass


def test_slot_names_keep_workspaces_apart_and_the_same_workspace_together(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    may = parse_period("2025-05")
    one, two = tmp_path / "an-giang", tmp_path / "kien-giang"
    monkeypatch.chdir(tmp_path)
    name = slot_name(may, one)
    assert slot_name(may, Path("an-giang")) == name  # the same folder, written relatively
    assert slot_name(may, tmp_path / "x" / ".." / "an-giang") == name
    assert slot_name(may, two) != name
    assert slot_name(parse_period("2025-06"), one) != name
    assert re.fullmatch(r"cchc-report-2025-05-[0-9a-f]{8}", name)
    assert re.fullmatch(r"cchc-report-2025-q1-[0-9a-f]{8}",
                        slot_name(parse_period("2025-Q1"), one))


def test_two_workspaces_run_the_same_period_at_once(tmp_path: Path) -> None:
    may = parse_period("2025-05")
    with period_slot(may, tmp_path / "an-giang", timeout=1), \
            period_slot(may, tmp_path / "kien-giang", timeout=1):
        pass  # the second province did not wait for the first


def test_a_slot_left_by_a_killed_run_is_said_and_freed_by_the_documented_command(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    may = parse_period("2025-05")
    with period_slot(may, tmp_path, timeout=1):  # creates the limit
        pass
    name = slot_name(may, tmp_path)
    with get_client(sync_client=True) as client:  # what a killed holder leaves: a lease
        client.increment_concurrency_slots_with_lease(  # nobody renews or releases
            names=[name], slots=1, mode="concurrency", lease_duration=300)
    caplog.set_level(logging.INFO, logger="flows.period_run")
    with pytest.raises(PeriodBusy, match="trả chỗ sau khoảng 300 giây"), \
            period_slot(may, tmp_path, timeout=1):
        pass
    line = next(r.getMessage() for r in caplog.records if "Đang chờ" in r.getMessage())
    assert f"«{name}»" in line and "kỳ 2025-05" in line and "300 giây" in line
    command = line.split("giải phóng ngay bằng: ")[1]
    assert command == f"prefect global-concurrency-limit update {name} --active-slots 0"
    freed = subprocess.run([str(Path(sys.executable).with_name("prefect")),
                            *command.split()[1:]], capture_output=True, text=True,
                           env=dict(os.environ, PREFECT_API_URL=str(PREFECT_API_URL.value())),
                           timeout=120, check=False)
    assert freed.returncode == 0, freed.stdout + freed.stderr
    caplog.clear()
    started = time.monotonic()
    with period_slot(may, tmp_path, timeout=5):  # at once, not after the lease
        pass
    assert time.monotonic() - started < 5
    assert "Đang chờ" not in caplog.text


def test_a_period_not_closed_fails_the_run_at_once_unless_asked_for_as_provisional(
        env: Path) -> None:
    from tasks.model.closed_periods import PeriodNotClosed
    from tests.tasks.model.test_closed_periods import _open_and_next_month

    opened, future = _open_and_next_month()
    elsewhere = env.parent / "chua-co"
    with pytest.raises(PeriodNotClosed, match=f"«{future.label}».*chưa bắt đầu"):
        monthly_report(period=future.label, workspace=str(elsewhere))
    with pytest.raises(PeriodNotClosed, match=f"«{opened.label}».*chưa kết thúc"):
        monthly_report(period=opened.label, workspace=str(elsewhere))
    assert not elsewhere.exists()  # refused before the workspace is touched
    summary = monthly_report(period=opened.label, workspace=str(env), open_period=True)
    assert summary["provisional"] is True
    assert summary["published_to"] is None  # a provisional report is never handed over
    gaps = summary["data_gaps"]
    assert isinstance(gaps, list) and str(gaps[0]).startswith("BẢN TẠM")
    assert (env / "reports" / opened.label / "v1" / "indicators.json").exists()
    assert not (env / "outbox" / "so-noi-vu" / opened.label).exists()
