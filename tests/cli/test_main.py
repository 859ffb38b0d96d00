"""`cchc run --period` with a period that cannot be read: one sentence, exit 2 (issue 22, 10)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.paths import REPO


def test_run_with_an_impossible_period_prints_one_sentence_and_exits_2(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO),
               PREFECT_SERVER_ANALYTICS_ENABLED="false")
    done = subprocess.run(
        [sys.executable, "-c", "from cli.main import app; app()",
         "run", "--period", "2025-13", "--workspace", str(tmp_path / "ws")],
        capture_output=True, text=True, env=env, timeout=300, check=False)
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 2, output
    assert "Traceback" not in output
    assert "2025-13" in output and "không có thật" in output
    assert not (tmp_path / "ws").exists()
