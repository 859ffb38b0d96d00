"""The intake tables (connectors/intake_store.py) on a real database: first sightings, the
claims of an intake under way, and the intake log. Submissions and rejections are stored
through the real intake in tests/tasks/intake/test_collect.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connectors.database import Database
from tasks.model.records import IntakeClaim
from tests.builders import file_meta

T0 = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)
LATER = T0 + timedelta(minutes=5)


def test_a_file_is_first_seen_once_per_state(db: Database) -> None:
    assert db.first_seen("inbox", "SNV/a.xlsx", 10, 1, T0) == T0
    assert db.first_seen("inbox", "SNV/a.xlsx", 10, 1, LATER) == T0
    assert db.first_seen("inbox", "SNV/a.xlsx", 12, 2, LATER) == LATER  # written again
    assert db.earliest_sightings("inbox") == {"SNV/a.xlsx": (10, T0)}
    db.forget_sightings_except("inbox", set())
    assert db.earliest_sightings("inbox") == {}


def test_a_claim_stays_until_the_file_is_released(db: Database) -> None:
    meta = file_meta("a.xlsx", "h1", T0, source="inbox", folder="SNV")
    db.claim(meta, "kept/h1.xlsx")
    assert db.claims("inbox") == [IntakeClaim("inbox", "SNV/a.xlsx", "h1", "kept/h1.xlsx",
                                              False)]
    db.log_intake(meta, "accepted")
    assert db.has_intake_event("h1", "accepted") and not db.has_intake_event("h1", "rejected")
    db.release("inbox", "SNV/a.xlsx")
    assert db.claims("inbox") == []
