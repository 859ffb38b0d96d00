"""The records that cross between the domain steps and the outside world.

What the connectors hand to the steps (files found in a drop folder, rows read back from
the reporting database, a saved portal answer) and what the steps hand back, as plain
frozen dataclasses: the steps never see a database row or a connector.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from tasks.model.problems import Problem

# --- files found in a drop folder -------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable(name: str) -> str:
    """A file name or path as it may be shown, logged and stored: bytes that are not
    UTF-8 (kept by the OS as surrogates) as ``\\xff``, control characters as ``?``."""
    raw = name.encode("utf-8", "surrogateescape")
    return _CONTROL.sub("?", raw.decode("utf-8", "backslashreplace"))



# a drop folder, as the operator sees it: ``inbox/`` (agencies) or ``portal/`` (exports)
Source = Literal["inbox", "portal"]


@dataclass(frozen=True)
class InboxFile:
    path: Path
    agency_folder: str  # "" for a file dropped outside any agency folder
    name: str  # printable form of the file name (control characters replaced)
    modified_at: datetime  # set by the sender: never used as the arrival time
    is_symlink: bool
    relative_path: str = ""  # inside the drop folder, printable; the key of its sightings
    size: int = 0
    mtime_ns: int = 0
    is_regular: bool = True  # not a FIFO, socket or device (never opened if not)
    seen_at: datetime | None = None  # first sighting in this state, when the listing read it

    @property
    def relative_name(self) -> str:
        return f"{self.agency_folder}/{self.name}" if self.agency_folder else self.name


@dataclass(frozen=True)
class WaitingFile:
    """A file in a drop folder that is still being written (or has not yet been seen
    unchanged long enough): left for a later intake, and shown wherever a report or a run
    says who has sent what, so that it is never mistaken for a unit that sent nothing."""

    source: str  # "inbox" or "portal": the drop folder, as the operator sees it
    agency_folder: str  # "" outside any agency folder (and in portal/)
    relative_name: str  # inside the drop folder, printable: "SNV/bao-cao.xlsx"
    size: int
    modified_at: datetime
    first_seen: datetime
    ready_at: datetime  # when it will be taken if it does not change again

    @property
    def shown_path(self) -> str:
        """``inbox/SNV/bao-cao.xlsx``: where the file is, from the workspace."""
        return f"{self.source}/{self.relative_name}"

    @property
    def unit(self) -> str:
        """The unit the file is for, as far as its folder says: the agency code,
        :data:`PORTAL_UNIT` in ``portal/``, :data:`NO_UNIT` outside any agency folder."""
        if self.source == "portal":
            return PORTAL_UNIT
        return self.agency_folder.upper() or NO_UNIT


PORTAL_UNIT = "CONG-DVC"  # a waiting portal export or dossier file
NO_UNIT = "(ngoài thư mục đơn vị)"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- the intake records -----------------------------------------------------------------


@dataclass(frozen=True)
class FileMeta:
    """Where an input file came from and when."""

    source: str  # "inbox" or "portal"
    agency_folder: str
    file_name: str
    origin_path: str
    content_hash: str
    arrived_at: datetime  # when the collector first saw the file
    collected_at: datetime
    relative_path: str = ""  # inside the drop folder: the key of claims and sightings


@dataclass(frozen=True)
class KnownFile:
    outcome: str  # "accepted" or "rejected"
    period: str | None
    agency_code: str | None
    first_seen: datetime
    current: bool = True  # an accepted submission not superseded by a newer one


@dataclass(frozen=True)
class IntakeClaim:
    """A file whose intake began: ``done`` once its outcome is committed."""

    source: str
    relative_path: str
    content_hash: str
    kept_path: str
    done: bool


# --- a period's stored inputs -------------------------------------------------------------


@dataclass(frozen=True)
class StoredSubmission:
    id: int
    agency_code: str
    period: str
    content_hash: str
    file_name: str
    archive_path: str
    arrived_at: datetime


@dataclass(frozen=True)
class StoredTaskReport:
    agency_code: str
    period: str
    arrived_at: datetime
    task_id: str
    status: str
    progress: float | None
    completed_on: date | None
    result: str | None
    difficulties: str | None


@dataclass(frozen=True)
class StoredMetricReport:
    agency_code: str
    metric_code: str
    value: float


@dataclass(frozen=True)
class StoredRejection:
    source: str
    agency_folder: str
    file_name: str
    content_hash: str
    period: str | None
    arrived_at: datetime
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class StoredPortalFile:
    id: int
    period: str
    content_hash: str
    file_name: str
    archive_path: str
    variant: str


@dataclass(frozen=True)
class StoredDossierFile:
    """The current dossier file of a period, as stored (rows are read from the archive)."""

    id: int
    period: str
    content_hash: str
    file_name: str
    archive_path: str
    first_seen_at: datetime


# --- report versions ----------------------------------------------------------------------


@dataclass(frozen=True)
class Writer:
    """The process writing a claimed report version: its host name and process id."""

    host: str
    pid: int

    def __str__(self) -> str:
        return f"máy {self.host}, tiến trình {self.pid}"


@dataclass(frozen=True)
class ReportVersion:
    id: int
    period: str
    version: int
    fingerprint: str
    run_id: str | None
    created_at: datetime
    path: str
    writer: Writer | None = None  # None: nobody is writing it (written, or given up)
    writer_since: datetime | None = None
    written_at: datetime | None = None  # None: its folder has never been written


@dataclass(frozen=True)
class VersionClaim:
    version: ReportVersion
    created: bool


# --- deliveries to Sở Nội vụ -----------------------------------------------------------------

PENDING, SENT, FAILED = "pending", "sent", "failed"
EMAIL = "email"


@dataclass(frozen=True)
class Delivery:
    id: int
    period: str
    version: int
    channel: str
    recipient: str
    status: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None


# --- a saved answer of the portal's statistics API ------------------------------------------


@dataclass(frozen=True)
class FetchedPage:
    number: int
    file: Path  # the saved body
    records: list[Any]  # the answer's list of unit records, not yet checked


@dataclass(frozen=True)
class PortalSnapshot:
    """One complete fetch of a period: its saved pages and a hash of what was saved."""

    period: str
    start: date
    end: date
    folder: Path
    pages: tuple[FetchedPage, ...]
    content_hash: str
    fetched_at: datetime
    source: str  # the request's address without the page number (no token in it)


# --- a rejected agency file whose receipt may be mailed to the agency -----------------------


@dataclass(frozen=True)
class ReceiptToMail:
    rejection_id: int
    agency_folder: str
    file_name: str
    quarantine_path: str  # the receipt is beside it, as ``<name>.loi.txt``
    arrived_at: datetime
