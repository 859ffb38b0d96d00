"""Collecting the inbox on a real workspace and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import openpyxl
import pytest
from sqlalchemy import func, select

from config.index766 import load_index766
from config.plausibility import load_plausibility
from config.registry import Registry
from config.settings import REGISTRY_DIR
from connectors.database import Database
from connectors.db_schema import (
    DossierFileRow,
    FileSightingRow,
    IntakeClaimRow,
    IntakeEventRow,
    MetricReportRow,
    PortalFileRow,
    RejectionRow,
    SubmissionRow,
    TaskReportRow,
)
from connectors.drop_folder import DropFolder
from tasks.intake import collect
from tasks.intake.collect import (
    CollectSummary,
    Intake,
    check_submission,
    is_dossier_name,
    ready_files,
    repair,
    summarize,
)
from tasks.intake.summaries import collect_markdown, collect_table
from tasks.intake.template import TaskEntry
from tasks.intake.validation import validate_submission
from tasks.model.clock import fixed_clock
from tasks.model.periods import parse_period
from tasks.model.records import FileMeta, InboxFile, sha256_of
from tasks.model.rules import ReportingRules
from tasks.model.submission import MetricLine, Submission, TaskLine
from tasks.sheets.workbook_limits import read_workbook
from tests.builders import TODAY, file_meta, take_file, write_submission
from tests.paths import FIXTURES, REPO


def _collect(workspace: Path, db: Database, registry: Registry,
             today: date = TODAY, now: datetime | None = None) -> CollectSummary:
    folder = DropFolder.agency_inbox(workspace)
    folder.ensure()
    now = now or datetime.now(UTC)
    return summarize([take_file(item, folder, db, registry, now=now)
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
    assert summary.counts() == {"accepted": 1, "duplicate": 0, "superseded": 0, "rejected": 0,
                                "waiting": 0}
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
    assert summary.counts() == {"accepted": 0, "duplicate": 1, "superseded": 0, "rejected": 0,
                                "waiting": 0}
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
    assert summary.counts() == {"accepted": 1, "duplicate": 0, "superseded": 1, "rejected": 0,
                                "waiting": 0}
    current = db.current_submissions("2025-05")
    assert [s.file_name for s in current] == ["v2.xlsx"]
    assert _count(db, SubmissionRow) == 2
    archived = list((workspace / "archive").rglob("*.xlsx"))
    assert len(archived) == 2
    latest = [r for r in db.task_reports_until("2025-05") if r.task_id == "IV.1"]
    assert [r.progress for r in latest] == [70.0]


def test_correction_with_an_old_mtime_replaces_the_earlier_file(
        workspace: Path, db: Database, registry: Registry) -> None:
    # The sender's clock (mtime) says the correction is older; the collector saw it later.
    _drop(workspace, registry, "SNV", "new.xlsx", progress=70,
          mtime=datetime(2025, 5, 17, tzinfo=UTC))
    _collect(workspace, db, registry, now=datetime(2025, 5, 17, 9, tzinfo=UTC))
    _drop(workspace, registry, "SNV", "sua.xlsx", progress=40,
          mtime=datetime(2025, 5, 10, tzinfo=UTC))
    summary = _collect(workspace, db, registry, now=datetime(2025, 5, 18, 9, tzinfo=UTC))
    assert summary.superseded == 1
    [current] = db.current_submissions("2025-05")
    assert current.file_name == "sua.xlsx"
    assert current.arrived_at == datetime(2025, 5, 18, 9, tzinfo=UTC)


def test_arrival_is_when_first_seen_not_the_mtime(workspace: Path, db: Database,
                                                  registry: Registry) -> None:
    # A late file stamped as if sent early is dated when the collector first saw it.
    _drop(workspace, registry, "SNV", "bc.xlsx", mtime=datetime(2025, 5, 1, tzinfo=UTC))
    folder = DropFolder.agency_inbox(workspace)
    first = datetime(2025, 5, 20, 8, tzinfo=UTC)
    # seen once: its old mtime is not enough, its size must be seen again unchanged
    listed = collect.ready_files(folder, db, now=first,
                                 settle=timedelta(seconds=60))
    assert listed == []
    # taken in on a later run: still dated at the first sighting
    _collect(workspace, db, registry, now=first + timedelta(hours=2))
    [current] = db.current_submissions("2025-05")
    assert current.arrived_at == first


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


def _set_period(path: Path, value: str) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Thông tin"]
    for row in sheet.iter_rows():
        if row[0].value == "Kỳ báo cáo":
            row[1].value = value
    book.save(path)


def test_period_0000_is_rejected_and_the_run_goes_on(workspace: Path, db: Database,
                                                     registry: Registry) -> None:
    bad = _drop(workspace, registry, "SNV", "nam-0.xlsx",
                mtime=datetime(2025, 5, 10, tzinfo=UTC))
    _set_period(bad, "0000")
    os.utime(bad, (datetime(2025, 5, 10, tzinfo=UTC).timestamp(),) * 2)
    _drop(workspace, registry, "STP", "tot.xlsx", mtime=datetime(2025, 5, 11, tzinfo=UTC))
    summary = _collect(workspace, db, registry)
    assert summary.counts() == {"accepted": 1, "duplicate": 0, "superseded": 0, "rejected": 1,
                                "waiting": 0}
    rejected = next(f for f in summary.files if f.outcome == "rejected")
    text = Path(rejected.kept_at + ".loi.txt").read_text(encoding="utf-8")
    assert "năm phải từ 2000 đến 2100" in text
    assert list((workspace / "inbox").rglob("*.xlsx")) == []


def test_any_failure_quarantines_the_file_with_a_receipt(
        workspace: Path, db: Database, registry: Registry, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    _drop(workspace, registry, "SNV", "hong.xlsx", mtime=datetime(2025, 5, 10, tzinfo=UTC))
    _drop(workspace, registry, "STP", "tot.xlsx", mtime=datetime(2025, 5, 11, tzinfo=UTC))
    real = validate_submission
    secret = str(workspace / "bi-mat")

    def explode(raw: object, registry: Registry, **kwargs: object) -> object:
        if kwargs.get("folder_agency") == "SNV":
            raise ValueError(f"year 0 is out of range in {secret}")
        return real(raw, registry, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(collect, "validate_submission", explode)
    with caplog.at_level(logging.ERROR, logger="tasks.intake.collect"):
        summary = _collect(workspace, db, registry)
    assert summary.counts() == {"accepted": 1, "duplicate": 0, "superseded": 0, "rejected": 1,
                                "waiting": 0}
    rejected = next(f for f in summary.files if f.outcome == "rejected")
    kept = Path(rejected.kept_at)
    assert kept.is_relative_to(workspace / "quarantine" / "SNV") and kept.exists()
    receipt = kept.with_name(kept.name + ".loi.txt").read_text(encoding="utf-8")
    receipt += kept.with_name(kept.name + ".loi.json").read_text(encoding="utf-8")
    assert "hệ thống không xử lý được tệp này" in receipt
    assert "ValueError" not in receipt and "year 0" not in receipt and secret not in receipt
    assert "year 0 is out of range" in caplog.text  # the detail is in the log
    assert not (workspace / "inbox" / "SNV" / "hong.xlsx").exists()
    rejections = db.rejections_for("2025-05", datetime(2000, 1, 1, tzinfo=UTC),
                                   datetime(2100, 1, 1, tzinfo=UTC))
    assert [r.file_name for r in rejections] == ["hong.xlsx"]


def test_unreadable_file_receipt_has_no_exception_text(
        workspace: Path, db: Database, registry: Registry,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _drop(workspace, registry, "SNV", "khoa.xlsx")

    def locked(path: Path) -> object:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(collect, "read_submission", locked)
    summary = _collect(workspace, db, registry)
    [outcome] = summary.files
    assert outcome.outcome == "rejected"
    [problem] = outcome.problems
    assert problem.message.startswith("không đọc được tệp")
    assert "Permission" not in problem.message and str(workspace) not in problem.message


def test_file_that_vanishes_mid_run_is_logged_and_the_run_goes_on(
        workspace: Path, db: Database, registry: Registry) -> None:
    _drop(workspace, registry, "SNV", "mat.xlsx", mtime=datetime(2025, 5, 10, tzinfo=UTC))
    _drop(workspace, registry, "STP", "tot.xlsx", mtime=datetime(2025, 5, 11, tzinfo=UTC))
    folder = DropFolder.agency_inbox(workspace)
    items = folder.pending()
    items[0].path.unlink()  # the agency takes its file back after the listing
    now = datetime.now(UTC)
    results = [take_file(i, folder, db, registry, now=now)
               for i in items]
    assert results[0] is None
    assert summarize(results).counts()["accepted"] == 1
    with db.engine.connect() as conn:
        events = conn.execute(select(IntakeEventRow.file_name, IntakeEventRow.outcome)
                              .order_by(IntakeEventRow.id)).all()
    assert [tuple(e) for e in events] == [("mat.xlsx", "vanished"), ("tot.xlsx", "accepted")]


def test_acceptance_clears_the_earlier_rejection_of_the_same_content(
        workspace: Path, db: Database, registry: Registry, tmp_path: Path) -> None:
    path = _drop(workspace, registry, "SNV", "bc.xlsx")
    content = path.read_bytes()
    # rejected while the registry lacks SNV; the same bytes are accepted after the fix
    before_fix = registry.model_copy(update={
        "agencies": tuple(a for a in registry.agencies if a.code != "SNV")})
    summary = _collect(workspace, db, before_fix)
    assert summary.rejected == 1
    window = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    assert [r.file_name for r in db.rejections_for("2025-05", *window)] == ["bc.xlsx"]
    (workspace / "inbox" / "SNV" / "bc.xlsx").write_bytes(content)
    assert _collect(workspace, db, registry).accepted == 1
    assert db.rejections_for("2025-05", *window) == []
    assert [s.file_name for s in db.current_submissions("2025-05")] == ["bc.xlsx"]


def test_resending_an_older_file_makes_it_current_again(workspace: Path, db: Database,
                                                       registry: Registry) -> None:
    first = _drop(workspace, registry, "SNV", "v1.xlsx", progress=40)
    v1 = first.read_bytes()
    _collect(workspace, db, registry, now=datetime(2025, 5, 16, tzinfo=UTC))
    _drop(workspace, registry, "SNV", "v2.xlsx", progress=70)
    _collect(workspace, db, registry, now=datetime(2025, 5, 17, tzinfo=UTC))
    assert [s.file_name for s in db.current_submissions("2025-05")] == ["v2.xlsx"]
    (workspace / "inbox" / "SNV" / "v1-lai.xlsx").write_bytes(v1)
    summary = _collect(workspace, db, registry, now=datetime(2025, 5, 18, tzinfo=UTC))
    assert (summary.accepted, summary.duplicate, summary.superseded) == (1, 0, 1)
    [current] = db.current_submissions("2025-05")
    assert current.file_name == "v1-lai.xlsx"
    assert current.arrived_at == datetime(2025, 5, 18, tzinfo=UTC)
    latest = [r for r in db.task_reports_until("2025-05") if r.task_id == "IV.1"]
    assert [r.progress for r in latest] == [40.0]
    assert _count(db, SubmissionRow) == 2
    assert not (workspace / "inbox" / "SNV" / "v1-lai.xlsx").exists()


def test_a_rejected_portal_export_is_filed_under_the_period_its_name_states(
        tmp_path: Path, registry: Registry) -> None:
    # "2025_05" was not read as a period by the intake's old name rule (only by the
    # export reader's): a rejected export was then listed under no period at all.
    path = tmp_path / "so-lieu-cong-dvc-2025_05.csv"
    path.write_text("không phải bảng thống kê\n1,2,3\n", encoding="utf-8")
    item = InboxFile(path, "", path.name, datetime(2025, 6, 2, tzinfo=UTC), False)
    checked = collect.check_portal_export(item, registry, date(2025, 6, 5))
    assert checked.content is None and checked.problems
    assert checked.claimed_period == "2025-05"


def test_each_decision_on_a_file_is_logged(workspace: Path, db: Database, registry: Registry,
                                           caplog: pytest.LogCaptureFixture) -> None:
    bad = _drop(workspace, registry, "SNV", "nam-0.xlsx", mtime=datetime(2025, 5, 10, tzinfo=UTC))
    _set_period(bad, "0000")
    os.utime(bad, (datetime(2025, 5, 10, tzinfo=UTC).timestamp(),) * 2)
    _drop(workspace, registry, "STP", "tot.xlsx", mtime=datetime(2025, 5, 11, tzinfo=UTC))
    with caplog.at_level(logging.INFO, logger="tasks.intake.collect"):
        _collect(workspace, db, registry)
    lines = [r.getMessage() for r in caplog.records if r.name == "tasks.intake.collect"]
    assert any(line.startswith("STP/tot.xlsx: đã nhận (kỳ 2025-05)") for line in lines), lines
    assert any(line.startswith("SNV/nam-0.xlsx: bị từ chối") for line in lines), lines


def test_collection_validates_under_the_configured_rules(workspace: Path, db: Database,
                                                         registry: Registry) -> None:
    """A district's July 2025 file: its last days (15/6-30/6) are in July's window under the
    Ministry's convention, but not under the calendar one (1/7-31/7), where it has closed."""
    from tasks.model.periods import parse_period
    from tasks.model.rules import ReportingRules

    folder = DropFolder.agency_inbox(workspace)
    folder.ensure()
    now = datetime(2025, 8, 20, 3, tzinfo=UTC)
    outcomes = {}
    for convention in ("ministry", "calendar"):
        write_submission(workspace / "inbox" / "UBND-LX" / f"{convention}.xlsx", registry,
                         "UBND-LX", period=parse_period("2025-07"),
                         entries=[TaskEntry("III.3", "Đang thực hiện", 50 if
                                            convention == "ministry" else 60)])
        (item,) = folder.pending()
        outcome = take_file(item, folder, db, registry, now=now,
                                          rules=ReportingRules(convention=convention))
        assert outcome is not None
        outcomes[convention] = outcome
    assert outcomes["ministry"].outcome == "accepted"
    assert outcomes["calendar"].outcome == "rejected"
    assert "không hoạt động trong kỳ 2025-07" in outcomes["calendar"].problems[0].message


