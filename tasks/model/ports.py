"""What the domain steps need of the outside world, as narrow ``typing.Protocol``s.

Each protocol lists only the methods its caller uses; the connectors satisfy them
structurally (no inheritance): ``connectors.database.Database`` is an
:class:`IntakeStore`, :class:`PortalStore`, :class:`PeriodStore` and :class:`ReportStore`;
``connectors.drop_folder.DropFolder`` a :class:`DropBox`; ``connectors.outbox.Outbox`` a
:class:`ReportOutbox`; ``connectors.portal_api.PortalApi`` a :class:`PortalSource`;
``connectors.deliveries.DeliveryLog`` a :class:`DeliveryRecords`;
``connectors.mail.SmtpSender`` a :class:`MailSender`. mypy checks it where the flows pass
a connector to a step.

The errors a connector raises and a step handles (:class:`MailError`,
:class:`PortalApiError`) live here too, so that a step can catch them without importing
the connector.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from config.errors import CchcError
from tasks.model.par_files import Appraisal, SelfAssessment
from tasks.model.portal import DossierFile, PortalExport, PortalUnitStats
from tasks.model.problems import Problem, Receipt
from tasks.model.records import (
    Delivery,
    FileMeta,
    InboxFile,
    IntakeClaim,
    KnownFile,
    PortalSnapshot,
    ReceiptToMail,
    ReportVersion,
    Source,
    StoredDossierFile,
    StoredMetricReport,
    StoredPortalFile,
    StoredRejection,
    StoredSubmission,
    StoredTaskReport,
    VersionClaim,
    Writer,
)
from tasks.model.report import IndicatorValue
from tasks.model.submission import Submission
from tasks.model.trace import FileLines
from tasks.model.warning_receipt import WarningReceipt, WarningReceiptToMail


class ClaimedElsewhere(CchcError):
    """Another collection process began taking in the same inbox file at the same time."""


class MailError(CchcError):
    """The SMTP server could not be reached or refused the message."""


class PortalApiError(CchcError):
    """The portal's figures could not be had; the message is Vietnamese, without secrets."""

    retryable = False


class KnownFiles(Protocol):
    """The intake log as far as recording a portal API answer needs it."""

    def known_file(self, content_hash: str) -> KnownFile | None: ...

    def log_intake(self, meta: FileMeta, outcome: str, detail: str | None = None) -> None: ...


class PortalStore(KnownFiles, Protocol):
    """Where portal figures are stored (an export file or an API answer)."""

    def add_portal_file(self, export: PortalExport, meta: FileMeta,
                        archive_path: str) -> tuple[int, list[int]]: ...


class FigureHistory(Protocol):
    """Reported figures of several months, read for the plausibility checks
    (:mod:`tasks.indicators.plausibility`): the current submissions' metric values and the
    current portal files' unit counts, by period."""

    def metric_reports(self, period: str) -> list[StoredMetricReport]: ...

    def metric_reports_in(self, periods: Sequence[str], agency_code: str | None = None
                          ) -> dict[str, list[StoredMetricReport]]: ...

    def portal_units_in(self, periods: Sequence[str]) -> dict[str, list[PortalUnitStats]]: ...


class IntakeStore(PortalStore, FigureHistory, Protocol):
    """What the intake of one file (and the repair after a crash) needs of the database."""

    def first_seen(self, source: str, relative_path: str, size: int, mtime_ns: int,
                   now: datetime) -> datetime: ...

    def first_seen_all(self, source: str, files: Sequence[tuple[str, int, int]],
                       now: datetime) -> dict[tuple[str, int, int], datetime]: ...

    def forget_sightings_except(self, source: str, present: set[str]) -> None: ...

    def earliest_sightings(self, source: str) -> dict[str, tuple[int, datetime]]: ...

    def claim(self, meta: FileMeta, kept_path: str) -> None:
        """Raises :class:`ClaimedElsewhere` when another run claimed the file just now."""

    def claim_known(self, meta: FileMeta, kept_path: str) -> KnownFile | None:
        """:meth:`known_file` and :meth:`claim` in one commit."""

    def release(self, source: str, relative_path: str) -> None: ...

    def claims(self, source: str) -> list[IntakeClaim]: ...

    def has_intake_event(self, content_hash: str, outcome: str) -> bool: ...

    def known_hashes(self, hashes: Sequence[str]) -> set[str]: ...

    def add_submission(self, submission: Submission, meta: FileMeta,
                       archive_path: str) -> tuple[int, list[int]]: ...

    def resubmit(self, meta: FileMeta) -> tuple[int, list[int]]: ...

    def add_dossier_file(self, dossier: DossierFile, meta: FileMeta,
                         archive_path: str) -> tuple[int, list[int]]: ...

    def add_par_self_assessment(self, assessment: SelfAssessment, meta: FileMeta,
                                archive_path: str) -> tuple[int, list[int]]: ...

    def add_par_appraisal(self, appraisal: Appraisal, meta: FileMeta,
                          archive_path: str) -> tuple[int, list[int]]: ...

    def par_self_claims(self, year: int) -> dict[tuple[str, str], float]: ...

    def add_rejection(self, meta: FileMeta, period: str | None, quarantine_path: str,
                      problems: Sequence[Problem], detail: str | None = None) -> None: ...

    def add_warning_receipt(self, meta: FileMeta, text: str) -> None:
        """Record an accepted file's warning receipt (an intake event ``warned``)."""


