"""Collecting input files: each is accepted once, recognised as a duplicate, or rejected
with a receipt. Nothing is deleted before a kept copy exists; nothing is stored twice.

One :class:`Intake` per drop folder: agency submissions (``inbox/``) and portal exports
(``portal/``); in ``portal/``, dossier files (``ho-so-<YYYY-MM>.csv`` or ``.parquet``) are
routed by name to the dossier checks (:func:`check_dossier`). The states a file goes
through, and what finishes each after a crash, are in :class:`Intake`'s docstring. A file
is dated by when the collector first saw it, never by its modification time, and left
alone while it is still being written. Any failure of one file ends as a quarantined file
with a receipt; the run goes on.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar

from config.folding import fold
from config.index766 import Index766Config
from config.par_criteria import ParCriteria
from config.plausibility import PlausibilityConfig
from config.registry import Registry
from tasks.intake.legacy_text import conversion_note
from tasks.intake.par_reader import ParKind, par_file_kind, read_par_file
from tasks.intake.par_validation import (
    claimed_year,
    validate_appraisal,
    validate_self_assessment,
)
from tasks.intake.reader import UnreadableFile, read_submission
from tasks.intake.settling import scan
from tasks.intake.validation import claimed_period, validate_submission
from tasks.model.clock import Clock
from tasks.model.crash_points import crash_point
from tasks.model.par_files import Appraisal, SelfAssessment
from tasks.model.periods import period_in_name
from tasks.model.portal import DossierFile, PortalExport
from tasks.model.ports import ClaimedElsewhere, DropBox, IntakeStore
from tasks.model.problems import (
    Checked,
    Problem,
    Receipt,
    RejectedInput,
    listed_problems,
)
from tasks.model.records import FileMeta, InboxFile, Source, WaitingFile, printable, sha256_of
from tasks.model.rules import ReportingRules
from tasks.model.submission import Submission
from tasks.model.warning_receipt import WarningReceipt
from tasks.portal.dossiers import SUFFIXES as DOSSIER_SUFFIXES
from tasks.portal.dossiers import check_dossier_file
from tasks.portal.export_reader import read_portal_export
from tasks.report.plausibility import month_warnings

Outcome = Literal["accepted", "duplicate", "rejected"]
_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileOutcome:
    file: str
    agency_folder: str
    outcome: Outcome
    content_hash: str
    period: str | None = None
    superseded: int = 0
    problems: tuple[Problem, ...] = ()  # the first ones, then «… và N lỗi khác»
    kept_at: str = ""
    notes: tuple[str, ...] = ()  # e.g. legacy text converted to Unicode, with a sample
    problem_count: int = 0  # every problem found, listed or not (0: as many as listed)
    # an accepted file's figures that look odd against its history and peers: warnings
    # on its receipt, never a reason to reject it (tasks/report/plausibility.py)
    warnings: tuple[str, ...] = ()

    @property
    def total_problems(self) -> int:
        return self.problem_count or len(self.problems)


@dataclass(frozen=True)
class CollectSummary:
    accepted: int
    duplicate: int
    superseded: int
    rejected: int
    files: list[FileOutcome] = field(default_factory=list)
    # files still being written: left for a later intake, never silently
    waiting: list[WaitingFile] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"accepted": self.accepted, "duplicate": self.duplicate,
                "superseded": self.superseded, "rejected": self.rejected,
                "waiting": len(self.waiting)}


def summarize(results: Sequence[FileOutcome | None],
              waiting: Sequence[WaitingFile] = ()) -> CollectSummary:
    """Counts: accepted files, duplicates, earlier files superseded, rejected files
    (``None``: a file that vanished before it could be taken in), and the files left
    waiting because they are still being written."""
    outcomes = [o for o in results if o is not None]
    counts = Counter(o.outcome for o in outcomes)
    return CollectSummary(
        accepted=counts["accepted"], duplicate=counts["duplicate"],
        superseded=sum(o.superseded for o in outcomes), rejected=counts["rejected"],
        files=outcomes, waiting=list(waiting),
    )


@dataclass(frozen=True)
class CheckedFile:
    """A file read and checked: its content, or every problem found; with what the intake
    also records of it."""

    content: Submission | PortalExport | DossierFile | SelfAssessment | Appraisal | None
    problems: tuple[Problem, ...] = ()
    claimed_period: str | None = None  # the period the file names, when it can be read
    notes: tuple[str, ...] = ()  # what the reader changed (legacy text converted …)


_UNREADABLE = ("không đọc được tệp; hãy mở tệp bằng Excel, lưu lại (.xlsx) rồi nộp lại")
_FAILED = ("hệ thống không xử lý được tệp này; hãy kiểm tra tệp mở được bình thường rồi "
           "nộp lại; nếu vẫn bị từ chối, hãy liên hệ Sở Nội vụ kèm biên nhận này")
_NOT_A_FILE = "không phải tệp thông thường (có thể là thư mục đặc biệt hoặc thiết bị)"

R = TypeVar("R")


def _read(item: InboxFile, read: Callable[[Path], R]) -> R:
    """``read`` applied to the file: the reader boundary. A reader raises
    :class:`RejectedInput` for a file it cannot read at all; any other error of a reader
    is logged with its detail and raised as :class:`UnreadableFile` with a plain sentence.
    :meth:`Intake.check` turns either into the file's problems."""
    try:
        return read(item.path)
    except RejectedInput:
        raise
    except Exception as exc:
        _LOG.warning("không đọc được %s: %s: %s", item.relative_name, type(exc).__name__, exc)
        raise UnreadableFile(_UNREADABLE) from exc