# A run that dies between the steps of one file's intake: the next run repairs it.
#
# The crash is simulated by doing the first steps of an intake with the same building
# blocks ``intake`` uses (claim, copy, commit) and stopping there.


T0 = datetime(2025, 5, 16, 8, tzinfo=UTC)


def _drop_snv(workspace: Path, registry: Registry, name: str = "bc.xlsx") -> Path:
    path = write_submission(workspace / "inbox" / "SNV" / name, registry, "SNV",
                            entries=[TaskEntry("IV.1", "Đang thực hiện", 50)])
    old = datetime(2025, 5, 10, tzinfo=UTC).timestamp()
    os.utime(path, (old, old))
    return path


def _run(workspace: Path, db: Database, registry: Registry, now: datetime) -> CollectSummary:
    """What the collect flow does, without Prefect: repair, list, take each file in."""
    folder = DropFolder.agency_inbox(workspace)
    folder.ensure()
    repair(folder, db, now=now)
    return summarize([take_file(i, folder, db, registry, now=now)
                      for i in ready_files(folder, db, now=now,
                                           settle=timedelta(seconds=60))])


def _first_steps(workspace: Path, db: Database, registry: Registry, *,
                 commit: bool) -> tuple[DropFolder, InboxFile, Path]:
    """Claim the file and archive it (and, if ``commit``, record it), then "crash"."""
    folder = DropFolder.agency_inbox(workspace)
    [item] = folder.pending()
    content_hash = sha256_of(item.path)
    arrived = db.first_seen("inbox", item.relative_path, item.size, item.mtime_ns, T0)
    meta = FileMeta("inbox", "SNV", item.name, str(item.path), content_hash, arrived, T0,
                    item.relative_path)
    db.claim(meta, str(folder.archive_target(item, content_hash)))
    kept = folder.archive(item, content_hash)
    if commit:
        checked = check_submission(item, registry, TODAY, ReportingRules())
        assert isinstance(checked.content, Submission)
        db.add_submission(checked.content, meta, str(kept))
    return folder, item, kept


