"""A real SIGKILL at each step that writes, then a rerun: the result equals an
uninterrupted run's (bench/soak.py holds the pipeline and the invariant)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import soak
from tasks.model.crash_points import KILL_AT_ENV, KILL_POINTS, crash_point


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[soak.Soak]:
    runner, controller = soak.start_soak(tmp_path_factory.mktemp("soak"))
    yield runner
    controller.stop()


def test_the_uninterrupted_run_reports_what_the_scenario_holds(prepared: soak.Soak) -> None:
    values = {(v["unit"], v["indicator"]): v["value"] for v in prepared.expected}
    assert values[("SNV", "online_filing_rate")] == 30.0  # 30 of 100, by hand
    assert values[("TINH", "submission_rate")] is not None


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_kill_at_each_point_then_a_rerun_equals_an_uninterrupted_run(
        prepared: soak.Soak, point: str) -> None:
    killed, problems = prepared.cycle(point)
    assert killed == -9, f"the run was not killed at {point}"
    assert problems == []


@pytest.mark.soak
def test_soak_20_random_kill_and_rerun_cycles(capsys: pytest.CaptureFixture[str]) -> None:
    assert soak.main(["--cycles", "20", "--seed", "20261127"]) == 0
    assert "20 cycles" in capsys.readouterr().out


def test_crash_point_does_nothing_unless_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KILL_AT_ENV, "intake.after_commit")
    crash_point("report.writing")  # another point: no effect
    monkeypatch.delenv(KILL_AT_ENV)
    crash_point("intake.after_commit")
    assert os.getpid() > 0 and Path(".").exists()
