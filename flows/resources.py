"""The composition root: build every resource a run needs from the settings, once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from config.registry import Registry, load_registry
from config.settings import Settings
from connectors.database import Database
from connectors.drop_folder import DropFolder
from connectors.outbox import Outbox
from connectors.workspace_lock import WorkspaceLock


@dataclass(frozen=True)
class Resources:
    settings: Settings
    registry: Registry
    db: Database
    inbox: DropFolder
    portal: DropFolder
    outbox: Outbox
    lock: WorkspaceLock

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.settings.timezone)).date()

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)


def build_resources(settings: Settings) -> Resources:
    """Load the registries, open (and migrate) the database and lay out the workspace."""
    workspace = settings.workspace
    workspace.mkdir(parents=True, exist_ok=True)
    registry = load_registry(settings.registry_dir)
    db = Database.from_url(settings.resolved_database_url)
    db.migrate()
    inbox = DropFolder.agency_inbox(workspace)
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    inbox.ensure([a.code for a in registry.agencies_valid(today, today)])
    portal = DropFolder.portal_exports(workspace)
    portal.ensure()
    lock = WorkspaceLock(workspace, timeout=settings.lock_timeout_seconds)
    return Resources(settings, registry, db, inbox, portal, Outbox(workspace), lock)