def _events(db: Database) -> list[tuple[str, str]]:
    with db.engine.connect() as conn:
        rows = conn.execute(select(IntakeEventRow.file_name, IntakeEventRow.outcome)
                            .order_by(IntakeEventRow.id)).all()
    return [(r[0], r[1]) for r in rows]


def test_crash_after_archiving_before_commit_is_taken_in_once(
        workspace: Path, db: Database, registry: Registry) -> None:
    _drop_snv(workspace, registry)
    _, item, kept = _first_steps(workspace, db, registry, commit=False)
    # nothing lost: the inbox file is still there, no row yet
    assert item.path.exists() and kept.exists() and _count(db, SubmissionRow) == 0
    summary = _run(workspace, db, registry, T0 + timedelta(minutes=15))
    assert summary.counts() == {"accepted": 1, "duplicate": 0, "superseded": 0, "rejected": 0,
                                "waiting": 0}
    [current] = db.current_submissions("2025-05")
    assert current.arrived_at == T0  # the first sighting, before the crash
    assert not item.path.exists() and _count(db, IntakeClaimRow) == 0


def test_crash_after_commit_before_removing_the_inbox_file(
        workspace: Path, db: Database, registry: Registry) -> None:
    _drop_snv(workspace, registry)
    _, item, _ = _first_steps(workspace, db, registry, commit=True)
    assert item.path.exists() and _count(db, SubmissionRow) == 1
    summary = _run(workspace, db, registry, T0 + timedelta(minutes=15))
    # the repair finished the intake: the file is neither counted again nor a duplicate
    assert summary.counts() == {"accepted": 0, "duplicate": 0, "superseded": 0, "rejected": 0,
                                "waiting": 0}
    assert not item.path.exists()
    assert _events(db) == [("bc.xlsx", "accepted")]
    assert _count(db, SubmissionRow) == 1 and _count(db, IntakeClaimRow) == 0


