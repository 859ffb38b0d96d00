"""The reporting database: one object with a narrow, typed interface over SQLAlchemy.

Made of parts, each in a module named for what it stores: :mod:`connectors.intake_store`
(files, submissions, rejections, sightings, claims), :mod:`connectors.portal_store`
(portal figures), :mod:`connectors.dossier_store` (dossier files) and
:mod:`connectors.report_store` (report versions, indicator values) and
:mod:`connectors.par_assessment_store` (the CCHC index's self-assessments, appraisals).
Works the same on SQLite and PostgreSQL (tests run both). Migrations are applied with
:meth:`Database.migrate` before every run.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from connectors.db_session import DatabaseNotWritable, first_line, not_writable
from connectors.dossier_store import DossierTables
from connectors.intake_store import IntakeTables
from connectors.par_assessment_store import ParAssessmentTables
from connectors.portal_store import PortalTables
from connectors.report_store import ReportTables
from connectors.trace_store import TraceTables

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Database(IntakeTables, PortalTables, DossierTables, ReportTables, TraceTables,
               ParAssessmentTables):
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
        """Bring the schema to the newest Alembic revision (idempotent).

        A database already at the head is left alone without loading Alembic and its
        migration scripts (a second or more of every run's start-up).
        """
        if self.at_head():
            return
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except DBAPIError as exc:
            if not_writable(exc):
                raise DatabaseNotWritable(self.engine, first_line(exc)) from exc
            raise

    def check_writable(self) -> None:
        """Raise :class:`DatabaseNotWritable` when this account cannot write here (a
        read-only ``cchc.db`` or folder, a read-only role), before any work is done: an
        update that changes nothing, rolled back."""
        try:
            with self.engine.connect() as connection, connection.begin() as transaction:
                connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
                transaction.rollback()
        except DBAPIError as exc:
            if not_writable(exc):
                raise DatabaseNotWritable(self.engine, first_line(exc)) from exc
            raise  # not a permission: a real fault, shown as it is

    def at_head(self) -> bool:
        """The stored Alembic revision is the newest of :data:`MIGRATIONS` (one query)."""
        heads = head_revisions()
        try:
            with self.engine.connect() as connection:
                stored = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
        except SQLAlchemyError:  # no alembic_version table yet: a new database
            return False
        return bool(heads) and stored == heads


_REVISION = re.compile(r"^revision\b[^=\n]*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=\n]*=(.*)$", re.MULTILINE)


def head_revisions(directory: Path = MIGRATIONS / "versions") -> set[str]:
    """The revisions no other revision builds on, read from the scripts' text (the
    ``revision`` and ``down_revision`` lines) without importing Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in directory.glob("*.py"):
        source = script.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found is None:
            continue
        revisions.add(found.group(1))
        down = _DOWN_REVISION.search(source)
        if down is not None:
            parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    return revisions - parents


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
