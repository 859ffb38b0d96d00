"""The composition root: build every resource a run or a command needs from the settings,
once, here and nowhere else.

:func:`build_resources` is for flows (it lays out the workspace, opens and migrates the
database and checks it can be written); :class:`ReadOnlyResources` is for the commands
that only read (``validate``, ``template``, ``trace``, ``whatif``, the CLI's period check):
they never create a folder, migrate or write. Both carry the one :data:`Clock` every step
is given (tests and the demo pass their own).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr
from sqlalchemy import make_url

from config.index766 import INDEX766_FILE, Index766Config, load_index766
from config.par_criteria import PAR_INDEX_DIR, ParCriteria, load_par_criteria
from config.plausibility import PLAUSIBILITY_FILE, PlausibilityConfig, load_plausibility
from config.portal_api import load_portal_api_config
from config.registry import Registry, load_registry
from config.settings import REGISTRY_DIR, Settings
from config.tenants import TenantBinding, check_tenant
from connectors.agency_files import AgencyFiles
from connectors.database import Database
from connectors.deliveries import DeliveryLog
from connectors.drop_folder import DropFolder
from connectors.mail import SmtpSender
from connectors.outbox import Outbox
from connectors.web_accounts import WebAccounts
from connectors.workspace_lock import WorkspaceLock
from tasks.delivery.deliver import MailChannel
from tasks.intake.collect import Intake
from tasks.model.clock import Clock, system_clock
from tasks.model.rules import ReportingRules
from tasks.report.letterhead import letterhead_from
from tasks.report.reporting import Reporting

if TYPE_CHECKING:  # requests and urllib3 are imported only when the portal API is set
    from connectors.portal_api import PortalApi


@dataclass(frozen=True)
class Resources:
    """What a flow run works with. Tasks receive the parts they need, never this whole."""

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
    # to agencies (reminders, receipts); None: SMTP host or sender not set
    agency_mail: MailChannel[SmtpSender] | None
    index766: Index766Config  # dossier columns and 766 points (index766.yaml)
    clock: Clock
    inbox_intake: Intake  # takes in what agencies drop into inbox/
    portal_intake: Intake  # takes in the portal's exports and dossier files in portal/
    reporting: Reporting  # makes and writes the reports in reports/ (with the letterhead)
    portal_api: PortalApi | None = None  # None: the portal API is not configured

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """The province's calendar day now."""
        return self.rules.today(self.clock())


def build_resources(settings: Settings, clock: Clock = system_clock) -> Resources:
    """Load the registries, open (and migrate) the database and lay out the workspace."""
    bind_tenant(settings)
    rules = ReportingRules.from_settings(settings)
    workspace = settings.workspace
    workspace.mkdir(parents=True, exist_ok=True)
    registry = load_registry(settings.registry_dir)
    db = open_database(settings)
    inbox = DropFolder.agency_inbox(workspace, zone=rules.zone)
    today = rules.today(clock())
    inbox.ensure([a.code for a in registry.units_valid(today, today)])
    portal = DropFolder.portal_exports(workspace, zone=rules.zone)
    portal.ensure()
    lock = WorkspaceLock(workspace, timeout=settings.lock_timeout_seconds)
    index766 = build_index766(settings)
    plausibility = build_plausibility(settings, registry)
    par_criteria = build_par_criteria(settings)

    def intake(folder: DropFolder) -> Intake:
        return Intake(folder, db, registry, rules=rules, index766=index766, clock=clock,
                      plausibility=plausibility, par_criteria=par_criteria)

    reporting = Reporting(db, registry, rules=rules, index766=index766,
                          reports_dir=workspace / "reports",
                          letterhead=letterhead_from(settings), clock=clock,
                          par_criteria=par_criteria, assessments=db,
                          plausibility=plausibility)
    return Resources(settings, registry, db, inbox, portal, Outbox(workspace), rules, lock,
                     DeliveryLog(db), build_mail_channel(settings), build_agency_mail(settings),
                     index766, clock, intake(inbox), intake(portal), reporting,
                     build_portal_api(settings))