def test_inbox_file_gone_after_a_crash_is_put_back_from_the_archive(
        workspace: Path, db: Database, registry: Registry) -> None:
    _drop_snv(workspace, registry)
    _, item, kept = _first_steps(workspace, db, registry, commit=False)
    item.path.unlink()  # e.g. the pre-fix order, or an operator cleaning the inbox
    summary = _run(workspace, db, registry, T0 + timedelta(minutes=15))
    assert summary.accepted == 1
    [current] = db.current_submissions("2025-05")
    assert current.content_hash == kept.name.split(".")[0]
    assert ("bc.xlsx", "restored") in _events(db)
    assert not item.path.exists() and _count(db, IntakeClaimRow) == 0


def test_archived_file_without_a_row_is_recorded_once(
        workspace: Path, db: Database, registry: Registry) -> None:
    path = _drop_snv(workspace, registry)
    content_hash = sha256_of(path)
    orphan = workspace / "archive" / content_hash[:2] / f"{content_hash}.xlsx"
    orphan.parent.mkdir(parents=True)
    shutil.move(path, orphan)  # what the old intake left when it died before the commit
    folder = DropFolder.agency_inbox(workspace)
    first = repair(folder, db, now=T0)
    again = repair(folder, db, now=T0 + timedelta(minutes=15))
    assert (first.orphans, again.orphans) == (1, 0)
    assert _events(db) == [(orphan.name, "orphan")]


