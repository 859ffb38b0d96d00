"""The private copies of dropped files: a process killed mid-intake leaves its folder in
the temporary directory; the next collecting process removes it (issue 22, point 6)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.paths import REPO

KILLED = """
import os, signal
from tasks.intake.collect import _private_folder
(_private_folder() / "ban-sao.xlsx").write_bytes(b"PK")
os.kill(os.getpid(), signal.SIGKILL)
"""
NEXT = "from tasks.intake.collect import _private_folder; print(_private_folder())"


def _python(code: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), TMPDIR=str(tmp))
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_a_killed_collector_s_copies_are_removed_by_the_next_one(tmp_path: Path) -> None:
    killed = _python(KILLED, tmp_path)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    [left] = list(tmp_path.glob("cchc-intake-*"))
    assert (left / "ban-sao.xlsx").exists()  # the kill left it behind

    following = _python(NEXT, tmp_path)
    assert following.returncode == 0, following.stderr
    assert not left.exists()
    assert Path(following.stdout.strip()).name.startswith("cchc-intake-")
    assert list(tmp_path.glob("cchc-intake-*")) == []  # its own is removed at exit


def test_a_living_process_s_copies_are_left_alone(tmp_path: Path) -> None:
    mine = tmp_path / f"cchc-intake-{os.getpid()}-dang-chay"
    mine.mkdir()
    following = _python(NEXT, tmp_path)
    assert following.returncode == 0, following.stderr
    assert mine.is_dir()
