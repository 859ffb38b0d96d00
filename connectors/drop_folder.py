"""The collection folder agencies drop files into, with its archive and quarantine.

Layout under the workspace::

    inbox/<MÃ ĐƠN VỊ>/<file>            agencies drop files here
    archive/<hh>/<sha256><suffix>       accepted (and duplicate) files, kept by content hash
        <…>.canh-bao.txt beside an accepted file whose figures look odd (its receipt)
    quarantine/<folder>/<stamp>-<hash8>-<safe name>   rejected files, with receipts beside:
        <…>.loi.txt (Vietnamese) and <…>.loi.json

Files are copied to archive or quarantine first; the inbox copy is removed (``remove``)
only after the outcome is committed to the database. Files still being written
(``*.part``, ``*.tmp``, ``~$…``, …) are not listed.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import secrets
import shutil
import stat
import time
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from config.settings import DEFAULT_TIMEZONE
from tasks.model.problems import Problem, Receipt, RejectedInput
from tasks.model.records import InboxFile, Source, printable, sha256_of
from tasks.model.warning_receipt import WARNING_RECEIPT_SUFFIX, WarningReceipt

_DEFAULT_ZONE = ZoneInfo(DEFAULT_TIMEZONE)  # the settings' default, for callers without settings

# Lock files of an open workbook and operating-system clutter; everything else is processed.
_IGNORED_PREFIXES = ("~$", ".~lock.")
_IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
# Files a browser, copy tool or editor is still writing: taken once they have their name.
_IN_PROGRESS_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload")
_LOG = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


# how long a file taken out of the inbox is kept, in case its writer was not done
TAKEN_KEEP = timedelta(hours=24)
MAX_READ_BYTES = 64 * 1024 * 1024  # larger files are refused before they are read
LINK_VI = "tệp là liên kết (symlink), không phải tệp thật; hãy nộp tệp gốc"
HARD_LINK_VI = ("tệp là một liên kết cứng (hard link) tới tệp khác; hãy chép tệp gốc vào "
                "thư mục rồi nộp lại")
NOT_REGULAR_VI = "không phải tệp thông thường (có thể là thư mục đặc biệt hoặc thiết bị)"


def printable_name(name: str) -> str:
    return printable(name)


def safe_name(name: str, limit: int = 80) -> str:
    """A file-system-safe, NFC form of an untrusted file name (no separators, no dots
    at the start, at most ``limit`` characters, keeping the suffix)."""
    clean = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).strip("._") or "tep"
    stem, dot, suffix = clean.rpartition(".")
    if not dot or len(suffix) > 10:
        return clean[:limit]
    return f"{stem[: max(1, limit - len(suffix) - 1)]}.{suffix}"


def in_progress(name: str) -> bool:
    """A name that says the file is still being written or is an editor's lock file."""
    lowered = name.lower()
    return name.startswith(_IGNORED_PREFIXES) or lowered.endswith(_IN_PROGRESS_SUFFIXES)


def _printable_path(path: Path) -> str:
    return printable(path.as_posix())