# The faster intake paths keep what the slower ones did: an accepted file's rows are one
# transaction, sightings are read once a scan, private copies leave nothing behind, and
# workbook styles kept from an earlier file never leak into another file's reading.


def _meta(name: str, content_hash: str) -> FileMeta:
    return FileMeta("inbox", "SNV", name, f"/inbox/SNV/{name}", content_hash, T0, T0,
                    f"SNV/{name}")


def test_a_failure_mid_way_through_an_accepted_file_leaves_no_row(db: Database) -> None:
    """The third task line breaks a NOT NULL column after the submission row and the first
    lines were written: nothing of the file may stay (one transaction, rolled back)."""
    tasks = tuple(TaskLine(f"IV.{n}", "Đang thực hiện", 50.0, None, None, None, n + 5)
                  for n in range(1, 3))
    broken = TaskLine("IV.3", None, 50.0, None, None, None, 8)  # type: ignore[arg-type]
    submission = Submission("SNV", parse_period("2025-05"), (*tasks, broken),
                            (MetricLine("M1", 3.0, None, 5),))
    meta = _meta("bc.xlsx", "a" * 64)
    db.claim(meta, "/archive/aa/x.xlsx")
    with pytest.raises(RuntimeError):  # the store gives up after its retries
        db.add_submission(submission, meta, "/archive/aa/x.xlsx")
    assert (_count(db, SubmissionRow), _count(db, TaskReportRow),
            _count(db, MetricReportRow)) == (0, 0, 0)
    [claim] = db.claims("inbox")
    assert not claim.done  # the repair still sees an unfinished intake


