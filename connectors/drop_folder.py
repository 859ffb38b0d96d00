"""The collection folder agencies drop files into, with its archive and quarantine.

Layout under the workspace::

    inbox/<MÃ ĐƠN VỊ>/<file>            agencies drop files here
    archive/<hh>/<sha256><suffix>       accepted (and duplicate) files, kept by content hash
    quarantine/<folder>/<stamp>-<hash8>-<safe name>   rejected files, with receipts beside:
        <…>.loi.txt (Vietnamese) and <…>.loi.json

Files are never deleted before a kept copy exists.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from tasks.receipts import Receipt

# Lock files of an open workbook and operating-system clutter; everything else is processed.
_IGNORED_PREFIXES = ("~$", ".~lock.")
_IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class InboxFile:
    path: Path
    agency_folder: str  # "" for a file dropped outside any agency folder
    name: str  # printable form of the file name (control characters replaced)
    arrived_at: datetime
    is_symlink: bool

    @property
    def relative_name(self) -> str:
        return f"{self.agency_folder}/{self.name}" if self.agency_folder else self.name


def printable_name(name: str) -> str:
    return _CONTROL.sub("?", name)


def safe_name(name: str, limit: int = 80) -> str:
    """A file-system-safe, NFC form of an untrusted file name (no separators, no dots
    at the start, at most ``limit`` characters, keeping the suffix)."""
    clean = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).strip("._") or "tep"
    stem, dot, suffix = clean.rpartition(".")
    if not dot or len(suffix) > 10:
        return clean[:limit]
    return f"{stem[: max(1, limit - len(suffix) - 1)]}.{suffix}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class DropFolder:
    """A folder files are dropped into; processed files go to archive or quarantine."""

    def __init__(self, inbox: Path, archive_dir: Path, quarantine_dir: Path) -> None:
        self.inbox = inbox
        self.archive_dir = archive_dir
        self.quarantine_dir = quarantine_dir

    @classmethod
    def agency_inbox(cls, workspace: Path) -> DropFolder:
        """``inbox/<MÃ ĐƠN VỊ>/``: where agencies drop their submissions."""
        return cls(workspace / "inbox", workspace / "archive", workspace / "quarantine")

    @classmethod
    def portal_exports(cls, workspace: Path) -> DropFolder:
        """``portal/``: statistics exported from the public-service portal."""
        return cls(workspace / "portal", workspace / "archive",
                   workspace / "quarantine" / "portal")

    def ensure(self, agency_codes: list[str] | None = None) -> None:
        for folder in (self.inbox, self.archive_dir, self.quarantine_dir):
            folder.mkdir(parents=True, exist_ok=True)
        for code in agency_codes or []:
            (self.inbox / code).mkdir(exist_ok=True)

    def pending(self) -> list[InboxFile]:
        """Files waiting in the inbox, oldest first (by modification time, then name)."""
        if not self.inbox.exists():
            return []
        found: list[InboxFile] = []
        for root, dirs, files in os.walk(self.inbox, followlinks=False):
            dirs.sort()
            root_path = Path(root)
            relative = root_path.relative_to(self.inbox)
            folder = relative.parts[0] if relative.parts else ""
            for name in files:
                if name.startswith(_IGNORED_PREFIXES) or name in _IGNORED_NAMES:
                    continue
                path = root_path / name
                stat = path.lstat()
                found.append(InboxFile(
                    path=path, agency_folder=folder, name=printable_name(name),
                    arrived_at=datetime.fromtimestamp(stat.st_mtime, UTC),
                    is_symlink=path.is_symlink(),
                ))
        return sorted(found, key=lambda f: (f.arrived_at, f.relative_name))

    def archive(self, item: InboxFile, content_hash: str) -> Path:
        """Keep the file by its content hash and take it out of the inbox."""
        suffix = "." + safe_name(item.path.suffix.lower().lstrip(".") or "bin", 12)
        target = self.archive_dir / content_hash[:2] / f"{content_hash}{suffix}"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".partial")
            shutil.copy2(item.path, partial)
            if sha256_of(partial) != content_hash:
                partial.unlink()
                raise OSError(f"{item.relative_name} changed while it was being archived")
            partial.replace(target)
        item.path.unlink()
        return target

    def quarantine(self, item: InboxFile, receipt: Receipt) -> Path:
        """Move the raw file to quarantine and write its receipts beside it."""
        stamp = item.arrived_at.strftime("%Y%m%dT%H%M%S")
        folder = self.quarantine_dir
        if item.agency_folder:
            folder = folder / safe_name(item.agency_folder, 40)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{stamp}-{receipt.content_hash[:8]}-{safe_name(item.path.name)}"
        shutil.move(item.path, target)
        kept = replace(receipt, kept_as=target.name)  # its name only: no server folder
        target.with_name(target.name + ".loi.txt").write_text(kept.to_text(), encoding="utf-8")
        target.with_name(target.name + ".loi.json").write_text(
            json.dumps(kept.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")
        return target
