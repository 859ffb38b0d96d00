"""Hostile and faulty input, second round (issue 22): cases that held on the day they were
tried and had no test of their own. Real files in a real workspace, real SQLite (and
PostgreSQL when set), the CLI as an agency or operator runs it; nothing is mocked.

The issue names only the 23 cases that did not hold; these are the project's own selection
of cases that do (docs/reliability.md, «what held»).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cli.main import app
from config.registry import Registry
from connectors.database import Database
from connectors.db_schema import SubmissionRow, TaskReportRow
from connectors.drop_folder import DropFolder
from tasks.intake.collect import CollectSummary, summarize
from tasks.intake.template import TaskEntry
from tests import scenario
from tests.builders import take_file, write_submission
from tests.paths import FIXTURES
from tests.tasks.report.test_trace import _publish

FIXTURE = FIXTURES / "csv" / "agency-semicolon-commas.csv"  # SNV's
_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _collect(workspace: Path, db: Database, registry: Registry) -> CollectSummary:
    folder = DropFolder.agency_inbox(workspace)
    folder.ensure()
    now = datetime.now(UTC)
    return summarize([take_file(item, folder, db, registry, now=now)
                      for item in folder.pending()])


def _count(db: Database, model: type) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def _cp1258(text: str) -> bytes:
    """Text as Windows-1258 stores Vietnamese: a base letter (â, ê, ơ … are in the code page)
    followed by a combining tone mark, which is how the old Vietnamese Windows saved CSV."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
            out += (base + "".join(c for c in parts if c in _TONE_MARKS)).encode("cp1258")
    return bytes(out)


def test_an_empty_file_in_each_format_gets_a_receipt_and_the_others_are_taken(
        workspace: Path, db: Database, registry: Registry) -> None:
    inbox = workspace / "inbox"
    (inbox / "SNV").mkdir(parents=True)
    for name in ("rong.xlsx", "rong.csv", "rong.json"):
        (inbox / "SNV" / name).write_bytes(b"")
    write_submission(inbox / "STP" / "tot.xlsx", registry, "STP",
                     entries=[TaskEntry("III.3", "Đang thực hiện", 50)])
    summary = _collect(workspace, db, registry)
    assert summary.counts()["rejected"] == 3 and summary.counts()["accepted"] == 1
    receipts = sorted(p.name for p in (workspace / "quarantine" / "SNV").glob("*.loi.txt"))
    assert [r.split("-", 2)[2] for r in receipts] == [
        "rong.csv.loi.txt", "rong.json.loi.txt", "rong.xlsx.loi.txt"]
    assert list(inbox.rglob("*.*")) == []
    assert [s.agency_code for s in db.current_submissions("2025-05")] == ["STP"]


def test_a_cp1258_csv_is_taken_with_its_vietnamese_text_intact(
        workspace: Path, db: Database, registry: Registry) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    path = workspace / "inbox" / "SNV" / "bao-cao-windows.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(_cp1258(text))
    summary = _collect(workspace, db, registry)
    assert summary.counts()["accepted"] == 1
    with db.engine.connect() as conn:
        results = set(conn.execute(select(TaskReportRow.result)).scalars())
    assert "Đã rà soát, tổng hợp, trình lãnh đạo Sở, chờ ý kiến" in {
        unicodedata.normalize("NFC", r) for r in results if r}


def test_an_agency_code_that_is_a_path_is_refused_and_nothing_lands_outside_quarantine(
        workspace: Path, db: Database, registry: Registry) -> None:
    path = write_submission(workspace / "inbox" / "STP" / "bc.xlsx", registry, "STP",
                            entries=[TaskEntry("III.3", "Đang thực hiện", 50)])
    book = openpyxl.load_workbook(path)
    book["Thông tin"]["B3"] = "../../SNV"
    book.save(path)
    before = {p for p in workspace.parent.rglob("*")}
    summary = _collect(workspace, db, registry)
    [outcome] = summary.files
    assert outcome.outcome == "rejected"
    assert "«../../SNV» không có trong danh mục đơn vị" in outcome.problems[0].message
    new = {p for p in workspace.parent.rglob("*")} - before
    written = {p for p in new if p.is_file() and p.name != "cchc.db"
               and not p.name.startswith("cchc.db")}
    # the quarantine copy and its receipts, and the drop folder's own copy of what it took
    # out of the inbox (kept a day, see test_drop_folder): nothing under another agency's
    # name, nothing archived, nothing outside the workspace
    assert written and all(p.is_relative_to(workspace / "quarantine" / "STP")
                           or p.is_relative_to(workspace / ".taken") for p in written)
    assert not any("SNV" in p.as_posix() for p in new)
    assert _count(db, SubmissionRow) == 0


def test_a_very_hidden_sheet_is_not_read_in_place_of_the_visible_one(
        workspace: Path, db: Database, registry: Registry) -> None:
    path = write_submission(workspace / "inbox" / "SNV" / "bc.xlsx", registry, "SNV",
                            entries=[TaskEntry("IV.1", "Đang thực hiện", 40)])
    book = openpyxl.load_workbook(path)
    hidden = book.create_sheet("Nhiệm vụ cũ")
    hidden.append(["Mã nhiệm vụ", "Tình trạng", "Tiến độ (%)"])
    hidden.append(["IV.1", "Hoàn thành", 100])
    hidden.sheet_state = "veryHidden"
    book.save(path)
    assert _collect(workspace, db, registry).counts()["accepted"] == 1
    with db.engine.connect() as conn:
        rows = conn.execute(select(TaskReportRow.task_id, TaskReportRow.status,
                                   TaskReportRow.progress)).all()
    assert [tuple(r) for r in rows] == [("IV.1", "Đang thực hiện", 40)]


@pytest.mark.parametrize("agency", ["../../etc/cchc", "XYZ"])
def test_a_template_for_an_agency_not_in_the_register_is_one_sentence(
        tmp_path: Path, agency: str) -> None:
    output = tmp_path / "mau.xlsx"
    result = CliRunner().invoke(app, ["template", "--agency", agency, "--period", "2025-05",
                                      "--output", str(output)])
    assert result.exit_code == 2
    assert f"Mã đơn vị «{agency}» không có trong danh mục." in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.rglob("*")) == []


def test_trace_of_a_path_like_unit_or_a_quoted_indicator_is_a_sentence_and_harmless(
        tmp_path: Path, small_registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    monkeypatch.delenv("CCHC_DATABASE_URL", raising=False)
    monkeypatch.setenv("CCHC_REGISTRY_DIR", str(tmp_path / "registry"))
    db = Database.from_url(f"sqlite:///{workspace / 'cchc.db'}")
    db.migrate()
    scenario.build_workspace(workspace, small_registry)
    _publish(workspace, db, small_registry)
    db.dispose()
    runner = CliRunner()
    for unit, indicator in (("../../SNV", "kiem_tra"),
                            ("SNV", "x'; DROP TABLE submissions; --")):
        result = runner.invoke(app, ["trace", "--period", "2025-05", "--unit", unit,
                                     "--indicator", indicator, "--workspace", str(workspace)])
        assert result.exit_code == 1, result.output
        assert "Không truy được nguồn" in result.output and "Traceback" not in result.output
    fine = runner.invoke(app, ["trace", "--period", "2025-05", "--unit", "SNV",
                               "--indicator", "kiem_tra", "--workspace", str(workspace)])
    assert fine.exit_code == 0 and "- snv.xlsx (SNV)" in fine.output


@pytest.fixture
def small_registry(tmp_path: Path) -> Registry:
    return scenario.write_registry(tmp_path / "registry")
