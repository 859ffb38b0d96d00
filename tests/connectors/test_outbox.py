"""Publishing the same version from several processes at once: every call succeeds, one
complete copy, nothing half-made left behind (issue 22, point 7)."""

from __future__ import annotations

import multiprocessing
import os
import socket
from multiprocessing.synchronize import Barrier
from pathlib import Path

from connectors.outbox import Outbox

PROCESSES, ROUNDS = 4, 20  # 80 calls, 4 at a time on each version


def _report(folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True)
    files = {f"tep-{i:02d}.bin": os.urandom(64 * 1024) for i in range(24)}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder / "charts").mkdir()
    (folder / "charts" / "bieu-do.png").write_bytes(b"png")
    return files


def _publisher(workspace: Path, report: Path, barrier: Barrier, errors: Path) -> None:
    outbox = Outbox(workspace)
    for version in range(1, ROUNDS + 1):
        barrier.wait()  # every process publishes this version at the same moment
        try:
            outbox.publish(report, "2025-05", version)
        except Exception as exc:  # written down for the test, then carried on
            with errors.open("a", encoding="utf-8") as handle:
                handle.write(f"v{version} {type(exc).__name__}: {exc}\n")


def test_processes_publishing_the_same_versions_at_once_all_succeed(tmp_path: Path) -> None:
    files = _report(tmp_path / "reports" / "2025-05" / "v1")
    report = tmp_path / "reports" / "2025-05" / "v1"
    errors = tmp_path / "errors.txt"
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(PROCESSES)
    workers = [context.Process(target=_publisher, args=(tmp_path, report, barrier, errors))
               for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(300)
    assert [w.exitcode for w in workers] == [0] * PROCESSES
    assert not errors.exists(), errors.read_text(encoding="utf-8")
    period = tmp_path / "outbox" / "so-noi-vu" / "2025-05"
    assert sorted(p.name for p in period.iterdir()) == sorted(
        f"v{n}" for n in range(1, ROUNDS + 1))  # no staging folder left
    for version in range(1, ROUNDS + 1):
        copy = period / f"v{version}"
        assert {p.name: p.read_bytes() for p in copy.iterdir() if p.is_file()} == files
        assert (copy / "charts" / "bieu-do.png").read_bytes() == b"png"


def test_publishing_again_keeps_the_copy_handed_over(tmp_path: Path) -> None:
    report = tmp_path / "reports" / "2025-05" / "v1"
    _report(report)
    outbox = Outbox(tmp_path)
    first = outbox.publish(report, "2025-05", 1)
    (first / "thu-dien-tu.eml").write_bytes(b"mail")  # written beside the copy by delivery
    assert outbox.publish(report, "2025-05", 1) == first
    assert (first / "thu-dien-tu.eml").read_bytes() == b"mail"


def test_a_copy_left_by_a_killed_publisher_is_swept(tmp_path: Path) -> None:
    report = tmp_path / "reports" / "2025-05" / "v1"
    _report(report)
    child = multiprocessing.get_context("fork").Process(target=os.getpid)
    child.start()
    child.join()  # a process id that no longer runs
    period = tmp_path / "outbox" / "so-noi-vu" / "2025-05"
    dead = period / f"v1.{socket.gethostname()}-{child.pid}-0badc0de.partial"
    live = period / f"v1.{socket.gethostname()}-{os.getpid()}-0badc0de.partial"
    for leftover in (dead, live):
        leftover.mkdir(parents=True)
        (leftover / "tep-00.bin").write_bytes(b"half")
    Outbox(tmp_path).publish(report, "2025-05", 1)
    assert not dead.exists()
    assert live.exists()  # a process still running may still be copying: left alone
