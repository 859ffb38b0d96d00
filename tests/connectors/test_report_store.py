"""The report versions table (connectors/report_store.py) on a real database: a version per
new fingerprint, its writer claimed and released, and its indicator values kept."""

from __future__ import annotations

from pathlib import Path

from connectors.database import Database
from tasks.model.records import Writer
from tasks.model.report import IndicatorValue

ME = Writer("may-1", 101)
OTHER = Writer("may-2", 202)


def test_same_inputs_reuse_the_version_and_new_ones_take_the_next(db: Database,
                                                                  tmp_path: Path) -> None:
    first = db.claim_report_version("2025-05", "f1", "run-1", reports_dir=tmp_path, writer=ME)
    assert first.created and first.version.version == 1 and first.version.writer == ME
    assert first.version.path == str(tmp_path / "2025-05" / "v1")
    again = db.claim_report_version("2025-05", "f1", "run-2", reports_dir=tmp_path)
    assert not again.created and again.version.id == first.version.id
    forced = db.claim_report_version("2025-05", "f1", "run-3", reports_dir=tmp_path, force=True)
    changed = db.claim_report_version("2025-05", "f2", "run-4", reports_dir=tmp_path)
    assert (forced.version.version, changed.version.version) == (2, 3)
    latest = db.latest_report_version("2025-05")
    assert latest is not None and latest.fingerprint == "f2"
    assert db.report_version("2025-05", 1) == first.version
    assert db.report_version("2025-05", 9) is None


def test_one_writer_takes_over_and_finishing_releases_it(db: Database, tmp_path: Path) -> None:
    claimed = db.claim_report_version("2025-05", "f1", None, reports_dir=tmp_path, writer=ME)
    assert db.take_over_report_version(claimed.version, OTHER)
    assert not db.take_over_report_version(claimed.version, OTHER)  # ME is no longer its writer
    db.finish_report_version(claimed.version.id, ME, written=True)  # not ME's to finish
    assert db.report_version("2025-05", 1).writer == OTHER
    db.finish_report_version(claimed.version.id, OTHER, written=True)
    done = db.report_version("2025-05", 1)
    assert done is not None and done.writer is None and done.written_at is not None


def test_indicator_values_are_saved_once_per_unit_and_indicator(db: Database,
                                                                tmp_path: Path) -> None:
    version = db.claim_report_version("2025-05", "f1", None, reports_dir=tmp_path).version
    db.save_indicator_values(version.id, [IndicatorValue("SNV", "I1", 3, 4, 75.0),
                                          IndicatorValue("TINH", "I1", None, 0, None)])
    db.save_indicator_values(version.id, [IndicatorValue("SNV", "I1", 4, 4, 100.0)])
    assert db.indicator_values(version.id) == [IndicatorValue("SNV", "I1", 4, 4, 100.0),
                                               IndicatorValue("TINH", "I1", None, 0, None)]
