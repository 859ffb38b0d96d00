"""The report with a dossier file: the 766 indicators and points, the dossier file among
the inputs, and the units where statistics and dossiers disagree (worked by hand).

Dossier counts of ``tests/fixtures/ho-so-2025-05.csv`` (window 15/04 – 14/05/2025,
statuses 3 and 7 left out), worked by hand:
  SNV: received S01 S02 S03 S04 S05 S09 S11 = 7; ended in the window S01 S02 S03 S08 S11
    = 5; of them on time S01 S02 S11 = 3 (S03 a second supplement request, S08 late)
  STP: received T01 T02 T04 = 3; ended T01 T04 = 2, both on time (T04: 10 days waiting)
  SKHCN: received K01 = 1; nothing ended
Statistics (hand-made below): SNV 3+3+1 received, 5 resolved, 3 on time (agrees);
  STP 2+1+1 = 4 received (≠ 3), 2 resolved, 1 on time (≠ 2); SKHCN has no row (1 received
  in the dossiers); STC 0 received, 2 resolved, 2 on time (no dossiers: ≠ 0, ≠ 0).
Points (TINH: on time 8/12, online 5/11, payment 3/5, e-result 3/5, digitised 5/11,
  reuse 3/11, satisfaction 800/12 − 300/11), maxima and thresholds of index766.yaml:
  group 2 = 66.67 × 20/100; group 3 = 45.45 × 12/50 + 60 × 10/80;
  group 4 = 60 × 6/100 + 45.45 × 8/80 + 27.27 × 8/80; group 5 = 39.39 × 18/90;
  group 1 (publication) cannot be computed, so no total, only the partial sum.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from config.index766 import Index766Config, load_index766
from config.registry import Registry
from config.settings import REGISTRY_DIR
from connectors.database import Database
from connectors.drop_folder import DropFolder
from tasks.model.periods import parse_period
from tasks.model.portal import PortalUnitStats
from tasks.model.report import SourceDisagreement
from tasks.model.rules import ReportingRules
from tasks.portal.dossier_counts import count_dossier_file
from tasks.portal.dossiers import resolution_rows
from tasks.portal.source_comparison import (
    RECEIVED,
    RESOLVED,
    RESOLVED_ON_TIME,
    compare_counts,
)
from tasks.report.build import BuiltReport, build_report
from tasks.report.dossier_figures import known_units
from tasks.report.period_inputs import gather_inputs
from tasks.report.version_files import write_report
from tests.builders import take_file
from tests.paths import FIXTURES, REPO

FIXTURE = FIXTURES / "ho-so-2025-05.csv"
WINDOW = (date(2025, 4, 15), date(2025, 5, 14))
NOW = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)


def _stats(unit: str, row: int, online: int, person: int, post: int, resolved: int,
           on_time: int) -> PortalUnitStats:
    return PortalUnitStats(unit, row, 0, online, person, post, resolved, on_time,
                           resolved - on_time, 0, 0)


STATISTICS = [_stats("SNV", 5, 3, 3, 1, 5, 3), _stats("STP", 6, 2, 1, 1, 2, 1),
              _stats("STC", 7, 0, 0, 0, 2, 2)]
DISAGREEMENTS = [
    SourceDisagreement("SKHCN", RECEIVED, None, 1),
    SourceDisagreement("STC", RESOLVED, 2, 0),
    SourceDisagreement("STC", RESOLVED_ON_TIME, 2, 0),
    SourceDisagreement("STP", RECEIVED, 4, 3),
    SourceDisagreement("STP", RESOLVED_ON_TIME, 1, 2),
]
GROUPS = {2: 800 / 12 * 20 / 100,
          3: 500 / 11 * 12 / 50 + 60 * 10 / 80,
          4: 60 * 6 / 100 + 500 / 11 * 8 / 80 + 300 / 11 * 8 / 80,
          5: (800 / 12 - 300 / 11) * 18 / 90}


@pytest.fixture(scope="module")
def rules766() -> Index766Config:
    return load_index766(REGISTRY_DIR)


def test_resolution_counts_match_the_hand_worked_ones(rules766: Index766Config) -> None:
    got = resolution_rows(FIXTURE, WINDOW, rules766)
    assert got == {"SNV": (7, 5, 3), "STP": (3, 2, 2), "SKHCN": (1, 0, 0)}


def test_the_sources_are_compared_per_unit(rules766: Index766Config) -> None:
    counted = resolution_rows(FIXTURE, WINDOW, rules766)
    assert compare_counts(STATISTICS, counted) == DISAGREEMENTS


def _built(workspace: Path, db: Database, registry: Registry, rules766: Index766Config, *,
           statistics: list[PortalUnitStats] | None) -> BuiltReport:
    target = workspace / "portal" / "ho-so-2025-05.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURE, target)
    past = (NOW - timedelta(hours=1)).timestamp()
    os.utime(target, (past, past))
    folder = DropFolder.portal_exports(workspace)
    for item in folder.pending():
        outcome = take_file(item, folder, db, registry, now=NOW, index766=rules766)
        assert outcome is not None and outcome.outcome == "accepted"
    inputs, portal, rejections = gather_inputs(db, parse_period("2025-05"),
                                               rules=ReportingRules())
    assert inputs.dossier_file is not None
    return build_report(registry, replace(inputs, portal=statistics), portal, rejections,
                        index766=rules766)


def test_the_report_shows_766_indicators_points_and_disagreements(
        workspace: Path, db: Database, registry: Registry, rules766: Index766Config,
        tmp_path: Path) -> None:
    built = _built(workspace, db, registry, rules766, statistics=STATISTICS)
    stored = db.current_dossier_file("2025-05")
    assert stored is not None
    values = {(v.unit, v.indicator): v for v in built.content.indicators}
    online = values[("TINH", "idx766_online_share")]
    assert (online.numerator, online.denominator) == (5, 11)
    assert (online.target, online.status) == (80, "chưa đạt")
    assert values[("TINH", "idx766_on_time")].value == pytest.approx(800 / 12)
    assert values[("SNV", "idx766_reuse")].value == pytest.approx(200 / 7)
    assert built.content.indicator_names["idx766_on_time"].startswith("Chỉ số 766")
    points = {p.group: p for p in built.content.index766_points}
    for group, expected in GROUPS.items():
        assert points[group].points == pytest.approx(expected), group
    assert points[1].points is None and points[0].points is None
    assert points[0].partial_points == pytest.approx(sum(GROUPS.values()))
    assert built.content.source_disagreements == DISAGREEMENTS
    assert {"kind": "dossiers", "content_hash": stored.content_hash,
            "path": stored.archive_path}.items() <= next(
        i for i in built.inputs if i["kind"] == "dossiers").items()

    folder = write_report(built, tmp_path / "v1", version=1, generated_at=NOW, run_id=None,
                          timezone="Asia/Ho_Chi_Minh")
    document = json.loads((folder / "indicators.json").read_text(encoding="utf-8"))
    assert any(v["indicator"] == "idx766_satisfaction" for v in document["indicators"])
    assert [p["group"] for p in document["index766_points"]] == [1, 2, 3, 4, 5, 0]
    assert len(document["source_disagreements"]) == 5
    assert "Sở Tư pháp" in document["source_disagreements"][3]["text"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert stored.content_hash in {i["content_hash"] for i in manifest["inputs"]}
    workbook = load_workbook(folder / "bao-cao-cchc-2025-05.xlsx")
    sheet = workbook["Điểm Chỉ số 766"]
    assert [c.value for c in sheet[1]][:3] == ["Nhóm", "Tên", "Điểm"]
    assert sheet.cell(row=3, column=3).value == pytest.approx(GROUPS[2])
    summary_text = " ".join(str(c.value) for row in workbook["Tổng hợp"].iter_rows()
                            for c in row if c.value is not None)
    assert "Chênh lệch biểu thống kê – dữ liệu hồ sơ" in summary_text
    html = (folder / "bao-cao-cchc-2025-05.html").read_text(encoding="utf-8")
    assert "Điểm Chỉ số 766" in html and "Chỉ số 766, tiêu chí 3.3" in html
    assert "Chênh lệch giữa biểu thống kê và dữ liệu hồ sơ" in html
    word = Document(str(folder / "bao-cao-cchc-2025-05.docx"))
    cells = {cell.text for table in word.tables for row in table.rows for cell in row.cells}
    assert {"Điểm tối đa", "Theo dữ liệu hồ sơ", "không có dòng"} <= cells


def test_a_changed_dossier_file_changes_the_fingerprint(
        workspace: Path, db: Database, registry: Registry, rules766: Index766Config) -> None:
    first = _built(workspace, db, registry, rules766, statistics=None)
    assert first.content.source_disagreements == []  # nothing to compare with
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    changed = workspace / "portal" / "ho-so-2025-05.csv"
    changed.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # K01 gone
    past = (NOW + timedelta(minutes=5)).timestamp()
    os.utime(changed, (past, past))
    folder = DropFolder.portal_exports(workspace)
    for item in folder.pending():
        take_file(item, folder, db, registry, now=NOW + timedelta(hours=1),
                  index766=rules766)
    inputs, portal, rejections = gather_inputs(db, parse_period("2025-05"),
                                               rules=ReportingRules())
    second = build_report(registry, inputs, portal, rejections, index766=rules766)
    assert second.fingerprint != first.fingerprint
    values = {(v.unit, v.indicator): v.denominator for v in second.content.indicators}
    assert values[("TINH", "idx766_online_share")] == 10


def test_given_counts_make_the_same_report_as_reading_the_file(
        workspace: Path, db: Database, registry: Registry, rules766: Index766Config) -> None:
    """The flow passes the cached ``dem-ho-so`` counts: the report must be the one read
    from the file (same content, same fingerprint)."""
    read = _built(workspace, db, registry, rules766, statistics=STATISTICS)
    inputs, portal, rejections = gather_inputs(db, parse_period("2025-05"),
                                               rules=ReportingRules())
    stored = inputs.dossier_file
    assert stored is not None
    counts = count_dossier_file(Path(stored.archive_path), stored.content_hash, WINDOW,
                                known_units(registry), rules766)
    given = build_report(registry, replace(inputs, portal=STATISTICS), portal, rejections,
                         index766=rules766, dossier_counts=counts)
    assert given.content.source_disagreements == DISAGREEMENTS
    assert given.content == read.content
    assert given.fingerprint == read.fingerprint


def test_the_report_from_given_counts_imports_neither_pandas_nor_duckdb() -> None:
    """A rerun reads the counts from Prefect's cache: building the 766 figures from them
    must not pay for pandas or DuckDB (checked in a fresh interpreter)."""
    probe = """