def test_an_accepted_file_stores_every_line_and_supersedes_the_earlier_one(
        db: Database) -> None:
    period = parse_period("2025-05")
    lines = tuple(TaskLine(f"IV.{n}", "Đang thực hiện", float(n), None, f"kết quả {n}", None,
                           n + 5) for n in range(1, 4))
    first, second = _meta("a.xlsx", "a" * 64), _meta("b.xlsx", "b" * 64)
    second = FileMeta(**{**second.__dict__, "arrived_at": T0 + timedelta(hours=1)})
    old_id, _ = db.add_submission(Submission("SNV", period, lines, ()), first, "/a")
    new_id, superseded = db.add_submission(
        Submission("SNV", period, lines[:2], (MetricLine("M1", 1.0, "ghi chú", 9),)),
        second, "/b")
    assert superseded == [old_id]
    [current] = db.current_submissions("2025-05")
    assert (current.id, current.content_hash) == (new_id, "b" * 64)
    assert _count(db, TaskReportRow) == 5 and _count(db, MetricReportRow) == 1
    assert [r.task_id for r in db.task_reports_of("2025-05")] == ["IV.1", "IV.2"]


def test_sightings_are_recorded_once_a_scan_and_kept_for_the_next(
        workspace: Path, db: Database, registry: Registry) -> None:
    for name in ("a.xlsx", "b.xlsx"):
        path = write_submission(workspace / "inbox" / "SNV" / name, registry, "SNV",
                                entries=[TaskEntry("IV.1", "Đang thực hiện", 50)])
        old = datetime(2025, 5, 10, tzinfo=UTC).timestamp()
        os.utime(path, (old, old))
    folder = DropFolder.agency_inbox(workspace)
    folder.ensure()
    first = ready_files(folder, db, now=T0, settle=timedelta(0))
    again = ready_files(folder, db, now=T0 + timedelta(hours=2),
                        settle=timedelta(0))
    assert [i.seen_at for i in first] == [T0, T0] == [i.seen_at for i in again]
    assert _count(db, FileSightingRow) == 2
    outcome = take_file(again[0], folder, db, registry, now=T0 + timedelta(hours=2))
    assert outcome is not None and outcome.outcome == "accepted"
    [stored] = db.current_submissions("2025-05")
    assert stored.arrived_at == T0  # the first sighting, carried by the listing
    assert _count(db, FileSightingRow) == 1 and _count(db, IntakeClaimRow) == 0


