"""The composition root: build every resource a run needs from the settings, once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from prefect.blocks.system import Secret
from pydantic import SecretStr

from config.index766 import INDEX766_FILE, Index766Config, load_index766
from config.portal_api import load_portal_api_config
from config.registry import Registry, load_registry
from config.settings import REGISTRY_DIR, Settings
from connectors.database import Database
from connectors.deliveries import DeliveryLog
from connectors.drop_folder import DropFolder
from connectors.mail import SmtpSender
from connectors.outbox import Outbox
from connectors.workspace_lock import WorkspaceLock
from tasks.delivery.deliver import MailChannel
from tasks.model.rules import ReportingRules

if TYPE_CHECKING:  # requests and urllib3 are imported only when the portal API is set
    from connectors.portal_api import PortalApi


@dataclass(frozen=True)
class Resources:
    settings: Settings
    registry: Registry
    db: Database
    inbox: DropFolder
    portal: DropFolder
    outbox: Outbox
    rules: ReportingRules
    lock: WorkspaceLock
    deliveries: DeliveryLog
    # None: SMTP not configured, the outbox copy is the delivery
    mail: MailChannel[SmtpSender] | None
    portal_api: PortalApi | None = None  # None: the portal API is not configured
    index766: Index766Config | None = None  # dossier columns and 766 points (index766.yaml)

    def today(self) -> date:
        return self.rules.today(self.now())

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)


def build_resources(settings: Settings) -> Resources:
    """Load the registries, open (and migrate) the database and lay out the workspace."""
    rules = ReportingRules.from_settings(settings)
    workspace = settings.workspace
    workspace.mkdir(parents=True, exist_ok=True)
    registry = load_registry(settings.registry_dir)
    db = open_database(settings)
    inbox = DropFolder.agency_inbox(workspace, zone=rules.zone)
    today = rules.today(datetime.now(UTC))
    inbox.ensure([a.code for a in registry.units_valid(today, today)])
    portal = DropFolder.portal_exports(workspace, zone=rules.zone)
    portal.ensure()
    lock = WorkspaceLock(workspace, timeout=settings.lock_timeout_seconds)
    return Resources(settings, registry, db, inbox, portal, Outbox(workspace), rules, lock,
                     DeliveryLog(db), build_mail_channel(settings), build_portal_api(settings),
                     build_index766(settings))


def open_database(settings: Settings) -> Database:
    """The reporting database, migrated, and writable by this account: a read-only one
    stops the run here with :class:`DatabaseNotWritable` (Vietnamese), before any file is
    taken."""
    db = Database.from_url(settings.resolved_database_url)
    db.migrate()
    db.check_writable()
    return db


def check_database(settings: Settings) -> None:
    """:func:`open_database`, for a command to check before it starts Prefect."""
    settings.workspace.mkdir(parents=True, exist_ok=True)
    open_database(settings).dispose()


def build_index766(settings: Settings) -> Index766Config:
    """The 766 rules (dossier columns, points): ``index766.yaml`` of the registry directory,
    or the bundled one when that directory has none (the index is national)."""
    directory = settings.registry_dir
    return load_index766(directory if (directory / INDEX766_FILE).is_file() else REGISTRY_DIR)


def build_mail_channel(settings: Settings) -> MailChannel[SmtpSender] | None:
    """The SMTP channel to Sở Nội vụ, or None when host, sender or recipients are not set.

    The password comes from the Prefect Secret block named by ``smtp_password_block`` when
    set (loaded here, once), else from ``smtp_password``.
    """
    if not (settings.smtp_host and settings.mail_sender and settings.mail_recipients):
        return None
    return MailChannel(_smtp(settings), settings.mail_sender, tuple(settings.mail_recipients))


def build_agency_mail(settings: Settings) -> MailChannel[SmtpSender] | None:
    """The SMTP channel to agencies (reminders, receipts: each message names its agency),
    or None when the SMTP host or the sender is not set."""
    if not (settings.smtp_host and settings.mail_sender):
        return None
    return MailChannel(_smtp(settings), settings.mail_sender, ())


def _smtp(settings: Settings) -> SmtpSender:
    assert settings.smtp_host is not None
    password: str | None = None
    if settings.smtp_password_block:
        block: Secret[str] = Secret.load(settings.smtp_password_block)  # type: ignore[assignment]
        password = str(block.get())
    elif settings.smtp_password is not None:
        password = settings.smtp_password.get_secret_value()
    return SmtpSender(settings.smtp_host, settings.smtp_port, starttls=settings.smtp_starttls,
                      username=settings.smtp_username, password=password,
                      timeout=settings.smtp_timeout)


def build_portal_api(settings: Settings) -> PortalApi | None:
    """The portal API client when ``CCHC_PORTAL_API_URL`` is set; the token comes from the
    settings or, failing that, from the Prefect Secret block they name."""
    if not settings.portal_api_url:
        return None
    from connectors.portal_api import PortalApi

    token = settings.portal_api_token
    if token is None and settings.portal_api_token_block:
        block: Secret[str] = Secret.load(settings.portal_api_token_block)  # type: ignore[assignment]
        token = SecretStr(str(block.get()))
    return PortalApi(settings.portal_api_url, token,
                     load_portal_api_config(settings.portal_api_config),
                     connect_timeout=settings.portal_api_connect_timeout,
                     read_timeout=settings.portal_api_read_timeout,
                     retries=settings.portal_api_retries, backoff=settings.portal_api_backoff,
                     max_retry_after=settings.portal_api_max_retry_after)
