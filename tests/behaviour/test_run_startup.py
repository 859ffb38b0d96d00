"""What a run pays before it does anything: imports and the migration check (issue 13).

Each check runs in a fresh interpreter (a subprocess), since this test process has
imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys

from sqlalchemy import text

from connectors.database import MIGRATIONS, Database, head_revisions
from tests.paths import REPO

ROOT = REPO
# Libraries a rerun with nothing new does not use: reading workbooks and dossier files,
# writing the report's files, running migrations, calling the portal's API.
HEAVY = ("pandas", "numpy", "pyarrow", "duckdb", "openpyxl", "alembic", "matplotlib",
         "docxtpl", "docx", "PIL", "lxml", "requests", "urllib3")


def _modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, check=True, env={"PYTHONPATH": str(ROOT),
                                                      "PATH": "/usr/bin:/bin"})
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_flow_and_the_cli_leaves_heavy_libraries_unloaded() -> None:
    loaded = _modules_after("import flows.monthly_report, flows.collect, cli.main")
    assert "flows.monthly_report" in loaded
    assert [name for name in HEAVY if name in loaded] == []


def test_head_revisions_read_from_the_scripts_match_alembic() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    assert head_revisions() == set(script.get_heads())
    assert len(head_revisions()) == 1  # one line of migrations, no branches


def test_migrate_at_head_does_not_load_alembic(database_url: str) -> None:
    database = Database.from_url(database_url)
    database.migrate()
    database.dispose()
    loaded = _modules_after("from connectors.database import Database\n"
                            f"db = Database.from_url({database_url!r})\n"
                            "db.migrate()\nassert db.at_head()")
    assert "alembic" not in loaded


def test_migrate_below_head_still_upgrades(database_url: str) -> None:
    database = Database.from_url(database_url)
    database.migrate()
    with database.engine.begin() as connection:  # as a database of an earlier release
        connection.execute(text("INSERT INTO report_versions (period, version, fingerprint, "
                                "run_id, created_at, path) VALUES ('2025-05', 1, 'f', 'r', "
                                "'2025-06-01 00:00:00+00:00', '/r/v1')"))
        connection.execute(text("DROP TABLE dossier_files"))
        for table in ("par_self_assessed_lines", "par_appraised_lines",  # 0007
                      "par_self_assessments", "par_appraisals"):
            connection.execute(text(f"DROP TABLE {table}"))
        for table in ("web_audit", "web_users"):  # 0006
            connection.execute(text(f"DROP TABLE {table}"))
        for column in ("writer_host", "writer_pid", "writer_since", "written_at"):
            connection.execute(text(f"ALTER TABLE report_versions DROP COLUMN {column}"))
        connection.execute(text("UPDATE alembic_version SET version_num = '0003_deliveries'"))
    assert not database.at_head()
    database.migrate()
    assert database.at_head()
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM dossier_files")).scalar() == 0
    old = database.report_version("2025-05", 1)  # 0005: a version made before was written
    assert old is not None and old.written_at == old.created_at and old.writer is None
    database.dispose()


def test_a_new_database_is_not_at_head(database_url: str) -> None:
    database = Database.from_url(database_url)
    assert not database.at_head()
    database.migrate()
    assert database.at_head()
    database.dispose()
