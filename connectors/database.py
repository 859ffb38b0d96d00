"""The reporting database: one object with a narrow, typed interface over SQLAlchemy.

Made of parts, each in a module named for what it stores: :mod:`connectors.intake_store`
(files, submissions, rejections, sightings, claims), :mod:`connectors.portal_store`
(portal figures), :mod:`connectors.dossier_store` (dossier files) and
:mod:`connectors.report_store` (report versions, indicator values).
Works the same on SQLite and PostgreSQL (tests run both). Migrations are applied with
:meth:`Database.migrate` before every run.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event

from connectors.dossier_store import DossierTables
from connectors.intake_store import IntakeTables
from connectors.portal_store import PortalTables
from connectors.report_store import ReportTables
from connectors.trace_store import TraceTables

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Database(IntakeTables, PortalTables, DossierTables, ReportTables, TraceTables):
    """The engine, the migrations, and every part's methods on one object."""

    @classmethod
    def from_url(cls, url: str) -> Database:
        engine = create_engine(url, future=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        return cls(engine)

    def dispose(self) -> None:
        self.engine.dispose()

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (idempotent)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Write-ahead log: readers never block the writer, and a commit is a log append. With
    # synchronous=NORMAL a commit survives the process being killed (the log is in the OS's
    # hands); only a power cut can lose the last commits, never corrupt the file.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