@dataclass(frozen=True)
class WebResources:
    """What the web pages (``cchc web``) work with: a run's resources (the inbox's
    ``Intake``, the workspace lock, the registry, the rules, the clock), the accounts and
    audit log, and each agency's files read back."""

    run: Resources
    accounts: WebAccounts
    agency_files: AgencyFiles


def build_web_resources(settings: Settings, clock: Clock = system_clock) -> WebResources:
    res = build_resources(settings, clock)
    return WebResources(res, WebAccounts(res.db), AgencyFiles(res.db))


def open_accounts(settings: Settings) -> WebAccounts:
    """The web accounts on the reporting database (migrated), for ``cchc users``."""
    settings.workspace.mkdir(parents=True, exist_ok=True)
    return WebAccounts(open_database(settings))


class ReadOnlyResources:
    """What a command that only reads works with: the settings' rules and clock, the
    registry and the 766 rules (each loaded on first use), and the database opened as it
    is (:meth:`database`: never migrated, never written, nothing created)."""

    def __init__(self, settings: Settings, clock: Clock = system_clock) -> None:
        bind_tenant(settings)
        self.settings = settings
        self.rules = ReportingRules.from_settings(settings)
        self.clock = clock

    @cached_property
    def registry(self) -> Registry:
        return load_registry(self.settings.registry_dir)

    @cached_property
    def index766(self) -> Index766Config:
        return build_index766(self.settings)

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """The province's calendar day now."""
        return self.rules.today(self.clock())

    @contextmanager
    def database(self) -> Iterator[Database | None]:
        """The reporting database as it is, closed after the block; ``None`` when no run
        has made it yet or it is not at this release's schema (a reading command never
        migrates: it then has nothing to read)."""
        url = make_url(self.settings.resolved_database_url)
        if url.get_backend_name() == "sqlite" and url.database \
                and not Path(url.database).is_file():
            yield None  # connecting would create the file
            return
        db = Database.from_url(self.settings.resolved_database_url)
        try:
            yield db if db.at_head() else None
        finally:
            db.dispose()


def bind_tenant(settings: Settings) -> None:
    """When this process runs for a province of a shared server (``CCHC_PROVINCE``), refuse
    any workspace, database or deployment that is not that province's (config/tenants.py),
    before anything is opened."""
    from prefect.runtime import deployment

    name = deployment.name if deployment.id else None
    check_tenant(settings, TenantBinding().tenant(), name)


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


def build_par_criteria(settings: Settings) -> ParCriteria:
    """The CCHC index's criteria sets of the registry directory (``par-index/``); none when
    it has no such folder (a registry made for a test, or a province that does not score)."""
    directory = settings.registry_dir
    if not (directory / PAR_INDEX_DIR).is_dir():
        return ParCriteria(sets=())
    return load_par_criteria(directory)


def build_plausibility(settings: Settings, registry: Registry) -> PlausibilityConfig:
    """The plausibility checks' ranges and thresholds: ``plausibility.yaml`` of the
    registry directory, where a range for a figure the registry does not know is refused
    (:func:`load_plausibility`); or the bundled one when that directory has none (its
    ranges for metrics another registry lacks then simply apply to nothing)."""
    directory = settings.registry_dir
    if (directory / PLAUSIBILITY_FILE).is_file():
        return load_plausibility(directory, [m.code for m in registry.metrics])
    return load_plausibility(REGISTRY_DIR)


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
        from prefect.blocks.system import Secret

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
        from prefect.blocks.system import Secret

        block: Secret[str] = Secret.load(settings.portal_api_token_block)  # type: ignore[assignment]
        token = SecretStr(str(block.get()))
    return PortalApi(settings.portal_api_url, token,
                     load_portal_api_config(settings.portal_api_config),
                     connect_timeout=settings.portal_api_connect_timeout,
                     read_timeout=settings.portal_api_read_timeout,
                     retries=settings.portal_api_retries, backoff=settings.portal_api_backoff,
                     max_retry_after=settings.portal_api_max_retry_after)