def _rejected(message: str) -> CheckedFile:
    return CheckedFile(None, (Problem(message),))


def _not_a_plain_file(item: InboxFile) -> CheckedFile | None:
    """The refusal of a link (to a file, to a folder, or to nothing) or of a special
    file, which are never read; ``None`` for a regular file. The one guard, applied by
    :meth:`Intake.check` before any check reads the file."""
    if item.is_symlink:
        if item.path.is_dir():
            return _rejected(
                f"thư mục «{item.name}» là liên kết (symlink) tới nơi khác, không phải thư "
                "mục thật: các tệp trong đó không được thu nhận; hãy tạo thư mục thật (ví dụ "
                f"inbox/{item.name}/) và nộp tệp vào đó")
        return _rejected("tệp là liên kết (symlink), không phải tệp thật; hãy nộp tệp gốc")
    if not item.is_regular:
        return _rejected(_NOT_A_FILE)
    return None


def check_submission(item: InboxFile, registry: Registry, today: date,
                     rules: ReportingRules) -> CheckedFile:
    """Read and validate one agency file (a regular file) against its folder (no side
    effects), under the settings' reporting rules. Raises :class:`RejectedInput` when
    the file cannot be read at all."""
    folder = item.agency_folder
    if not folder:
        return _rejected("tệp phải được đặt trong thư mục mang mã đơn vị (inbox/<MÃ ĐƠN VỊ>/)")
    if registry.agency(folder.upper()) is None:
        return _rejected(f"thư mục «{folder}» không phải mã đơn vị trong danh mục; hãy nộp "
                         "vào thư mục mang mã của đơn vị")
    raw = _read(item, read_submission)
    checked = validate_submission(raw, registry, today=today, rules=rules,
                                  folder_agency=folder)
    note = conversion_note(raw.conversions)
    notes = (note,) if note else ()
    if checked.value is not None:
        return CheckedFile(checked.value, (), checked.value.period.label, notes)
    return CheckedFile(None, checked.problems, claimed_period(raw), notes)


def check_par_file(item: InboxFile, kind: ParKind, registry: Registry, today: date,
                   criteria: ParCriteria, store: IntakeStore) -> CheckedFile:
    """Read and validate a CCHC index file (a unit's self-assessment, Sở Nội vụ's
    appraisal) against its folder, reading the units' current claims for an appraisal (no
    side effects). Raises :class:`RejectedInput` when the file cannot be read at all."""
    folder = item.agency_folder
    if not folder:
        return _rejected("tệp phải được đặt trong thư mục mang mã đơn vị (inbox/<MÃ ĐƠN VỊ>/)")
    if registry.agency(folder.upper()) is None:
        return _rejected(f"thư mục «{folder}» không phải mã đơn vị trong danh mục; hãy nộp "
                         "vào thư mục mang mã của đơn vị")
    raw = _read(item, lambda path: read_par_file(path, kind))
    checked: Checked[SelfAssessment] | Checked[Appraisal]
    if kind == "self_assessment":
        checked = validate_self_assessment(raw, registry, criteria, today=today,
                                           folder_agency=folder)
    else:
        checked = validate_appraisal(raw, registry, criteria, today=today,
                                     folder_agency=folder, claims_of=store.par_self_claims)
    if checked.value is not None:
        return CheckedFile(checked.value, (), checked.value.period_label)
    return CheckedFile(None, checked.problems, claimed_year(raw))