def test_private_copies_of_equally_named_files_do_not_meet_and_are_removed(
        workspace: Path, db: Database, registry: Registry) -> None:
    for code in ("SNV", "STP"):
        write_submission(workspace / "inbox" / code / "bao-cao.xlsx", registry, code,
                         entries=[TaskEntry("IV.1", "Đang thực hiện", 50)],
                         metrics={"kiem_tra_cchc": 1})  # STP has no IV.1: not empty
    folder = DropFolder.agency_inbox(workspace)
    folder.ensure()
    items = ready_files(folder, db, now=T0 + timedelta(days=30),
                        settle=timedelta(0))
    outcomes = [take_file(i, folder, db, registry, now=T0 + timedelta(days=30))
                for i in items]
    assert [o.outcome if o else None for o in outcomes] == ["accepted", "accepted"]
    assert list(collect._private_folder().iterdir()) == []


def _percent_book(path: Path, percent: bool) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = 0.5
    if percent:
        sheet["A1"].number_format = "0%"
    book.save(path)
    return path


def test_styles_kept_from_one_workbook_do_not_apply_to_another(tmp_path: Path) -> None:
    with_percent = _percent_book(tmp_path / "a.xlsx", True)
    plain = _percent_book(tmp_path / "b.xlsx", False)
    for path, expected in ((with_percent, {(0, 0)}), (plain, set()),
                           (with_percent, {(0, 0)})):
        [sheet] = read_workbook(path)
        assert set(sheet.percent) == expected


def test_a_forked_child_copies_into_its_own_private_folder() -> None:
    """A child forked after the parent made its folder (a process pool, the crash soak)
    gets another one: a child killed mid-file leaves nothing in the parent's folder."""
    parent = collect._private_folder()
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[str] = context.Queue()
    child = context.Process(target=lambda: queue.put(str(collect._private_folder())))
    child.start()
    child_folder = Path(queue.get(timeout=30))
    child.join(timeout=30)
    assert child.exitcode == 0
    assert child_folder != parent
    assert collect._private_folder() == parent


# Dossier files dropped into ``portal/``: routed by name to the dossier checks, archived
# by content hash with their suffix, recorded per period (SQLite and PostgreSQL).


FIXTURE = FIXTURES / "ho-so-2025-05.csv"
TODAY = date(2025, 6, 1)
NOW = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)


def _collect_portal(workspace: Path, db: Database, registry: Registry,
             now: datetime = NOW) -> CollectSummary:
    folder = DropFolder.portal_exports(workspace)
    folder.ensure()
    return summarize([take_file(item, folder, db, registry, now=now)
                      for item in folder.pending()])


def _drop_dossier(workspace: Path, name: str, text: str | None = None) -> Path:
    target = workspace / "portal" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if text is None:
        shutil.copy(FIXTURE, target)
    else:
        target.write_text(text, encoding="utf-8")
    past = (NOW - timedelta(hours=1)).timestamp()
    os.utime(target, (past, past))
    return target


def test_dossier_names_are_told_from_exports() -> None:
    assert is_dossier_name("ho-so-2025-05.csv") and is_dossier_name("HO-SO-2025-05.Parquet")
    assert not is_dossier_name("thong-ke-2025-05.csv")
    assert not is_dossier_name("ho-so-2025-05.xlsx")


def test_a_dossier_file_is_archived_and_current_for_its_period(
        workspace: Path, db: Database, registry: Registry) -> None:
    _drop_dossier(workspace, "ho-so-2025-05.csv")
    summary = _collect_portal(workspace, db, registry)
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
    _drop_dossier(workspace, "ho-so-2025-05.csv")
    _collect_portal(workspace, db, registry)
    first = db.current_dossier_file("2025-05")
    _drop_dossier(workspace, "ho-so-2025-05.csv")  # the same bytes again
    assert _collect_portal(workspace, db, registry, NOW + timedelta(hours=1)).duplicate == 1
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    _drop_dossier(workspace, "ho-so-2025-05.csv", "\n".join(lines[:-1]) + "\n")  # K01 dropped
    summary = _collect_portal(workspace, db, registry, NOW + timedelta(hours=2))
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
    assert _collect_portal(workspace, db, registry).accepted == 1
    stored = db.current_dossier_file("2025-05")
    assert stored is not None and stored.archive_path.endswith(".parquet")


