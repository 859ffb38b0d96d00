"""Dossier files dropped into ``portal/``: routed by name to the dossier checks, archived
by content hash with their suffix, recorded per period (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
from sqlalchemy import func, select

from config.registry import Registry
from connectors.database import Database
from connectors.db_schema import DossierFileRow, PortalFileRow, RejectionRow
from connectors.drop_folder import DropFolder
from tasks.intake.collect import CollectSummary, is_dossier_name, summarize
from tests.builders import take_file
from tests.paths import FIXTURES

FIXTURE = FIXTURES / "ho-so-2025-05.csv"
TODAY = date(2025, 6, 1)
NOW = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)


def _collect(workspace: Path, db: Database, registry: Registry,
             now: datetime = NOW) -> CollectSummary:
    folder = DropFolder.portal_exports(workspace)
    folder.ensure()
    return summarize([take_file(item, folder, db, registry, now=now)
                      for item in folder.pending()])


def _drop(workspace: Path, name: str, text: str | None = None) -> Path:
    target = workspace / "portal" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if text is None:
        shutil.copy(FIXTURE, target)
    else:
        target.write_text(text, encoding="utf-8")
    past = (NOW - timedelta(hours=1)).timestamp()
    os.utime(target, (past, past))
    return target


def _count(db: Database, model: type) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def test_dossier_names_are_told_from_exports() -> None:
    assert is_dossier_name("ho-so-2025-05.csv") and is_dossier_name("HO-SO-2025-05.Parquet")
    assert not is_dossier_name("thong-ke-2025-05.csv")
    assert not is_dossier_name("ho-so-2025-05.xlsx")


def test_a_dossier_file_is_archived_and_current_for_its_period(
        workspace: Path, db: Database, registry: Registry) -> None:
    _drop(workspace, "ho-so-2025-05.csv")
    summary = _collect(workspace, db, registry)
    assert summary.counts() == {"accepted": 1, "duplicate": 0, "superseded": 0, "rejected": 0,
                                "waiting": 0}
    stored = db.current_dossier_file("2025-05")
    assert stored is not None and stored.file_name == "ho-so-2025-05.csv"
    kept = Path(stored.archive_path)
    assert kept.name == f"{stored.content_hash}.csv" and kept.read_bytes() == FIXTURE.read_bytes()
    assert stored.first_seen_at == NOW
    assert _count(db, PortalFileRow) == 0  # not a statistics export
    assert not (workspace / "portal" / "ho-so-2025-05.csv").exists()
    assert db.known_file(stored.content_hash) is not None


def test_a_newer_file_supersedes_and_the_same_content_is_a_duplicate(
        workspace: Path, db: Database, registry: Registry) -> None:
    _drop(workspace, "ho-so-2025-05.csv")
    _collect(workspace, db, registry)
    first = db.current_dossier_file("2025-05")
    _drop(workspace, "ho-so-2025-05.csv")  # the same bytes again
    assert _collect(workspace, db, registry, NOW + timedelta(hours=1)).duplicate == 1
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    _drop(workspace, "ho-so-2025-05.csv", "\n".join(lines[:-1]) + "\n")  # K01 dropped
    summary = _collect(workspace, db, registry, NOW + timedelta(hours=2))
    assert (summary.accepted, summary.superseded) == (1, 1)
    second = db.current_dossier_file("2025-05")
    assert first is not None and second is not None and second.id != first.id
    with db.engine.connect() as conn:
        rows = conn.execute(select(DossierFileRow.id, DossierFileRow.superseded_by)
                            .order_by(DossierFileRow.id)).all()
    assert [tuple(r) for r in rows] == [(first.id, second.id), (second.id, None)]


def test_parquet_keeps_its_suffix(workspace: Path, db: Database, registry: Registry) -> None:
    target = workspace / "portal" / "ho-so-2025-05.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT * FROM read_csv('{FIXTURE}', all_varchar=true)) "
                    f"TO '{target}' (FORMAT parquet)")
    past = (NOW - timedelta(hours=1)).timestamp()
    os.utime(target, (past, past))
    assert _collect(workspace, db, registry).accepted == 1
    stored = db.current_dossier_file("2025-05")
    assert stored is not None and stored.archive_path.endswith(".parquet")


def test_a_bad_dossier_file_gets_a_receipt_about_its_rows(
        workspace: Path, db: Database, registry: Registry) -> None:
    header = FIXTURE.read_text(encoding="utf-8").splitlines()[0]
    row = "X01,KHONGCO,1.001,2,2025-04-20 08:00:00,2025-04-25 17:00:00,,4,0,0,0,0,0,0,0,0,0"
    _drop(workspace, "ho-so-2025-05.csv", f"{header}\n{row}\n")
    summary = _collect(workspace, db, registry)
    assert summary.rejected == 1
    problems = " ".join(p.message for p in summary.files[0].problems)
    assert "KHONGCO" in problems and "đơn vị" in problems  # the dossier check, not the export's
    assert summary.files[0].period == "2025-05"
    assert db.current_dossier_file("2025-05") is None
    assert _count(db, RejectionRow) == 1
    receipts = list((workspace / "quarantine").rglob("*.loi.txt"))
    assert len(receipts) == 1 and "ho-so-2025-05.csv" in receipts[0].read_text(encoding="utf-8")


def test_a_dossier_file_must_name_a_month(workspace: Path, db: Database,
                                          registry: Registry) -> None:
    _drop(workspace, "ho-so-moi-nhat.csv")
    summary = _collect(workspace, db, registry)
    assert summary.rejected == 1
    assert "ho-so-<năm>-<tháng>" in summary.files[0].problems[0].message
