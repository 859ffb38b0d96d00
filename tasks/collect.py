"""Collecting input files: each is accepted once, recognised as a duplicate, or rejected
with a receipt. Nothing is deleted before a kept copy exists; nothing is stored twice.

The same intake serves agency submissions (``inbox/``) and portal exports (``portal/``).
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from config.registry import Registry
from connectors.database import Database, FileMeta
from connectors.drop_folder import DropFolder, InboxFile, sha256_of
from tasks.periods import PeriodError, parse_period
from tasks.portal_export import PortalExport, read_portal_export
from tasks.receipts import Problem, Receipt, RejectedInput
from tasks.submission import Submission
from tasks.submission_reader import UnreadableFile, read_submission
from tasks.validation import claimed_period, validate_submission

Outcome = Literal["accepted", "duplicate", "rejected"]


@dataclass(frozen=True)
class FileOutcome:
    file: str
    agency_folder: str
    outcome: Outcome
    content_hash: str
    period: str | None = None
    superseded: int = 0
    problems: tuple[Problem, ...] = ()
    kept_at: str = ""


@dataclass(frozen=True)
class CollectSummary:
    accepted: int
    duplicate: int
    superseded: int
    rejected: int
    files: list[FileOutcome] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"accepted": self.accepted, "duplicate": self.duplicate,
                "superseded": self.superseded, "rejected": self.rejected}


def summarize(outcomes: list[FileOutcome]) -> CollectSummary:
    """Counts: accepted files, duplicates, earlier files superseded, rejected files."""
    counts = Counter(o.outcome for o in outcomes)
    return CollectSummary(
        accepted=counts["accepted"], duplicate=counts["duplicate"],
        superseded=sum(o.superseded for o in outcomes), rejected=counts["rejected"],
        files=outcomes,
    )


@dataclass(frozen=True)
class Checked:
    """A file read and validated: its content, or every problem found."""

    content: Submission | PortalExport | None
    problems: tuple[Problem, ...] = ()
    claimed_period: str | None = None  # the period the file names, when it can be read


def _unreadable(exc: Exception) -> str:
    return f"không đọc được tệp ({type(exc).__name__}: {exc})"


def _rejected(message: str) -> Checked:
    return Checked(None, (Problem(message),))


def check_submission(item: InboxFile, registry: Registry, today: date) -> Checked:
    """Read and validate one agency file against its folder (no side effects)."""
    if item.is_symlink:
        return _rejected("tệp là liên kết (symlink), không phải tệp thật; hãy nộp tệp gốc")
    folder = item.agency_folder
    if not folder:
        return _rejected("tệp phải được đặt trong thư mục mang mã đơn vị (inbox/<MÃ ĐƠN VỊ>/)")
    if registry.agency(folder.upper()) is None:
        return _rejected(f"thư mục «{folder}» không phải mã đơn vị trong danh mục; hãy nộp "
                         "vào thư mục mang mã của đơn vị")
    try:
        raw = read_submission(item.path)
    except UnreadableFile as exc:
        return _rejected(str(exc))
    except Exception as exc:
        return _rejected(_unreadable(exc))
    result = validate_submission(raw, registry, today=today, folder_agency=folder)
    if isinstance(result, Submission):
        return Checked(result, (), result.period.label)
    return Checked(None, tuple(result), claimed_period(raw))


def check_portal_export(item: InboxFile, registry: Registry, today: date) -> Checked:
    """Read one portal export and check that its parts add up (no side effects)."""
    if item.is_symlink:
        return _rejected("tệp là liên kết (symlink), không phải tệp thật")
    try:
        export = read_portal_export(item.path, registry)
    except RejectedInput as exc:
        return Checked(None, tuple(exc.problems), _period_in_name(item.name))
    except Exception as exc:
        return _rejected(_unreadable(exc))
    if export.period.start("calendar") > today:
        return _rejected(f"kỳ báo cáo {export.period.label} ở tương lai")
    return Checked(export, (), export.period.label)


def _period_in_name(name: str) -> str | None:
    stem = name.rsplit(".", 1)[0]
    for size in (7, 6):
        for start in range(len(stem) - size + 1):
            try:
                return parse_period(stem[start:start + size]).label
            except PeriodError:
                continue
    return None


def _content_hash(item: InboxFile) -> str:
    if item.is_symlink:
        return hashlib.sha256(b"symlink:" + os.fsencode(os.readlink(item.path))).hexdigest()
    return sha256_of(item.path)


Checker = Callable[[InboxFile, Registry, date], Checked]


def intake(item: InboxFile, folder: DropFolder, db: Database, registry: Registry, *,
           source: str, check: Checker, today: date, now: datetime) -> FileOutcome:
    """Process one dropped file to its end state (archive or quarantine) and record it."""
    content_hash = _content_hash(item)
    meta = FileMeta(source=source, agency_folder=item.agency_folder, file_name=item.name,
                    origin_path=str(item.path), content_hash=content_hash,
                    arrived_at=item.arrived_at, collected_at=now)
    known = db.known_file(content_hash)
    if known is not None and known.outcome == "accepted" and not item.is_symlink:
        kept = folder.archive(item, content_hash)
        db.log_intake(meta, "duplicate", f"trùng nội dung với tệp đã nhận lúc "
                                         f"{known.first_seen:%d/%m/%Y %H:%M}")
        return FileOutcome(item.relative_name, item.agency_folder, "duplicate", content_hash,
                           known.period, kept_at=str(kept))
    checked = check(item, registry, today)
    if checked.content is not None:
        kept = folder.archive(item, content_hash)
        if isinstance(checked.content, Submission):
            superseded = db.add_submission(checked.content, meta, str(kept))[1]
        else:
            superseded = db.add_portal_file(checked.content, meta, str(kept))[1]
        db.log_intake(meta, "accepted",
                      f"thay thế {len(superseded)} tệp trước" if superseded else None)
        return FileOutcome(item.relative_name, item.agency_folder, "accepted", content_hash,
                           checked.claimed_period, superseded=len(superseded),
                           kept_at=str(kept))
    receipt = Receipt(item.name, item.arrived_at, content_hash, checked.problems,
                      item.agency_folder or None)
    kept = folder.quarantine(item, receipt)
    if known is None:
        db.add_rejection(meta, checked.claimed_period, str(kept), checked.problems)
    db.log_intake(meta, "rejected", f"{len(checked.problems)} lỗi")
    return FileOutcome(item.relative_name, item.agency_folder, "rejected", content_hash,
                       checked.claimed_period, problems=checked.problems, kept_at=str(kept))


def collect_submission_file(item: InboxFile, folder: DropFolder, db: Database,
                            registry: Registry, *, today: date, now: datetime) -> FileOutcome:
    return intake(item, folder, db, registry, source="inbox", check=check_submission,
                  today=today, now=now)


def collect_portal_file(item: InboxFile, folder: DropFolder, db: Database,
                        registry: Registry, *, today: date, now: datetime) -> FileOutcome:
    return intake(item, folder, db, registry, source="portal", check=check_portal_export,
                  today=today, now=now)
