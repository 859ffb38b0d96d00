"""Report versions: unchanged reruns, corrections, forced reruns, racing runs."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from config.registry import Registry
from connectors.database import Database
from tasks.report.publish import ReportOutcome, publish_version
from tasks.report.summaries import report_markdown
from tasks.report.version_files import workbook_name
from tests import scenario
from tests.tasks.indicators.test_compute import built_report

TZ = "Asia/Ho_Chi_Minh"


@pytest.fixture
def small_registry(tmp_path: Path) -> Registry:
    return scenario.write_registry(tmp_path / "registry")


def _run(workspace: Path, db: Database, registry: Registry, *, force: bool = False,
         run_id: str = "run") -> ReportOutcome:
    built = built_report(workspace, db, registry)
    return publish_version(db, built, workspace / "reports", force=force, run_id=run_id,
                           now=datetime.now(UTC), timezone=TZ)


def _document(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "indicators.json").read_text(encoding="utf-8"))
    return data


def test_first_run_writes_v1(workspace: Path, db: Database, small_registry: Registry) -> None:
    scenario.build_workspace(workspace, small_registry)
    outcome = _run(workspace, db, small_registry)
    assert (outcome.version, outcome.created) == (1, True)
    folder = workspace / "reports" / "2025-05" / "v1"
    assert outcome.folder == folder
    assert (folder / workbook_name("2025-05")).exists()
    doc = _document(folder)
    assert (doc["period"], doc["version"]) == ("2025-05", 1)
    first = doc["indicators"][0]
    assert set(first) == {"unit", "indicator", "numerator", "denominator", "value", "target",
                          "status"}
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run_id"] == "run"
    assert sorted(i["kind"] for i in manifest["inputs"]) == ["portal", "submission",
                                                             "submission"]
    assert all(Path(i["path"]).exists() for i in manifest["inputs"])


def test_rerun_without_change_keeps_the_version(workspace: Path, db: Database,
                                                small_registry: Registry) -> None:
    scenario.build_workspace(workspace, small_registry)
    first = _run(workspace, db, small_registry, run_id="a")
    before = (first.folder / "indicators.json").read_bytes()
    again = _run(workspace, db, small_registry, run_id="b")
    assert (again.version, again.created) == (1, False)
    assert (first.folder / "indicators.json").read_bytes() == before
    assert not (workspace / "reports" / "2025-05" / "v2").exists()


def test_forced_rerun_gives_identical_indicators(workspace: Path, db: Database,
                                                 small_registry: Registry) -> None:
    scenario.build_workspace(workspace, small_registry)
    first = _run(workspace, db, small_registry, run_id="a")
    forced = _run(workspace, db, small_registry, force=True, run_id="b")
    assert (forced.version, forced.created) == (2, True)
    one, two = _document(first.folder), _document(forced.folder)
    for doc in (one, two):
        doc.pop("generated_at")
        doc.pop("version")
    assert one == two


def test_correction_makes_a_new_version_and_keeps_the_old(workspace: Path, db: Database,
                                                          small_registry: Registry) -> None:
    scenario.build_workspace(workspace, small_registry)
    first = _run(workspace, db, small_registry)
    scenario.drop_snv(workspace, small_registry, t2_done=True)
    second = _run(workspace, db, small_registry)
    assert (second.version, second.created) == (2, True)
    assert (first.folder / "indicators.json").exists()
    values = {(i["unit"], i["indicator"]): i for i in _document(second.folder)["indicators"]}
    assert values[("SNV", "task_completion_rate")]["numerator"] == 2
    assert values[("TINH", "task_completion_rate")]["value"] == pytest.approx(50.0)
    summary = report_markdown(second)
    assert "Thay đổi so với v1" in summary
    assert "25,00% → 50,00%" in summary
    assert "STP — Sở Tư pháp" in summary


def test_two_runs_at_once_write_one_version(workspace: Path, db: Database,
                                            small_registry: Registry) -> None:
    scenario.build_workspace(workspace, small_registry)
    built = built_report(workspace, db, small_registry)
    outcomes: list[ReportOutcome] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run(run_id: str) -> None:
        try:
            barrier.wait()
            outcomes.append(publish_version(db, built, workspace / "reports", force=False,
                                            run_id=run_id, now=datetime.now(UTC),
                                            timezone=TZ))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(name,)) for name in ("x", "y")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(o.created for o in outcomes) == [False, True]
    assert {o.version for o in outcomes} == {1}
    assert sorted(p.name for p in (workspace / "reports" / "2025-05").iterdir()) == ["v1"]
