"""Issue 22, points 4, 5 and 12 (same bytes in two folders): odd things in the drop folder
itself, on a real workspace and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from config.registry import Registry
from connectors.database import Database
from connectors.db_schema import IntakeClaimRow, RejectionRow, SubmissionRow
from connectors.drop_folder import DropFolder
from tasks.intake import collect
from tasks.intake.collect import CollectSummary, repair, summarize
from tests.builders import take_file
from tests.paths import FIXTURES

FIXTURE = FIXTURES / "csv" / "agency-semicolon-commas.csv"  # SNV's
TODAY = date(2025, 5, 20)


def _collect(workspace: Path, db: Database, registry: Registry,
             codes: list[str] | None = None) -> CollectSummary:
    folder = DropFolder.agency_inbox(workspace)
    folder.ensure(codes)
    now = datetime.now(UTC)
    repair(folder, db, now=now)
    return summarize([take_file(item, folder, db, registry, now=now)
                      for item in folder.pending()])


def _receipts(workspace: Path) -> dict[str, str]:
    return {p.relative_to(workspace / "quarantine").as_posix(): p.read_text(encoding="utf-8")
            for p in (workspace / "quarantine").rglob("*.loi.txt")}


def test_an_agency_folder_that_is_a_regular_file_is_refused_not_fatal(
        workspace: Path, db: Database, registry: Registry) -> None:
    (workspace / "inbox").mkdir()
    (workspace / "inbox" / "STP").write_bytes(b"not a folder")
    summary = _collect(workspace, db, registry, ["SNV", "STP"])  # no FileExistsError
    assert summary.counts()["rejected"] == 1
    [(name, text)] = _receipts(workspace).items()
    assert "STP" in name and "thư mục mang mã đơn vị" in text
    # the raw file is kept in quarantine; the next collection makes the folder again
    assert any(p.read_bytes() == b"not a folder" for p in (workspace / "quarantine").rglob("*")
               if p.is_file() and not p.name.endswith((".txt", ".json")))
    _collect(workspace, db, registry, ["SNV", "STP"])
    assert (workspace / "inbox" / "STP").is_dir()


def test_a_dangling_symlink_as_agency_folder_is_refused_not_fatal(
        workspace: Path, db: Database, registry: Registry) -> None:
    (workspace / "inbox").mkdir()
    (workspace / "inbox" / "SNV").symlink_to(workspace / "khong-co")
    summary = _collect(workspace, db, registry, ["SNV", "STP"])
    assert summary.counts()["rejected"] == 1
    [text] = _receipts(workspace).values()
    assert "liên kết (symlink)" in text
    assert not os.path.lexists(workspace / "inbox" / "SNV")
    _collect(workspace, db, registry, ["SNV", "STP"])
    assert (workspace / "inbox" / "SNV").is_dir() and not (workspace / "inbox" / "SNV").is_symlink()


def test_an_agency_folder_linked_elsewhere_gets_a_receipt_and_its_files_stay(
        workspace: Path, db: Database, registry: Registry, tmp_path: Path) -> None:
    elsewhere = tmp_path / "o-dia-khac"
    elsewhere.mkdir()
    shutil.copy(FIXTURE, elsewhere / "bao-cao.csv")
    (workspace / "inbox").mkdir()
    (workspace / "inbox" / "SNV").symlink_to(elsewhere, target_is_directory=True)
    summary = _collect(workspace, db, registry, ["SNV"])
    assert summary.counts()["rejected"] == 1 and summary.counts()["accepted"] == 0
    [text] = _receipts(workspace).values()
    assert "thư mục" in text and "liên kết (symlink)" in text and "inbox/SNV/" in text
    assert (elsewhere / "bao-cao.csv").read_bytes() == FIXTURE.read_bytes()  # not touched


def test_a_file_name_that_is_not_utf8_is_taken_in_with_its_claim_closed(
        workspace: Path, db: Database, registry: Registry) -> None:
    folder = workspace / "inbox" / "SNV"
    folder.mkdir(parents=True)
    raw_name = b"bao-cao-\xff\xfe.csv"
    with open(os.path.join(os.fsencode(folder), raw_name), "wb") as out:
        out.write(FIXTURE.read_bytes())
    summary = _collect(workspace, db, registry, ["SNV"])
    assert summary.counts()["accepted"] == 1, summary.files
    [outcome] = summary.files
    assert outcome.file == "SNV/bao-cao-\\xff\\xfe.csv"  # shown escaped, never raw
    with db.engine.connect() as conn:
        assert conn.execute(select(IntakeClaimRow)).all() == []
        [stored] = conn.execute(select(SubmissionRow.file_name)).scalars().all()
    assert stored == "bao-cao-\\xff\\xfe.csv"
    assert os.listdir(os.fsencode(folder)) == []


def test_a_bad_file_with_a_name_that_is_not_utf8_gets_a_full_receipt(
        workspace: Path, db: Database, registry: Registry) -> None:
    folder = workspace / "inbox" / "SNV"
    folder.mkdir(parents=True)
    with open(os.path.join(os.fsencode(folder), b"h\xf4ng.csv"), "wb") as out:
        out.write(b"Th\xf4ng tin\nkhong phai bao cao\n")
    summary = _collect(workspace, db, registry, ["SNV"])
    assert summary.counts()["rejected"] == 1
    [text] = _receipts(workspace).values()
    assert "Tệp: h\\xf4ng.csv" in text and "Tệp chưa được tiếp nhận vì có" in text
    assert collect._FAILED not in text  # the file was read and checked, not failed
    with db.engine.connect() as conn:
        assert conn.execute(select(IntakeClaimRow)).all() == []
        [problems] = conn.execute(select(RejectionRow.problems)).scalars().all()
    assert json.loads(problems)
    assert list((workspace / "archive").rglob("*.*")) == []  # no orphan archive copy


def test_the_same_bytes_in_another_agency_folder_get_a_receipt(
        workspace: Path, db: Database, registry: Registry) -> None:
    for code in ("SNV", "STP"):
        (workspace / "inbox" / code).mkdir(parents=True)
    shutil.copy(FIXTURE, workspace / "inbox" / "SNV" / "bao-cao.csv")
    assert _collect(workspace, db, registry, ["SNV", "STP"]).counts()["accepted"] == 1
    shutil.copy(FIXTURE, workspace / "inbox" / "STP" / "chep-nham.csv")  # SNV's file
    summary = _collect(workspace, db, registry, ["SNV", "STP"])
    assert (summary.counts()["rejected"], summary.counts()["duplicate"]) == (1, 0)
    [(name, text)] = _receipts(workspace).items()
    assert name.startswith("STP/") and "SNV" in text
    with db.engine.connect() as conn:
        assert conn.execute(select(SubmissionRow.agency_code)).scalars().all() == ["SNV"]
    shutil.copy(FIXTURE, workspace / "inbox" / "SNV" / "gui-lai.csv")  # SNV's own, again
    again = _collect(workspace, db, registry, ["SNV", "STP"])
    assert again.counts()["duplicate"] == 1 and again.counts()["rejected"] == 0
    with db.engine.connect() as conn:
        assert conn.execute(select(SubmissionRow.agency_code)).scalars().all() == ["SNV"]
