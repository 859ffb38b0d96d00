"""The dossier files table (connectors/dossier_store.py) on a real database: per period
the file first seen last is current, an older one arriving late is stored superseded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connectors.database import Database
from tasks.model.periods import parse_period
from tasks.model.portal import DossierFile
from tests.builders import file_meta

MAY = DossierFile(parse_period("2025-05"))
T0 = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)


def test_a_newer_file_supersedes_and_a_late_older_one_is_kept_superseded(db: Database) -> None:
    assert db.current_dossier_file("2025-05") is None
    first, _ = db.add_dossier_file(MAY, file_meta("ho-so-2025-05.csv", "h1", T0), "a/h1.csv")
    newer, superseded = db.add_dossier_file(
        MAY, file_meta("ho-so-2025-05.csv", "h2", T0 + timedelta(hours=2)), "a/h2.csv")
    assert superseded == [first]
    late, superseded = db.add_dossier_file(
        MAY, file_meta("ho-so-2025-05.csv", "h3", T0 + timedelta(hours=1)), "a/h3.csv")
    assert superseded == []
    current = db.current_dossier_file("2025-05")
    assert current is not None
    assert (current.id, current.content_hash, current.archive_path) == (newer, "h2", "a/h2.csv")
    assert late not in (first, newer)


def test_the_same_content_twice_is_stored_once(db: Database) -> None:
    meta = file_meta("ho-so-2025-05.csv", "h1", T0)
    stored, _ = db.add_dossier_file(MAY, meta, "a/h1.csv")
    assert db.add_dossier_file(MAY, meta, "a/h1.csv") == (stored, [])
    assert db.has_intake_event("h1", "duplicate")