def check_portal_export(item: InboxFile, registry: Registry, today: date) -> CheckedFile:
    """Read one portal export (a regular file) and check that its parts add up (no side
    effects). Raises :class:`RejectedInput` when the file cannot be read at all."""
    checked = _read(item, lambda path: read_portal_export(path, registry))
    if checked.value is None:
        return CheckedFile(None, checked.problems, _period_named(item))
    export = checked.value
    if export.period.start("calendar") > today:
        return _rejected(f"kỳ báo cáo {export.period.label} ở tương lai")
    return CheckedFile(export, (), export.period.label)


def _period_named(item: InboxFile) -> str | None:
    named = period_in_name(item.name)
    return named.label if named else None


_DOSSIER_PREFIXES = ("ho-so-", "ho_so_", "hoso-", "hoso_")


def is_dossier_name(name: str) -> bool:
    """``ho-so-<YYYY-MM>.csv`` or ``.parquet`` (any case): a dossier file, not an export."""
    folded = fold(name)
    return folded.startswith(_DOSSIER_PREFIXES) and folded.endswith(DOSSIER_SUFFIXES)


def check_dossier(item: InboxFile, registry: Registry, today: date,
                  config: Index766Config) -> CheckedFile:
    """Check one dossier file (name, period, every row's columns) without side effects.

    The period comes from the name (:func:`period_in_name`, the one file-name rule) and
    must be a month; the rows are checked by :func:`check_dossier_file` with DuckDB.
    """
    period = period_in_name(item.name)
    if period is None or period.kind != "month":
        return _rejected("tên tệp hồ sơ phải ghi một tháng: ho-so-<năm>-<tháng>.csv hoặc "
                         ".parquet (ví dụ ho-so-2025-05.csv); hãy đặt lại tên tệp rồi gửi lại")
    if period.start("calendar") > today:
        return CheckedFile(None, (Problem(f"kỳ báo cáo {period.label} ở tương lai"),),
                           period.label)
    problems = check_dossier_file(item.path, {a.code for a in registry.agencies}, config)
    if problems:
        return CheckedFile(None, tuple(problems), period.label)
    return CheckedFile(DossierFile(period), (), period.label)


def _content_hash(item: InboxFile) -> str:
    if item.is_symlink:
        return hashlib.sha256(b"symlink:" + os.fsencode(os.readlink(item.path))).hexdigest()
    if not item.is_regular:
        return hashlib.sha256(b"special:" + os.fsencode(item.path)).hexdigest()
    return sha256_of(item.path)


def ready_files(folder: DropBox, db: IntakeStore, *, now: datetime,
                settle: timedelta) -> list[InboxFile]:
    """The files to take in this run, in order of first sighting (then name): those no
    longer being written (:mod:`tasks.intake.settling`)."""
    return scan(folder, db, now=now, settle=settle).ready


_PRIVATE: dict[int, Path] = {}  # process id -> its folder for private copies
_PRIVATE_PREFIX = "cchc-intake-"


def _private_folder() -> Path:
    """A folder only this process uses (mode 0700), made once: a folder per file costs a
    ``mkdir`` and an ``rmdir`` each, slower than the rest of a small file's intake.
    Keyed by process id: a forked child (a process pool, the crash soak) makes its own,
    so a child killed mid-file never leaves its copy in the parent's folder. Its name
    carries the process id, so that folders left by killed processes are removed when the
    next one is made (:func:`_sweep_private_folders`)."""
    folder = _PRIVATE.get(os.getpid())
    if folder is None or not folder.is_dir():
        _sweep_private_folders()
        folder = Path(tempfile.mkdtemp(prefix=f"{_PRIVATE_PREFIX}{os.getpid()}-"))
        _PRIVATE[os.getpid()] = folder
        atexit.register(shutil.rmtree, folder, True)
    return folder