import json, sys
from dataclasses import replace
from datetime import UTC, datetime
from config.index766 import load_index766
from config.registry import load_registry
from config.settings import REGISTRY_DIR
from tasks.indicators.compute import PeriodInputs
from tasks.model.periods import parse_period
from tasks.model.records import StoredDossierFile
from tasks.model.rules import ReportingRules
from tasks.portal.dossier_counts import DossierCounts
from tasks.report.dossier_figures import dossier_figures
units = {u: dict.fromkeys(("on_time", "to_process", "received", "online", "fee_bearing",
         "paid_online", "paper_result", "e_result", "digitised", "reused", "complaints"), 1)
         for u in ("SNV", "STP")}
counts = DossierCounts(units, {"SNV": (1, 1, 1), "STP": (1, 1, 1)})
stored = StoredDossierFile(1, "2025-05", "h", "ho-so-2025-05.csv", "/không/có.csv",
                           datetime(2025, 6, 1, tzinfo=UTC))
inputs = PeriodInputs(parse_period("2025-05"), ReportingRules(), [], [], [], [],
                      dossier_file=stored)
figures = dossier_figures(load_registry(REGISTRY_DIR), inputs, load_index766(REGISTRY_DIR),
                          counts)
print(json.dumps([len(figures.indicators), figures.gaps,
                  sorted(m for m in sys.modules if m.split(".")[0] in ("pandas", "duckdb"))]))
"""
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO,
                          capture_output=True, text=True, check=True)
    indicators, gaps, heavy = json.loads(done.stdout.splitlines()[-1])
    assert indicators == 3 * 7 and gaps == []
    assert heavy == []
