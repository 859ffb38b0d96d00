"""Collecting one inbox file: accept it once, recognise a duplicate, or reject it with a
receipt. Nothing is deleted before a kept copy exists; nothing is stored twice."""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from config.registry import Registry
from connectors.database import Database, FileMeta
from connectors.drop_folder import DropFolder, InboxFile, sha256_of
from tasks.receipts import Problem, Receipt
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
    counts = Counter(o.outcome for o in outcomes)
    return CollectSummary(
        accepted=counts["accepted"], duplicate=counts["duplicate"],
        superseded=sum(o.superseded for o in outcomes), rejected=counts["rejected"],
        files=outcomes,
    )


def _content_hash(item: InboxFile) -> str:
    if item.is_symlink:
        return hashlib.sha256(b"symlink:" + os.fsencode(os.readlink(item.path))).hexdigest()
    return sha256_of(item.path)


@dataclass(frozen=True)
class Checked:
    """The outcome of reading and validating a file: a submission or its problems."""

    submission: Submission | None
    problems: tuple[Problem, ...] = ()
    claimed_period: str | None = None  # the period the file names, when it can be read


def check_file(item: InboxFile, registry: Registry, today: date) -> Checked:
    """Read and validate one inbox file against its folder (no side effects)."""
    if item.is_symlink:
        return Checked(None, (Problem("tệp là liên kết (symlink), không phải tệp thật; "
                                      "hãy nộp tệp gốc"),))
    folder = item.agency_folder
    if not folder:
        return Checked(None, (Problem("tệp phải được đặt trong thư mục mang mã đơn vị "
                                      "(inbox/<MÃ ĐƠN VỊ>/)"),))
    if registry.agency(folder.upper()) is None:
        return Checked(None, (Problem(f"thư mục «{folder}» không phải mã đơn vị trong danh "
                                      "mục; hãy nộp vào thư mục mang mã của đơn vị"),))
    try:
        raw = read_submission(item.path)
    except UnreadableFile as exc:
        return Checked(None, (Problem(str(exc)),))
    result = validate_submission(raw, registry, today=today, folder_agency=folder)
    if isinstance(result, Submission):
        return Checked(result, (), result.period.label)
    return Checked(None, tuple(result), claimed_period(raw))


def collect_file(item: InboxFile, folder: DropFolder, db: Database, registry: Registry,
                 *, today: date, now: datetime) -> FileOutcome:
    """Process one inbox file to its end state (archive or quarantine) and record it."""
    content_hash = _content_hash(item)
    meta = FileMeta(source="inbox", agency_folder=item.agency_folder, file_name=item.name,
                    origin_path=str(item.path), content_hash=content_hash,
                    arrived_at=item.arrived_at, collected_at=now)
    known = db.known_file(content_hash)
    if known is not None and known.outcome == "accepted" and not item.is_symlink:
        kept = folder.archive(item, content_hash)
        db.log_intake(meta, "duplicate", f"trùng nội dung với tệp đã nhận lúc "
                                         f"{known.first_seen:%d/%m/%Y %H:%M}")
        return FileOutcome(item.relative_name, item.agency_folder, "duplicate", content_hash,
                           known.period, kept_at=str(kept))
    checked = check_file(item, registry, today)
    if checked.submission is not None:
        kept = folder.archive(item, content_hash)
        _, superseded = db.add_submission(checked.submission, meta, str(kept))
        db.log_intake(meta, "accepted",
                      f"thay thế {len(superseded)} tệp trước" if superseded else None)
        return FileOutcome(item.relative_name, item.agency_folder, "accepted", content_hash,
                           checked.claimed_period, superseded=len(superseded),
                           kept_at=str(kept))
    receipt = Receipt(item.name, item.arrived_at, content_hash, checked.problems,
                      item.agency_folder)
    kept = folder.quarantine(item, receipt)
    if known is None:
        db.add_rejection(meta, checked.claimed_period, str(kept), checked.problems)
    db.log_intake(meta, "rejected", f"{len(checked.problems)} lỗi")
    return FileOutcome(item.relative_name, item.agency_folder, "rejected", content_hash,
                       checked.claimed_period, problems=checked.problems, kept_at=str(kept))