def _sweep_private_folders() -> None:
    """Remove the private-copy folders of processes that no longer run (killed ones)."""
    for left in Path(tempfile.gettempdir()).glob(f"{_PRIVATE_PREFIX}*"):
        pid = left.name.removeprefix(_PRIVATE_PREFIX).split("-", 1)[0]
        if not pid.isdigit() or not left.is_dir() or left.is_symlink() \
                or left.stat().st_uid != os.getuid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            _LOG.info("xoá thư mục tạm của tiến trình đã dừng: %s", left.name)
            shutil.rmtree(left, ignore_errors=True)
        except (PermissionError, OverflowError):
            continue


# How each kind of accepted content is stored: the store's method for it, returning the
# new row's id and the ids of the earlier files it supersedes.
StoreContent = Callable[[IntakeStore, Any, FileMeta, str], tuple[int, list[int]]]
STORE_BY_CONTENT: dict[type, StoreContent] = {
    Submission: lambda store, content, meta, kept: store.add_submission(content, meta, kept),
    PortalExport: lambda store, content, meta, kept: store.add_portal_file(content, meta, kept),
    DossierFile: lambda store, content, meta, kept: store.add_dossier_file(content, meta, kept),
    SelfAssessment: lambda store, content, meta, kept: store.add_par_self_assessment(
        content, meta, kept),
    Appraisal: lambda store, content, meta, kept: store.add_par_appraisal(content, meta, kept),
}


