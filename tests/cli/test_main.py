"""The command line (cli/main.py): `cchc run --period` with a period that cannot be read
(one sentence, exit 2; issue 22, 10), and its Prefect set-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prefect.settings import Settings

from cli.main import _prefect_offline
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


# The command line's Prefect set-up: a first start on a fresh machine, and a failed start.


# The first start of the temporary server runs all of Prefect's migrations: ~30 s on 2 cores.
MIGRATION_SECONDS = 30

_VARIABLES = ("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS",
              "PREFECT_SERVER_ANALYTICS_ENABLED",
              "PREFECT_UI_ENABLED", "PREFECT_LOGGING_LEVEL", "PREFECT_LOGGING_EXTRA_LOGGERS")


def test_cli_gives_prefect_a_start_up_timeout_well_above_the_first_migration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in _VARIABLES:  # set, then removed: undone after the test whatever it sets
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    assert Settings().server.ephemeral.startup_timeout_seconds < MIGRATION_SECONDS  # Prefect's 20
    _prefect_offline()
    assert Settings().server.ephemeral.startup_timeout_seconds >= 4 * MIGRATION_SECONDS


def test_cli_keeps_an_operators_own_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _VARIABLES:
        monkeypatch.setenv(name, os.environ.get(name, ""))
        monkeypatch.delenv(name)
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "600")
    _prefect_offline()
    assert Settings().server.ephemeral.startup_timeout_seconds == 600


def test_cli_sends_the_projects_log_lines_to_the_run_log(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in _VARIABLES:
        monkeypatch.setenv(name, os.environ.get(name, ""))
        monkeypatch.delenv(name)
    _prefect_offline()
    extra = set(Settings().logging.extra_loggers or [])
    assert {"tasks", "connectors", "config", "flows"} <= extra


def test_cli_keeps_an_operators_own_extra_loggers(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _VARIABLES:
        monkeypatch.setenv(name, os.environ.get(name, ""))
        monkeypatch.delenv(name)
    monkeypatch.setenv("PREFECT_LOGGING_EXTRA_LOGGERS", "tasks.intake")
    _prefect_offline()
    assert Settings().logging.extra_loggers == ["tasks.intake"]


def test_failed_prefect_start_prints_one_sentence_and_exits_non_zero(tmp_path: Path) -> None:
    home = tmp_path / "prefect-home"  # fresh: the server must migrate, which takes far over 1 s
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="1",
               PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-c", "from cli.main import app; app()",
         "collect", "--workspace", str(tmp_path / "ws")],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert done.returncode == 3
    output = (done.stdout + done.stderr).strip()
    assert "Traceback" not in output and "RuntimeError" not in output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    sentence = lines[0]
    assert sentence.startswith("Không khởi động được máy chủ tạm của Prefect")
    assert sentence.endswith(".") and sentence.count(". ") == 0
    assert str(home) in sentence and "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS" in sentence
    assert not (tmp_path / "ws" / "inbox").exists()  # nothing was collected


# The CCHC index's workbooks: made by `cchc template`, self-checked by `cchc validate`.


def _cchc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    return subprocess.run([sys.executable, "-c", "from cli.main import app; app()", *args],
                          capture_output=True, text=True, env=env, timeout=300, check=False,
                          cwd=cwd)


def test_the_self_assessment_template_lists_the_units_criteria_and_is_self_checked(
        tmp_path: Path) -> None:
    import openpyxl

    made = _cchc("template", "--tu-cham", "--year", "2025", "--agency", "stp", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    path = tmp_path / "tu-cham-chi-so-cchc-STP-2025.xlsx"
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Tự chấm điểm"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    # the department sample's self-assessed criteria, as the YAML lists them
    assert [r[0] for r in rows][:4] == ["1.1.1", "1.2", "1.3", "1.4"]
    assert (rows[1][2], rows[1][3], rows[1][4]) == (2, None, None)
    sheet["D4"], sheet["E4"] = 3, "Báo cáo quý"  # criterion 1.2, worth 2 points
    sheet["D3"] = 1  # criterion 1.1.1 without its evidence
    workbook.save(path)
    checked = _cchc("validate", str(path), "--agency", "STP", cwd=tmp_path)
    assert checked.returncode == 1, checked.stderr
    assert ("Trang «Tự chấm điểm», dòng 3, cột «Tài liệu kiểm chứng»: tiêu chí 1.1.1 tự chấm "
            "1 điểm nên phải ghi tài liệu kiểm chứng") in checked.stdout
    assert ("Trang «Tự chấm điểm», dòng 4, cột «Điểm tự chấm»: điểm tự chấm 3 vượt điểm tối "
            "đa 2 của tiêu chí 1.2") in checked.stdout
    sheet["D4"], sheet["E3"] = 2, "Kế hoạch 12/KH-STP"
    workbook.save(path)
    checked = _cchc("validate", str(path), "--agency", "STP", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert "đơn vị STP, năm 2025, 2 tiêu chí tự chấm" in checked.stdout


def test_the_appraisal_template_and_a_wrong_template_call(tmp_path: Path) -> None:
    made = _cchc("template", "--tham-dinh", "--year", "2025", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    empty = _cchc("validate", str(tmp_path / "tham-dinh-chi-so-cchc-2025.xlsx"), cwd=tmp_path)
    assert empty.returncode == 1
    assert "tệp không thẩm định tiêu chí nào" in empty.stdout
    wrong = _cchc("template", "--tu-cham", "--year", "2025", cwd=tmp_path)
    assert wrong.returncode == 2 and "--tu-cham --agency <mã> --year <năm>" in wrong.stderr
