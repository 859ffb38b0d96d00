"""Collecting the inbox on a real workspace and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from config.registry import Registry
from connectors.database import Database
from connectors.db_schema import IntakeEventRow, MetricReportRow, SubmissionRow, TaskReportRow
from connectors.drop_folder import DropFolder
from tasks.intake import collect
from tasks.intake.collect import CollectSummary, summarize
from tasks.intake.template import TaskEntry
from tasks.intake.validation import validate_submission
from tasks.model.records import InboxFile
from tests.builders import TODAY, take_file, write_submission


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