class Intake:
    """The intake of one drop folder: takes each file dropped there to its end state.

    Bound to its folder (which knows its source, ``inbox`` or ``portal``), the store, the
    registry, the settings' reporting rules and 766 rules, and the clock. A file goes
    through these states, in this order (the order is what makes a crash safe):

    1. **seen**: listed by a scan, its first sighting recorded (:mod:`.settling`);
    2. **settled**: unchanged for the settle time, so ready to take (``Listing.ready``);
    3. **claimed**: its content hash and where its copy will be kept committed in the
       database (:meth:`take` reads the bytes once, into a private copy, first);
    4. **archived**: its copy kept in the archive (accepted, duplicate) or in quarantine
       with a receipt (rejected);
    5. **committed**: its outcome committed (rows, intake event, claim done);
    6. **removed**: the inbox copy removed, then the claim released.

    :meth:`repair`, run before each listing, finishes what a crash left between 3 and 6:
    a committed claim's inbox copy is removed, an uncommitted one's file is taken again
    (put back from its kept copy when the inbox copy is gone).

    A plain class (not a dataclass): Prefect passes it to the per-file task untouched.
    """

    def __init__(self, folder: DropBox, store: IntakeStore, registry: Registry, *,
                 rules: ReportingRules, index766: Index766Config, clock: Clock,
                 plausibility: PlausibilityConfig | None = None,
                 par_criteria: ParCriteria | None = None) -> None:
        self.folder = folder
        self.store = store
        self.registry = registry
        self.rules = rules
        self.index766 = index766
        self.clock = clock
        self.plausibility = plausibility  # None: accepted files are not checked for it
        # the CCHC index's criteria, for self-assessment and appraisal files (none: such a
        # file is refused, no unit being scored)
        self.par_criteria = par_criteria or ParCriteria(sets=())

    @property
    def source(self) -> Source:
        return self.folder.source

    def with_clock(self, clock: Clock) -> Intake:
        """The same intake reading time from ``clock`` (the demo's planned drop times)."""
        return Intake(self.folder, self.store, self.registry, rules=self.rules,
                      index766=self.index766, clock=clock, plausibility=self.plausibility,
                      par_criteria=self.par_criteria)

    def repair(self) -> RepairSummary:
        """Finish what an interrupted run left in this folder (:func:`repair`)."""
        return repair(self.folder, self.store, now=self.clock())

    def check(self, item: InboxFile, today: date) -> CheckedFile:
        """Read and check one file, without side effects: a link or special file is
        refused (never read); then an agency file is validated against its folder (a CCHC
        index self-assessment or appraisal, told by its sheets, by :func:`check_par_file`),
        and a portal file checked as a dossier file (by name) or as an export.

        The one place where a file that cannot be read at all (:class:`RejectedInput`
        from a reader) becomes the file's problems; such a file names no period, but a
        portal export the reader refused is dated by its name."""
        if (refused := _not_a_plain_file(item)) is not None:
            return refused
        try:
            if self.source == "inbox":
                if (kind := par_file_kind(item.path)) is not None:
                    return check_par_file(item, kind, self.registry, today,
                                          self.par_criteria, self.store)
                return check_submission(item, self.registry, today, self.rules)
            if is_dossier_name(item.name):
                return check_dossier(item, self.registry, today, self.index766)
            return check_portal_export(item, self.registry, today)
        except RejectedInput as unreadable:
            named = None if isinstance(unreadable, UnreadableFile) else _period_named(item)
            return CheckedFile(None, tuple(unreadable.problems), named)

    def take(self, item: InboxFile) -> FileOutcome | None:
        """Process one dropped file to its end state (archive or quarantine) and record it.

        Never raises: a failure of any kind quarantines the file with a receipt (the
        detail goes to the log); a file that vanished is logged and ``None`` returned.
        """
        now = self.clock()
        work = item
        try:
            if item.is_regular and not item.is_symlink:
                try:
                    work = self.folder.private_copy(item, _private_folder())
                except RejectedInput as refused:
                    return self._refuse_link(item, refused, now)
            return self._take(item, work, now)
        except ClaimedElsewhere:
            _LOG.info("%s: một lần thu nhận khác đang xử lý tệp này; bỏ qua",
                      item.relative_name)
            return None
        except Exception:
            _LOG.exception("thu nhận tệp %s thất bại", item.relative_name)
            return self._failed(item, now)
        finally:
            if work is not item:
                work.path.unlink(missing_ok=True)

    def _meta(self, item: InboxFile, content_hash: str, now: datetime) -> FileMeta:
        arrived = item.seen_at if item.seen_at is not None else self.store.first_seen(
            self.source, item.relative_path, item.size, item.mtime_ns, now)
        return FileMeta(source=self.source, agency_folder=item.agency_folder,
                        file_name=item.name, origin_path=printable(str(item.path)),
                        content_hash=content_hash, arrived_at=arrived, collected_at=now,
                        relative_path=item.relative_path or item.relative_name)

    def _finish(self, item: InboxFile, meta: FileMeta) -> None:
        """After the outcome is committed: the inbox copy goes (unless it changed since it
        was listed: then it stays, to be taken again once settled), then the claim."""
        self.folder.remove(item, now=meta.collected_at)
        self.store.release(meta.source, meta.relative_path)

    def _refuse_link(self, item: InboxFile, refused: RejectedInput,
                     now: datetime) -> FileOutcome:
        """A link or special file found when the file was opened: quarantined (moved,
        never read through), with a receipt."""
        content_hash = hashlib.sha256(b"link:" + os.fsencode(item.path)
                                      + str(now).encode()).hexdigest()
        meta = self._meta(item, content_hash, now)
        return self._reject(item, item, meta, tuple(refused.problems), None, move=True)

    def _take(self, item: InboxFile, work: InboxFile, now: datetime) -> FileOutcome:
        """``item`` is the inbox file (removed at the end); ``work`` the private copy of its
        bytes, read once, that is hashed, checked and archived."""
        folder, store, inbox = self.folder, self.store, self.source == "inbox"
        content_hash = _content_hash(work)
        meta = self._meta(item, content_hash, now)
        # claimed for the archive at once, with the content looked up in the same commit;
        # a file that is then rejected is claimed again for its quarantine copy
        known = store.claim_known(meta, str(folder.archive_target(work, content_hash)))
        # the same bytes as a file accepted for another agency are checked again: the
        # folder does not match the file's agency, and the sender gets a receipt saying so
        other_agency = (inbox and known is not None
                        and (known.agency_code or "") != item.agency_folder.upper())
        if known is not None and known.outcome == "accepted" and not item.is_symlink \
                and not other_agency:
            kept = folder.archive(work, content_hash)
            if not (inbox and not known.current):
                _LOG.info("%s: trùng nội dung với tệp đã nhận lúc %s (kỳ %s), bỏ qua",
                          item.relative_name, known.first_seen, known.period)
                store.log_intake(meta, "duplicate", f"trùng nội dung với tệp đã nhận lúc "
                                                    f"{known.first_seen:%d/%m/%Y %H:%M}")
                self._finish(item, meta)
                return FileOutcome(item.relative_name, item.agency_folder, "duplicate",
                                   content_hash, known.period, kept_at=str(kept))
            superseded = store.resubmit(meta)[1]
            _LOG.info("%s: gửi lại tệp đã nhận (kỳ %s), lại là bản hiện hành; thay thế %d "
                      "tệp", item.relative_name, known.period, len(superseded))
            self._finish(item, meta)
            return FileOutcome(item.relative_name, item.agency_folder, "accepted",
                               content_hash, known.period, superseded=len(superseded),
                               kept_at=str(kept))
        _LOG.debug("%s: nội dung %s, lần đầu thấy lúc %s", item.relative_name, content_hash,
                   meta.arrived_at)
        checked = self.check(work, self.rules.today(now))
        crash_point("intake.after_parse")
        if checked.content is None:
            return self._reject(item, work, meta, checked.problems, checked.claimed_period,
                                notes=checked.notes)
        crash_point("intake.after_claim")
        kept = folder.archive(work, content_hash)
        crash_point("intake.after_archive")
        store_content = STORE_BY_CONTENT[type(checked.content)]
        superseded = store_content(store, checked.content, meta, str(kept))[1]
        crash_point("intake.after_commit")
        _LOG.info("%s: đã nhận (kỳ %s), thay thế %d tệp trước", item.relative_name,
                  checked.claimed_period, len(superseded))
        warnings = self._odd_figures(checked.content, item.relative_name)
        if warnings:
            self._warning_receipt(meta, kept, checked.claimed_period, warnings)
        self._finish(item, meta)
        return FileOutcome(item.relative_name, item.agency_folder, "accepted", content_hash,
                           checked.claimed_period, superseded=len(superseded),
                           kept_at=str(kept), notes=checked.notes, warnings=warnings)

    def _odd_figures(self, content: object, name: str) -> tuple[str, ...]:
        """An accepted submission's metric values that look odd against the unit's own
        last months and its peers' values of the period, read from the store after the
        file was stored (:func:`month_warnings`). Never fails the intake: the file is
        already accepted, so an error here is logged and leaves no warning."""
        if self.plausibility is None or not isinstance(content, Submission):
            return ()
        try:
            warnings = month_warnings(
                self.store, self.registry, content.period, self.plausibility,
                metrics=self.store.metric_reports(content.period.label),
                only_units=[content.agency_code])
        except Exception:
            _LOG.exception("%s: không kiểm tra được tính hợp lý của số liệu", name)
            return ()
        for warning in warnings:
            _LOG.warning("%s: %s", name, warning)
        return tuple(warnings)

    def _warning_receipt(self, meta: FileMeta, kept: Path, period: str | None,
                         warnings: tuple[str, ...]) -> None:
        """Keep the receipt of an accepted file with odd figures beside its archived copy
        and record it, for the agency's mail and page (:mod:`tasks.model.warning_receipt`).
        Never fails the intake: an error is logged (the warnings still reach the outcome
        and the report's data issues)."""
        receipt = WarningReceipt(meta.file_name, meta.arrived_at, meta.content_hash, period,
                                 warnings, meta.agency_folder or None)
        try:
            written = self.folder.keep_warning_receipt(kept, receipt)
            self.store.add_warning_receipt(meta, written.read_text(encoding="utf-8"))
        except Exception:
            _LOG.exception("%s: không ghi được phiếu cảnh báo số liệu", meta.file_name)

    def _reject(self, item: InboxFile, work: InboxFile, meta: FileMeta,
                problems: tuple[Problem, ...], period: str | None, *, move: bool = False,
                notes: tuple[str, ...] = ()) -> FileOutcome:
        """Quarantine a file with its receipt and record it; the receipt, the database and
        the outcome keep the first problems and the count of the rest
        (:func:`listed_problems`)."""
        receipt = Receipt(item.name, meta.arrived_at, meta.content_hash, problems,
                          item.agency_folder or None, notes=notes)
        listed = listed_problems(problems)
        self.store.claim(meta, str(self.folder.quarantine_target(work, receipt)))
        kept = self.folder.quarantine(work, receipt, move=move)
        self.store.add_rejection(meta, period, str(kept), listed,
                                 detail=f"{len(problems)} lỗi")
        _LOG.info("%s: bị từ chối (kỳ %s), %d lỗi; phiếu báo lỗi ở %s", item.relative_name,
                  period, len(problems), kept)
        for problem in listed:
            _LOG.debug("%s: %s", item.relative_name, problem.line_vi())
        self._finish(item, meta)
        return FileOutcome(item.relative_name, item.agency_folder, "rejected",
                           meta.content_hash, period, problems=listed, kept_at=str(kept),
                           notes=notes, problem_count=len(problems))

    def _failed(self, item: InboxFile, now: datetime) -> FileOutcome | None:
        """Quarantine a file whose intake failed, with a receipt that says what to do."""
        source = self.source
        try:
            if not os.path.lexists(item.path):
                _LOG.warning("tệp %s không còn trong thư mục khi thu nhận", item.relative_name)
                meta = FileMeta(source, item.agency_folder, item.name,
                                printable(str(item.path)), "", now, now,
                                item.relative_path or item.relative_name)
                self.store.log_intake(meta, "vanished", "tệp không còn trong thư mục khi thu "
                                                        "nhận")
                self.store.release(meta.source, meta.relative_path)
                return None
            try:
                content_hash = _content_hash(item)
            except OSError:
                content_hash = hashlib.sha256(b"unreadable:" + os.fsencode(item.path)
                                              + str(now).encode()).hexdigest()
            try:
                meta = self._meta(item, content_hash, now)
            except Exception:
                _LOG.exception("không ghi được thời điểm nhận %s", item.relative_name)
                meta = FileMeta(source, item.agency_folder, item.name,
                                printable(str(item.path)), content_hash, now, now,
                                item.relative_path or item.relative_name)
            return self._reject(item, item, meta, (Problem(_FAILED),), None, move=True)
        except Exception:
            _LOG.exception("không đưa được tệp %s vào khu cách ly", item.relative_name)
            return None


