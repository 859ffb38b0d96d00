"""The intake tables (connectors/intake_store.py) on a real database: first sightings, the
claims of an intake under way, and the intake log. Submissions and rejections are stored
through the real intake in tests/tasks/intake/test_collect.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connectors.database import Database
from tasks.model.periods import parse_period
from tasks.model.records import IntakeClaim, StoredMetricReport
from tasks.model.submission import MetricLine, Submission
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


def test_metric_history_is_the_current_submissions_by_period(db: Database) -> None:
    """What the plausibility checks read: per period, the current files' metric values
    (a superseded file's are not), one unit's or every unit's."""
    def store(agency: str, period: str, value: float, name: str, at: datetime) -> None:
        db.add_submission(Submission(agency, parse_period(period), (),
                                     (MetricLine("kiem_tra_cchc", value, None, 5),)),
                          file_meta(name, name, at, source="inbox", folder=agency),
                          f"/archive/{name}")

    store("SNV", "2025-03", 1, "snv-3a", T0)
    store("SNV", "2025-03", 2, "snv-3b", LATER)  # supersedes snv-3a
    store("SNV", "2025-04", 3, "snv-4", T0)
    store("STP", "2025-04", 7, "stp-4", T0)
    store("STP", "2025-05", 9, "stp-5", T0)  # not asked for
    assert db.metric_reports_in(["2025-03", "2025-04"]) == {
        "2025-03": [StoredMetricReport("SNV", "kiem_tra_cchc", 2)],
        "2025-04": [StoredMetricReport("SNV", "kiem_tra_cchc", 3),
                    StoredMetricReport("STP", "kiem_tra_cchc", 7)]}
    assert db.metric_reports_in(["2025-03", "2025-04"], "STP") == {
        "2025-04": [StoredMetricReport("STP", "kiem_tra_cchc", 7)]}
    assert db.metric_reports_in([]) == {}