class DropBox(Protocol):
    """A collection folder: its waiting files, their archive and quarantine."""

    @property
    def source(self) -> Source: ...

    @property
    def inbox(self) -> Path: ...

    @property
    def archive_dir(self) -> Path: ...

    def pending(self) -> list[InboxFile]: ...

    def private_copy(self, item: InboxFile, into: Path) -> InboxFile: ...

    def archive_target(self, item: InboxFile, content_hash: str) -> Path: ...

    def archive(self, item: InboxFile, content_hash: str) -> Path: ...

    def remove(self, item: InboxFile, *, now: datetime) -> bool:
        """False: the file changed since it was listed and stays to be taken again."""

    def recheck_taken(self, now: datetime) -> list[str]: ...

    def restore(self, kept: Path, relative_path: str) -> Path: ...

    def quarantine_target(self, item: InboxFile, receipt: Receipt) -> Path: ...

    def quarantine(self, item: InboxFile, receipt: Receipt, *, move: bool = False) -> Path: ...

    def keep_warning_receipt(self, kept: Path, receipt: WarningReceipt) -> Path: ...


class PeriodStore(Protocol):
    """A period's stored inputs, read when its report is built."""

    def current_submissions(self, period: str) -> list[StoredSubmission]: ...

    def first_arrivals(self, period: str) -> dict[str, datetime]: ...

    def task_reports_until(self, last_month: str) -> list[StoredTaskReport]: ...

    def metric_reports(self, period: str) -> list[StoredMetricReport]: ...

    def task_reports_of(self, period: str) -> list[StoredTaskReport]: ...

    def rejections_for(self, period: str, since: datetime,
                       until: datetime) -> list[StoredRejection]: ...

    def current_portal(self, period: str
                       ) -> tuple[StoredPortalFile, list[PortalUnitStats]] | None: ...

    def current_dossier_file(self, period: str) -> StoredDossierFile | None: ...


class ReceiptSource(Protocol):
    """Agency files whose receipts may still have to be mailed: rejected ones, and
    accepted ones with odd figures (warning receipts)."""

    def receipts_since(self, since: datetime) -> list[ReceiptToMail]: ...

    def warning_receipts_since(self, since: datetime) -> list[WarningReceiptToMail]: ...


class ReportStore(Protocol):
    """Report versions and the indicator values saved with each."""

    def latest_report_version(self, period: str) -> ReportVersion | None: ...

    def report_version(self, period: str, version: int) -> ReportVersion | None: ...

    def claim_report_version(self, period: str, fingerprint: str, run_id: str | None, *,
                             reports_dir: Path, force: bool = False,
                             writer: Writer | None = None) -> VersionClaim: ...

    def take_over_report_version(self, version: ReportVersion, writer: Writer) -> bool: ...

    def finish_report_version(self, version_id: int, writer: Writer, *,
                              written: bool) -> None: ...

    def save_indicator_values(self, version_id: int,
                              values: Sequence[IndicatorValue]) -> None: ...

    def indicator_values(self, version_id: int) -> list[IndicatorValue]: ...


class ReportOutbox(Protocol):
    """The folder Sở Nội vụ takes published versions from."""

    def folder(self, period: str, version: int) -> Path: ...

    def publish(self, report_dir: Path, period: str, version: int) -> Path: ...


class DeliveryRecords(Protocol):
    """Which version went (or must still go) to whom: a version is mailed once."""

    def record(self, period: str, version: int, channel: str,
               recipients: Sequence[str]) -> None: ...

    def unsent(self, channel: str) -> list[Delivery]: ...

    def for_version(self, period: str, version: int) -> list[Delivery]: ...

    def begin_attempt(self, delivery: Delivery) -> bool: ...

    def mark_sent(self, delivery_id: int, at: datetime) -> None: ...

    def mark_failed(self, delivery_id: int, error: str) -> None: ...


class MailSender(Protocol):
    """Sends one message; raises :class:`MailError` with the server's reason."""

    def send(self, message: EmailMessage, recipients: Sequence[str]) -> None: ...


class PortalSource(Protocol):
    """The portal's statistics API: fetch a period's figures, or read back the last answer
    saved for it (raises :class:`PortalApiError`; ``retryable`` when it was unreachable)."""

    def fetch(self, period: str, start: date, end: date, raw_dir: Path,
              now: datetime) -> PortalSnapshot: ...

    def latest_snapshot(self, raw_dir: Path, period: str) -> PortalSnapshot | None: ...


class TraceStore(Protocol):
    """What ``cchc trace`` reads: a report version, its values, and its input files' rows."""

    def latest_report_version(self, period: str) -> ReportVersion | None: ...

    def report_version(self, period: str, version: int) -> ReportVersion | None: ...

    def indicator_values(self, version_id: int) -> list[IndicatorValue]: ...

    def file_lines(self, content_hash: str) -> FileLines | None: ...