@dataclass(frozen=True)
class RepairSummary:
    resumed: int = 0
    restored: int = 0
    lost: int = 0
    orphans: int = 0


def repair(folder: DropBox, db: IntakeStore, *, now: datetime) -> RepairSummary:
    """Finish what an interrupted run left (run before listing the folder).

    - a claim whose outcome was committed: the inbox copy (if still there) is removed;
    - a claim not committed whose inbox file is still there: left for this run to take in;
    - a claim not committed whose inbox file is gone: the kept copy is put back into the
      inbox, so the file is taken in again;
    - an archived file that no row, claim or rejection knows (left by an older version):
      recorded once as an intake event ``orphan`` for the operator.
    """
    source = folder.source
    resumed = restored = lost = 0
    for claim in db.claims(source):
        inbox_path = folder.inbox / claim.relative_path
        meta = FileMeta(source, Path(claim.relative_path).parts[0]
                        if len(Path(claim.relative_path).parts) > 1 else "",
                        Path(claim.relative_path).name, str(inbox_path), claim.content_hash,
                        now, now)
        if claim.done:
            if (inbox_path.is_file() and not inbox_path.is_symlink() \
                    and sha256_of(inbox_path) == claim.content_hash) or inbox_path.is_symlink():
                inbox_path.unlink()
            db.release(source, claim.relative_path)
            resumed += 1
        elif os.path.lexists(inbox_path):
            resumed += 1  # taken in again by this run
        elif os.path.lexists(claim.kept_path):
            folder.restore(Path(claim.kept_path), claim.relative_path)
            db.log_intake(meta, "restored", "đưa lại vào thư mục nhận sau lần chạy bị ngắt")
            restored += 1
        else:
            db.log_intake(meta, "lost", "tệp không còn cả trong thư mục nhận lẫn nơi lưu")
            db.release(source, claim.relative_path)
            lost += 1
        _LOG.warning("sửa lần thu nhận dở dang: %s", claim.relative_path)
    for relative_path in folder.recheck_taken(now):
        _LOG.warning("%s: được ghi tiếp sau khi đã thu nhận; thu nhận lại", relative_path)
    orphans = _record_orphans(folder, db, now=now)
    return RepairSummary(resumed, restored, lost, orphans)


def _record_orphans(folder: DropBox, db: IntakeStore, *, now: datetime) -> int:
    if not folder.archive_dir.exists():
        return 0
    kept = {p.name.split(".", 1)[0]: p for p in folder.archive_dir.glob("*/*")
            if p.is_file() and not p.name.endswith(".partial")}
    unknown = set(kept) - db.known_hashes(sorted(kept))
    count = 0
    for content_hash in sorted(unknown):
        if db.has_intake_event(content_hash, "orphan"):
            continue
        path = kept[content_hash]
        _LOG.warning("tệp lưu trữ %s không có bản ghi trong cơ sở dữ liệu", path.name)
        db.log_intake(FileMeta(folder.source, "", path.name, str(path), content_hash, now, now),
                      "orphan", "tệp trong kho lưu trữ không có bản ghi; cần kiểm tra")
        count += 1
    return count
