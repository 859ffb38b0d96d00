"""Writing a version's folder: every file beside the workbook, staged then moved."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from tasks.report.build import BuiltReport
from tasks.report.version_files import write_report
from tests.tasks.report.test_word import PREVIOUS, sample_content

WRITTEN_AT = datetime(2025, 4, 16, 1, 0, tzinfo=UTC)


def test_write_report_writes_word_html_and_charts_beside_the_workbook(tmp_path: Path) -> None:
    built = BuiltReport(sample_content(), [], "fingerprint")
    folder = write_report(built, tmp_path / "2025-03" / "v1", version=1,
                          generated_at=WRITTEN_AT, run_id=None,
                          timezone="Asia/Ho_Chi_Minh", previous_period=PREVIOUS)
    names = {p.name for p in folder.iterdir()}
    assert {"bao-cao-cchc-2025-03.xlsx", "bao-cao-cchc-2025-03.docx",
            "bao-cao-cchc-2025-03.html", "bieu-do-trend.png", "bieu-do-units_online.png",
            "bieu-do-tasks_by_area.png"} <= names


def test_a_crashed_runs_staging_and_an_old_folder_are_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "2025-03" / "v1"
    (tmp_path / "2025-03" / "v1.partial").mkdir(parents=True)
    (tmp_path / "2025-03" / "v1.partial" / "left-over.txt").write_text("x", encoding="utf-8")
    folder.mkdir()
    (folder / "old.txt").write_text("x", encoding="utf-8")
    used = [{"kind": "portal", "path": "/archive/p.xlsx", "content_hash": "h",
             "agency": None, "period": "2025-03", "file_name": "p.xlsx"}]
    write_report(BuiltReport(sample_content(), used, "dau-van-tay"), folder, version=1,
                 generated_at=WRITTEN_AT, run_id="run", timezone="Asia/Ho_Chi_Minh")
    assert not (folder / "old.txt").exists() and not (tmp_path / "2025-03" / "v1.partial").exists()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["version"], manifest["run_id"], manifest["fingerprint"]) == (
        1, "run", "dau-van-tay")
    assert manifest["inputs"] == used
    assert manifest["generated_at"] == "2025-04-16T01:00:00+00:00"
    document = json.loads((folder / "indicators.json").read_text(encoding="utf-8"))
    assert (document["period"], document["version"]) == ("2025-03", 1)