class DropFolder:
    """A folder files are dropped into; processed files go to archive or quarantine.
    ``source`` names it in the database and in what the operator reads; ``zone`` is the
    time zone a receipt shows its times in (the settings' time zone)."""

    def __init__(self, inbox: Path, archive_dir: Path, quarantine_dir: Path,
                 source: Source, *, zone: tzinfo = _DEFAULT_ZONE) -> None:
        self.source: Source = source
        self.inbox = inbox
        self.archive_dir = archive_dir
        self.quarantine_dir = quarantine_dir
        self.zone = zone

    @classmethod
    def agency_inbox(cls, workspace: Path, *,
                     zone: tzinfo = _DEFAULT_ZONE) -> DropFolder:
        """``inbox/<MÃ ĐƠN VỊ>/``: where agencies drop their submissions."""
        return cls(workspace / "inbox", workspace / "archive", workspace / "quarantine",
                   "inbox", zone=zone)

    @classmethod
    def portal_exports(cls, workspace: Path, *,
                       zone: tzinfo = _DEFAULT_ZONE) -> DropFolder:
        """``portal/``: statistics exported from the public-service portal."""
        return cls(workspace / "portal", workspace / "archive",
                   workspace / "quarantine" / "portal", "portal", zone=zone)

    def ensure(self, agency_codes: list[str] | None = None) -> None:
        """Make the folders, and ``inbox/<code>/`` for each agency. Where something else
        has that name (a file, a link, a dangling link) it is left alone and logged: it is
        listed like any dropped file and refused with a receipt, and the folder is made at
        the next collection."""
        for folder in (self.inbox, self.archive_dir, self.quarantine_dir):
            folder.mkdir(parents=True, exist_ok=True)
        for code in agency_codes or []:
            agency = self.inbox / code
            if agency.is_symlink() or (os.path.lexists(agency) and not agency.is_dir()):
                _LOG.warning("%s không phải là thư mục; được thu nhận như một tệp (bị trả "
                             "lại kèm phiếu báo lỗi), thư mục được tạo lại ở lần sau",
                             _printable_path(agency))
                continue
            agency.mkdir(exist_ok=True)

    def pending(self) -> list[InboxFile]:
        """Files waiting in the inbox (by modification time, then name), without those
        still being written by name (``*.part``, ``~$…``); the collector decides on
        arrival times and settling."""
        if not self.inbox.exists():
            return []
        found: list[InboxFile] = []
        for root, dirs, files in os.walk(self.inbox, followlinks=False):
            dirs.sort()
            root_path = Path(root)
            relative = root_path.relative_to(self.inbox)
            folder = relative.parts[0] if relative.parts else ""
            # a folder that is a link is not walked into: listed as a file, it is refused
            # with a receipt instead of its files being silently left out
            links = [d for d in dirs if (root_path / d).is_symlink()]
            dirs[:] = [d for d in dirs if d not in links]
            for name in sorted(files + links):
                if name in _IGNORED_NAMES:
                    continue
                path = root_path / name
                if in_progress(name):
                    _LOG.info("bỏ qua tệp đang được ghi: %s", _printable_path(path))
                    continue
                try:
                    stat = path.lstat()
                except FileNotFoundError:  # removed between the listing and now
                    continue
                found.append(InboxFile(
                    path=path, agency_folder=folder, name=printable_name(name),
                    modified_at=datetime.fromtimestamp(stat.st_mtime, UTC),
                    is_symlink=path.is_symlink(),
                    relative_path=_printable_path(path.relative_to(self.inbox)),
                    size=stat.st_size, mtime_ns=stat.st_mtime_ns,
                    is_regular=path.is_symlink() or path.is_file(),
                ))
        return sorted(found, key=lambda f: (f.modified_at, f.relative_name))

    def private_copy(self, item: InboxFile, into: Path) -> InboxFile:
        """Read the file's bytes once (``O_NOFOLLOW``: a symlink swapped in after the
        listing is refused) into a private copy ``into/<random>-<safe name>`` (``into`` may
        be shared by many files: no folder is made per file); the hash, the archive copy
        and the parsing all use that copy, so they see the same bytes.

        Raises :class:`RejectedInput` (Vietnamese) for a symlink, a hard link, anything
        but a regular file, or a file larger than :data:`MAX_READ_BYTES`.
        """
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(item.path, flags)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise RejectedInput([Problem(LINK_VI)]) from exc
            raise
        with os.fdopen(fd, "rb") as stream:
            status = os.fstat(stream.fileno())
            if not stat.S_ISREG(status.st_mode):
                raise RejectedInput([Problem(NOT_REGULAR_VI)])
            if status.st_nlink > 1:
                raise RejectedInput([Problem(HARD_LINK_VI)])
            data = stream.read(MAX_READ_BYTES + 1)
        if len(data) > MAX_READ_BYTES:
            raise RejectedInput([Problem(
                f"tệp quá lớn (trên {MAX_READ_BYTES // 1024 // 1024} MB); hãy xoá các trang, "
                "hình ảnh không cần thiết rồi nộp lại")])
        # no control characters in logs; a random prefix keeps copies of equally named
        # files apart (the receipt and quarantine names use ``item.name``, not this one)
        target = into / f"{secrets.token_hex(8)}-{safe_name(item.path.name)}"
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        return replace(item, path=target, is_symlink=False, is_regular=True)

    def archive_target(self, item: InboxFile, content_hash: str) -> Path:
        suffix = "." + safe_name(item.path.suffix.lower().lstrip(".") or "bin", 12)
        return self.archive_dir / content_hash[:2] / f"{content_hash}{suffix}"

    def archive(self, item: InboxFile, content_hash: str) -> Path:
        """Keep a verified copy of the file by its content hash; the inbox copy stays
        until :meth:`remove` (after the outcome is committed)."""
        target = self.archive_target(item, content_hash)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
            shutil.copy2(item.path, partial)
            if sha256_of(partial) != content_hash:
                partial.unlink()
                raise OSError(f"{item.relative_name} đã thay đổi trong khi được lưu trữ")
            partial.replace(target)
        return target

    def keep_warning_receipt(self, kept: Path, receipt: WarningReceipt) -> Path:
        """Write the receipt of an accepted file with odd figures beside its archived copy
        ``kept`` (``<name>.canh-bao.txt``), atomically: a reader never sees half of it,
        and a crash leaves at most a ``.partial`` (never taken for an archived file)."""
        target = kept.with_name(kept.name + WARNING_RECEIPT_SUFFIX)
        partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
        text = replace(receipt, kept_as=kept.name).to_text(self.zone)
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
        return target

    @property
    def taken_dir(self) -> Path:
        """``.taken/<inbox>/`` beside the drop folder: files taken out of it, kept for
        :data:`TAKEN_KEEP` in case their writer was not done (outside the drop folder, so
        no agency can write there)."""
        return self.inbox.parent / ".taken" / self.inbox.name

    def remove(self, item: InboxFile, *, now: datetime) -> bool:
        """Take a processed file out of the inbox (once its outcome is committed).

        A file whose size or modification time changed since it was listed is not taken
        out: its writer was not done, and the file is taken in again once it has settled
        (False is returned). Otherwise the file is moved, not deleted, into
        :attr:`taken_dir`: a writer that still holds it open writes into the moved file,
        and :meth:`recheck_taken` puts such a file back into the inbox.
        """
        try:
            status = item.path.lstat()
        except FileNotFoundError:
            return True
        if (status.st_size, status.st_mtime_ns) != (item.size, item.mtime_ns) \
                and item.mtime_ns:
            _LOG.warning("%s thay đổi trong khi được thu nhận; để lại trong thư mục và thu "
                         "nhận lại khi ghi xong", _printable_path(item.path))
            return False
        held = self.taken_dir / f"{time.time_ns()}-{secrets.token_hex(4)}"
        held.parent.mkdir(parents=True, exist_ok=True)
        record = {"relative_path": item.path.relative_to(self.inbox).as_posix(),
                  "size": status.st_size, "mtime_ns": status.st_mtime_ns,
                  "taken_at": now.isoformat()}
        held.with_suffix(".json").write_text(json.dumps(record, ensure_ascii=False),
                                             encoding="utf-8", errors="surrogateescape")
        try:
            os.rename(item.path, held)
        except OSError as exc:
            held.with_suffix(".json").unlink(missing_ok=True)
            if exc.errno == errno.ENOENT:
                return True
            if exc.errno != errno.EXDEV:
                raise
            item.path.unlink(missing_ok=True)  # another file system: cannot be kept
        return True

    def recheck_taken(self, now: datetime) -> list[str]:
        """Look again at the files taken out of the inbox: one that changed after it was
        taken (its writer went on) is put back into the inbox, under a new name if its old
        one is in use, to be taken in again; one unchanged for :data:`TAKEN_KEEP` is
        deleted. Returns the relative paths put back."""
        if not self.taken_dir.is_dir():
            return []
        restored = []
        for record_path in sorted(self.taken_dir.glob("*.json")):
            held = record_path.with_suffix("")
            try:
                record = json.loads(record_path.read_text(encoding="utf-8",
                                                          errors="surrogateescape"))
                status = held.lstat()
            except (OSError, ValueError):
                if not held.exists():
                    record_path.unlink(missing_ok=True)
                continue
            if (status.st_size, status.st_mtime_ns) != (record["size"], record["mtime_ns"]):
                target = self._free_inbox_path(str(record["relative_path"]))
                target.parent.mkdir(parents=True, exist_ok=True)
                os.rename(held, target)
                record_path.unlink()
                restored.append(_printable_path(target.relative_to(self.inbox)))
            elif now - datetime.fromisoformat(record["taken_at"]) >= TAKEN_KEEP:
                held.unlink(missing_ok=True)
                record_path.unlink()
        return restored

    def _free_inbox_path(self, relative_path: str) -> Path:
        """``relative_path`` in the inbox (never outside it), or a free name beside it."""
        parts = [p for p in Path(relative_path).parts if p not in ("", ".", "..", "/")]
        wanted = self.inbox.joinpath(*parts) if parts else self.inbox / "tep"
        target, number = wanted, 1
        while os.path.lexists(target):
            target = wanted.with_name(f"{wanted.stem}-tiep-{number}{wanted.suffix}")
            number += 1
        return target

    def restore(self, kept: Path, relative_path: str) -> Path:
        """Put a kept copy back into the inbox at ``relative_path`` (start-up repair)."""
        target = self.inbox / relative_path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(kept, target, follow_symlinks=False)
        return target

    def quarantine_target(self, item: InboxFile, receipt: Receipt) -> Path:
        stamp = receipt.received_at.strftime("%Y%m%dT%H%M%S")
        folder = self.quarantine_dir
        if item.agency_folder:
            folder = folder / safe_name(item.agency_folder, 40)
        return folder / f"{stamp}-{receipt.content_hash[:8]}-{safe_name(item.name)}"

    def quarantine(self, item: InboxFile, receipt: Receipt, *, move: bool = False) -> Path:
        """Copy (or, for a file that cannot be read, move) the raw file to quarantine and
        write its receipts beside it."""
        target = self.quarantine_target(item, receipt)
        target.parent.mkdir(parents=True, exist_ok=True)
        if move or not item.is_regular:
            shutil.move(item.path, target)
        else:
            shutil.copy2(item.path, target, follow_symlinks=False)
        kept = replace(receipt, kept_as=target.name)  # its name only: no server folder
        target.with_name(target.name + ".loi.txt").write_text(kept.to_text(self.zone),
                                                              encoding="utf-8")
        target.with_name(target.name + ".loi.json").write_text(
            json.dumps(kept.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")
        return target