def test_a_bad_dossier_file_gets_a_receipt_about_its_rows(
        workspace: Path, db: Database, registry: Registry) -> None:
    header = FIXTURE.read_text(encoding="utf-8").splitlines()[0]
    row = "X01,KHONGCO,1.001,2,2025-04-20 08:00:00,2025-04-25 17:00:00,,4,0,0,0,0,0,0,0,0,0"
    _drop_dossier(workspace, "ho-so-2025-05.csv", f"{header}\n{row}\n")
    summary = _collect_portal(workspace, db, registry)
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
    _drop_dossier(workspace, "ho-so-moi-nhat.csv")
    summary = _collect_portal(workspace, db, registry)
    assert summary.rejected == 1
    assert "ho-so-<năm>-<tháng>" in summary.files[0].problems[0].message


# The private copies of dropped files: a process killed mid-intake leaves its folder in
# the temporary directory; the next collecting process removes it (issue 22, point 6).


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


def test_an_odd_figure_is_accepted_with_a_warning_on_its_receipt(
        workspace: Path, db: Database, registry: Registry) -> None:
    """STP's «tin, bài tuyên truyền» of the last 12 months stored, then a file of May with
    250: accepted, and its receipt (the outcome the upload page and the collection's
    summary show) says why 250 looks odd."""
    # 2024-05 … 2025-04: 20 22 18 21 19 20 23 17 20 21 19 22
    # sorted 17 18 19 19 20 20 20 21 21 22 22 23 → median (20 + 20) / 2 = 20
    # |x − 20| sorted 0 0 0 1 1 1 1 2 2 2 3 3 → MAD (1 + 1) / 2 = 1
    # May 250: |250 − 20| / (1.4826 · 1) = 230 / 1.4826 = 155.13 > 3.5; 250 / 20 = 12.5
    months = [parse_period(p) for p in ("2024-05", "2024-06", "2024-07", "2024-08",
                                        "2024-09", "2024-10", "2024-11", "2024-12",
                                        "2025-01", "2025-02", "2025-03", "2025-04")]
    for month, value in zip(months, (20, 22, 18, 21, 19, 20, 23, 17, 20, 21, 19, 22),
                            strict=True):
        arrived = datetime(month.year, month.first_month, 10, tzinfo=UTC) + timedelta(days=30)
        db.add_submission(
            Submission("STP", month, (), (MetricLine("tin_bai_tuyen_truyen", value, None, 5),)),
            file_meta(f"stp-{month.label}.xlsx", hashlib.sha256(month.label.encode()).hexdigest(),
                      arrived, source="inbox", folder="STP"), f"/archive/{month.label}.xlsx")
    write_submission(workspace / "inbox" / "STP" / "stp-2025-05.xlsx", registry, "STP",
                     entries=[TaskEntry("III.3", "Đang thực hiện", 50)],
                     metrics={"tin_bai_tuyen_truyen": 250})
    folder = DropFolder.agency_inbox(workspace)
    intake = Intake(folder, db, registry, rules=ReportingRules(),
                    index766=load_index766(REGISTRY_DIR),
                    clock=fixed_clock(datetime(2025, 6, 1, 3, tzinfo=UTC)),
                    plausibility=load_plausibility(REGISTRY_DIR))
    [item] = folder.pending()
    outcome = intake.take(item)

    assert outcome is not None and outcome.outcome == "accepted"
    assert outcome.warnings == (
        "Số liệu bất thường (cảnh báo, cần kiểm tra lại): STP: Số tin, bài tuyên truyền CCHC "
        "2025-05 = 250, trung vị 12 tháng trước 20 (MAD 1); cao gấp 12,5 lần (điểm z hiệu "
        "chỉnh 155,1 > 3,5)",)
    assert db.metric_reports("2025-05")[0].value == 250  # stored and counted all the same
    summary = summarize([outcome])
    assert collect_table(summary)[0]["Cảnh báo"] == outcome.warnings[0]
    assert "cao gấp 12,5 lần" in collect_markdown(summary, "Thu nhận")
