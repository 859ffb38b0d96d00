"""The composition root: build every resource a run needs from the settings, once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from config.registry import Registry, load_registry
from config.settings import Settings
from connectors.database import Database
from connectors.drop_folder import DropFolder
from connectors.outbox import Outbox
from connectors.workspace_lock import WorkspaceLock
from tasks.reporting_rules import ReportingRules


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
    db = Database.from_url(settings.resolved_database_url)
    db.migrate()
    inbox = DropFolder.agency_inbox(workspace)
    today = rules.today(datetime.now(UTC))
    inbox.ensure([a.code for a in registry.units_valid(today, today)])
    portal = DropFolder.portal_exports(workspace)
    portal.ensure()
    lock = WorkspaceLock(workspace, timeout=settings.lock_timeout_seconds)
    return Resources(settings, registry, db, inbox, portal, Outbox(workspace), rules, lock)
