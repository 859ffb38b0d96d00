"""A version claimed by a run that died (SIGKILL) or failed before writing its folder is
written by the next run at once, which says it wrote it (issue 22, point 6)."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from config.registry import Registry
from connectors.database import Database
from tasks.model.crash_points import KILL_AT_ENV
from tasks.model.records import Writer
from tasks.report.build import BuiltReport
from tasks.report.publish import ReportOutcome, publish_version
from tasks.report.writer_claim import WRITE_FIRST, WRITE_KEPT
from tests import scenario
from tests.tasks.indicators.test_compute import built_report

TZ = "Asia/Ho_Chi_Minh"
PROMPT = 60.0  # seconds: far below the 600 s a rerun used to wait


@pytest.fixture
def small_registry(tmp_path: Path) -> Registry:
    return scenario.write_registry(tmp_path / "registry")


def _publish(db: Database, built: BuiltReport, workspace: Path) -> ReportOutcome:
    return publish_version(db, built, workspace / "reports", force=False, run_id="run",
                           now=datetime.now(UTC), timezone=TZ)


def _killed_after_the_claim(database_url: str, built: BuiltReport, workspace: Path) -> None:
    """In a forked child: its own connection, publish, killed right after the claim."""
    os.environ[KILL_AT_ENV] = "report.claimed"
    db = Database.from_url(database_url)
    _publish(db, built, workspace)


def _promptly(db: Database, built: BuiltReport, workspace: Path) -> ReportOutcome:
    """The rerun, in a thread, so that a rerun waiting for minutes fails the test now."""
    done: list[ReportOutcome] = []
    errors: list[BaseException] = []

    def rerun() -> None:
        try:
            done.append(_publish(db, built, workspace))
        except BaseException as exc:  # handed to the test below
            errors.append(exc)

    thread = threading.Thread(target=rerun, daemon=True)
    thread.start()
    thread.join(PROMPT)
    assert not thread.is_alive(), f"the rerun still waits after {PROMPT:g} s"
    assert errors == []
    return done[0]


def test_a_rerun_after_a_sigkill_between_claim_and_folder_writes_v2_at_once(
        workspace: Path, database_url: str, db: Database, small_registry: Registry,
        caplog: pytest.LogCaptureFixture) -> None:
    scenario.build_workspace(workspace, small_registry)
    first = _publish(db, built_report(workspace, db, small_registry), workspace)
    assert first.version == 1
    scenario.drop_snv(workspace, small_registry, t2_done=True)  # a correction: v2
    built = built_report(workspace, db, small_registry)

    child = multiprocessing.get_context("fork").Process(
        target=_killed_after_the_claim, args=(database_url, built, workspace))
    child.start()
    child.join(120)
    assert child.exitcode == -9  # killed by a real SIGKILL, holding the claim of v2
    claimed = db.report_version("2025-05", 2)
    assert claimed is not None and claimed.written_at is None
    assert claimed.writer is not None and claimed.writer.pid == child.pid
    assert not (workspace / "reports" / "2025-05" / "v2").exists()

    caplog.set_level(logging.INFO, logger="tasks.report.writer_claim")
    outcome = _promptly(db, built, workspace)
    assert (outcome.version, outcome.created, outcome.write) == (2, False, WRITE_FIRST)
    assert (workspace / "reports" / "2025-05" / "v2" / "indicators.json").exists()
    summary = outcome.summary()
    assert summary["write"] == WRITE_FIRST
    assert "ghi lần đầu" in str(summary["state"]) and "không đổi" not in str(summary["state"])
    assert f"tiến trình {child.pid}" in caplog.text and "không còn chạy" in caplog.text
    written = db.report_version("2025-05", 2)
    assert written is not None and written.written_at is not None and written.writer is None
    # and the run after that is an unchanged rerun, said so
    again = _publish(db, built, workspace)
    assert (again.version, again.write) == (2, WRITE_KEPT)
    assert "không đổi" in again.state_vi


def test_a_run_failing_before_its_staging_folder_is_followed_at_once(
        workspace: Path, db: Database, small_registry: Registry) -> None:
    scenario.build_workspace(workspace, small_registry)
    built = built_report(workspace, db, small_registry)
    blocker = workspace / "reports" / "2025-05"  # a file where the period's folder goes
    blocker.parent.mkdir(parents=True)
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(OSError):
        _publish(db, built, workspace)
    claimed = db.report_version("2025-05", 1)
    assert claimed is not None and claimed.writer is None and claimed.written_at is None
    blocker.unlink()
    outcome = _promptly(db, built, workspace)
    assert (outcome.version, outcome.write) == (1, WRITE_FIRST)
    assert (blocker / "v1" / "indicators.json").exists()


def test_a_live_writer_on_another_host_is_waited_for_and_named(
        workspace: Path, db: Database, small_registry: Registry,
        caplog: pytest.LogCaptureFixture) -> None:
    scenario.build_workspace(workspace, small_registry)
    built = built_report(workspace, db, small_registry)
    other = Writer("may-chu-khac", 4242)
    db.claim_report_version("2025-05", built.fingerprint, "other", force=False,
                            reports_dir=workspace / "reports", writer=other)
    caplog.set_level(logging.INFO, logger="tasks.report.writer_claim")
    waiting = threading.Thread(target=_publish, args=(db, built, workspace), daemon=True)
    waiting.start()
    waiting.join(1.5)
    assert waiting.is_alive()  # it cannot tell whether that process runs: it waits
    assert "máy may-chu-khac, tiến trình 4242" in caplog.text
    assert "đang chờ lượt đó ghi xong" in caplog.text
    claimed = db.report_version("2025-05", 1)
    assert claimed is not None
    db.finish_report_version(claimed.id, other, written=False)  # that run gives up
    waiting.join(PROMPT)
    assert not waiting.is_alive()
    assert (workspace / "reports" / "2025-05" / "v1" / "indicators.json").exists()
