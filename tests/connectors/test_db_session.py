"""A database this account may read but not write (issue 22, point 9): one Vietnamese
sentence, at once, never retried as if another writer were in the way."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from connectors.database import Database
from connectors.db_session import DatabaseNotWritable
from tests.paths import REPO


def _read_only_sqlite(tmp_path: Path) -> str:
    """A migrated SQLite file, then opened read-only (as a file without write permission is
    for any account but root, which the tests may run as)."""
    path = tmp_path / "cchc.db"
    db = Database.from_url(f"sqlite:///{path}")
    db.migrate()
    db.dispose()
    return f"sqlite:///file:{path}?mode=ro&uri=true"


@pytest.fixture
def read_only_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """The same database, read-only: SQLite opened read-only, a PostgreSQL role that may
    only read."""
    if not database_url.startswith("postgresql"):
        yield _read_only_sqlite(tmp_path)
        return
    db = Database.from_url(database_url)
    db.migrate()
    db.dispose()
    role = f"cchc_ro_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # a role that may read every table and write none
        conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD 'chi-doc'"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
        conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"))
    try:
        yield make_url(database_url).set(username=role, password="chi-doc").render_as_string(
            hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
        admin.dispose()


def test_a_read_only_database_is_said_before_any_work(read_only_url: str) -> None:
    db = Database.from_url(read_only_url)
    try:
        db.migrate()  # already at the newest revision: nothing to write
        with pytest.raises(DatabaseNotWritable, match="Không ghi được vào cơ sở dữ liệu báo cáo"):
            db.check_writable()
    finally:
        db.dispose()


def test_a_write_to_a_read_only_database_is_not_retried_as_a_race(read_only_url: str) -> None:
    db = Database.from_url(read_only_url)
    try:
        with pytest.raises(DatabaseNotWritable, match="cấp quyền ghi") as raised:
            db.first_seen_all("inbox", [("SNV/a.xlsx", 10, 1)], datetime.now(UTC))
        assert "chi-doc" not in str(raised.value)  # never a password in the sentence
    finally:
        db.dispose()


def test_a_writable_database_passes_the_check(db: Database) -> None:
    db.check_writable()
    assert db.first_seen_all("inbox", [("SNV/a.xlsx", 10, 1)], datetime.now(UTC))


def test_cchc_collect_on_a_read_only_database_prints_one_sentence(tmp_path: Path) -> None:
    url = _read_only_sqlite(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(REPO), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               CCHC_DATABASE_URL=url)
    done = subprocess.run(
        [sys.executable, "-c", "from cli.main import app; app()",
         "collect", "--workspace", str(tmp_path / "ws")],
        capture_output=True, text=True, env=env, timeout=300, check=False)
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 2, output
    assert "Traceback" not in output and "RuntimeError" not in output
    assert output.startswith("Không ghi được vào cơ sở dữ liệu báo cáo"), output
