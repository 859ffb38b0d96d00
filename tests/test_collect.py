"""Collecting the inbox on a real workspace and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select

from config.registry import Registry
from connectors.database import Database
from connectors.db_schema import MetricReportRow, SubmissionRow, TaskReportRow
from connectors.drop_folder import DropFolder
from tasks.collect import CollectSummary, collect_submission_file, summarize
from tasks.template import TaskEntry
from tests.builders import TODAY, write_submission


def _collect(workspace: Path, db: Database, registry: Registry,
             today: date = TODAY) -> CollectSummary:
    folder = DropFolder.agency_inbox(workspace)
    folder.ensure()
    now = datetime.now(UTC)
    return summarize([collect_submission_file(item, folder, db, registry, today=today, now=now)
                      for item in folder.pending()])


def _drop(workspace: Path, registry: Registry, folder: str, name: str, agency: str | None = None,
          progress: float = 50, mtime: datetime | None = None) -> Path:
    path = write_submission(workspace / "inbox" / folder / name, registry, agency or folder,
                            entries=[TaskEntry("IV.1" if (agency or folder) == "SNV" else "III.3",
                                               "Đang thực hiện", progress)],
                            metrics={"kiem_tra_cchc": 2})
    if mtime:
        os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


def _count(db: Database, model: type) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def test_accepts_a_valid_file_once(workspace: Path, db: Database, registry: Registry) -> None:
    _drop(workspace, registry, "SNV", "bao-cao.xlsx")
    summary = _collect(workspace, db, registry)
    assert summary.counts() == {"accepted": 1, "duplicate": 0, "superseded": 0, "rejected": 0}
    stored = db.current_submissions("2025-05")
    assert [(s.agency_code, s.file_name) for s in stored] == [("SNV", "bao-cao.xlsx")]
    assert Path(stored[0].archive_path).exists()
    assert Path(stored[0].archive_path).name.startswith(stored[0].content_hash)
    assert not (workspace / "inbox" / "SNV" / "bao-cao.xlsx").exists()
    assert _count(db, TaskReportRow) == 1 and _count(db, MetricReportRow) == 1


def test_same_content_again_is_a_duplicate(workspace: Path, db: Database,
                                           registry: Registry) -> None:
    first = _drop(workspace, registry, "SNV", "a.xlsx")
    content = first.read_bytes()
    _collect(workspace, db, registry)
    (workspace / "inbox" / "SNV" / "a-copy.xlsx").write_bytes(content)
    summary = _collect(workspace, db, registry)
    assert summary.counts() == {"accepted": 0, "duplicate": 1, "superseded": 0, "rejected": 0}
    assert _count(db, SubmissionRow) == 1 and _count(db, TaskReportRow) == 1
    assert not (workspace / "inbox" / "SNV" / "a-copy.xlsx").exists()


def test_resubmission_supersedes_and_both_are_kept(workspace: Path, db: Database,
                                                  registry: Registry) -> None:
    _drop(workspace, registry, "SNV", "v1.xlsx", progress=40,
          mtime=datetime(2025, 5, 16, 8, tzinfo=UTC))
    _collect(workspace, db, registry)
    _drop(workspace, registry, "SNV", "v2.xlsx", progress=70,
          mtime=datetime(2025, 5, 17, 8, tzinfo=UTC))
    summary = _collect(workspace, db, registry)
    assert summary.counts() == {"accepted": 1, "duplicate": 0, "superseded": 1, "rejected": 0}
    current = db.current_submissions("2025-05")
    assert [s.file_name for s in current] == ["v2.xlsx"]
    assert _count(db, SubmissionRow) == 2
    archived = list((workspace / "archive").rglob("*.xlsx"))
    assert len(archived) == 2
    latest = [r for r in db.task_reports_until("2025-05") if r.task_id == "IV.1"]
    assert [r.progress for r in latest] == [70.0]


def test_older_file_arriving_late_does_not_replace_newer(workspace: Path, db: Database,
                                                         registry: Registry) -> None:
    _drop(workspace, registry, "SNV", "new.xlsx", progress=70,
          mtime=datetime(2025, 5, 17, tzinfo=UTC))
    _collect(workspace, db, registry)
    _drop(workspace, registry, "SNV", "old.xlsx", progress=40,
          mtime=datetime(2025, 5, 10, tzinfo=UTC))
    summary = _collect(workspace, db, registry)
    assert summary.superseded == 0
    assert [s.file_name for s in db.current_submissions("2025-05")] == ["new.xlsx"]


def test_wrong_agency_folder_is_rejected_with_receipt(workspace: Path, db: Database,
                                                      registry: Registry) -> None:
    _drop(workspace, registry, "STP", "bc.xlsx", agency="SNV")
    summary = _collect(workspace, db, registry)
    assert summary.counts()["rejected"] == 1
    [outcome] = summary.files
    kept = Path(outcome.kept_at)
    assert kept.exists() and kept.parent == workspace / "quarantine" / "STP"
    text = kept.with_name(kept.name + ".loi.txt").read_text(encoding="utf-8")
    assert "Trang «Thông tin», dòng 3, cột «Mã đơn vị»" in text
    assert "thư mục của STP" in text
    receipt = json.loads(kept.with_name(kept.name + ".loi.json").read_text(encoding="utf-8"))
    assert receipt["problems"][0]["column"] == "Mã đơn vị"
    assert receipt["content_hash"] == outcome.content_hash
    assert _count(db, SubmissionRow) == 0


def test_file_with_many_errors_one_receipt_nothing_stored(workspace: Path, db: Database,
                                                          registry: Registry) -> None:
    write_submission(workspace / "inbox" / "SNV" / "bad.xlsx", registry, "SNV", entries=[
        TaskEntry("IV.1", "Không rõ", 10), TaskEntry("IV.5", "Đang thực hiện", 250),
        TaskEntry("IV.6.b", "Hoàn thành", 100)], metrics={"kiem_tra_cchc": -3})
    summary = _collect(workspace, db, registry)
    [outcome] = summary.files
    assert outcome.outcome == "rejected" and len(outcome.problems) == 4
    receipts = list((workspace / "quarantine").rglob("*.loi.txt"))
    assert len(receipts) == 1
    text = receipts[0].read_text(encoding="utf-8")
    assert "có 4 lỗi" in text
    for column in ("Tình trạng", "Tiến độ (%)", "Ngày hoàn thành", "Giá trị"):
        assert f"cột «{column}»" in text
    assert _count(db, SubmissionRow) == 0
    assert _count(db, TaskReportRow) == 0 and _count(db, MetricReportRow) == 0


def test_hostile_names_and_odd_drops_are_kept(workspace: Path, db: Database,
                                              registry: Registry) -> None:
    inbox = workspace / "inbox"
    (inbox / "SNV").mkdir(parents=True)
    (inbox / "SNV" / "..\n=cmd|' evil.xlsx").write_bytes(b"not a workbook")
    (inbox / "stray.json").write_text("{}", encoding="utf-8")
    (inbox / "KHONGCO").mkdir()
    (inbox / "KHONGCO" / "bc.csv").write_text("x", encoding="utf-8")
    (inbox / "SNV" / "link.xlsx").symlink_to("/etc/hostname")
    summary = _collect(workspace, db, registry)
    assert summary.counts()["rejected"] == 4
    for outcome in summary.files:
        kept = Path(outcome.kept_at)
        assert kept.is_relative_to(workspace / "quarantine")
        assert kept.exists() or kept.is_symlink()
        assert "\n" not in kept.name and not kept.name.startswith(".")
        assert kept.with_name(kept.name + ".loi.txt").exists()
    assert list(inbox.rglob("*.*")) == []


def test_rejected_file_fixed_and_resubmitted(workspace: Path, db: Database,
                                             registry: Registry) -> None:
    _drop(workspace, registry, "SNV", "bc.xlsx", progress=400)
    assert _collect(workspace, db, registry).rejected == 1
    _drop(workspace, registry, "SNV", "bc.xlsx", progress=40)
    assert _collect(workspace, db, registry).accepted == 1
    assert len(db.current_submissions("2025-05")) == 1
    rejections = db.rejections_for("2025-05", datetime(2025, 1, 1, tzinfo=UTC),
                                   datetime(2026, 1, 1, tzinfo=UTC))
    assert [r.file_name for r in rejections] == ["bc.xlsx"]
