"""A rerun does not count an unchanged dossier file again (issue 13, benchmark 2).

``dem-ho-so`` caches a stored dossier file's counts in Prefect's result storage under its
content hash (not its archive path), the window, the known units, the 766 rules and the
counting SQL. The
DuckDB aggregation is instrumented to append a line to a file each time it really runs.
Hand-worked counts of ``tests/fixtures/ho-so-2025-05.csv``: see
tests/tasks/report/test_dossier_figures.py.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from prefect import flow
from prefect.settings import PREFECT_LOCAL_STORAGE_PATH, temporary_settings

from config.index766 import load_index766
from config.registry import load_registry
from config.settings import REGISTRY_DIR
from connectors.database import Database
from tasks.indicators.compute import PeriodInputs
from tasks.model.clock import system_clock
from tasks.model.periods import parse_period
from tasks.model.records import StoredDossierFile
from tasks.model.rules import ReportingRules
from tasks.portal import dossiers
from tasks.portal.dossier_counts import DossierCounts
from tasks.report import steps as report_steps
from tasks.report.letterhead import Letterhead
from tasks.report.reporting import Reporting

FIXTURE = Path(__file__).parent.parent / "fixtures" / "ho-so-2025-05.csv"
HAND_WORKED = {"SNV": (7, 5, 3), "STP": (3, 2, 2), "SKHCN": (1, 0, 0)}


@pytest.fixture
def aggregations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A file with one line per real DuckDB aggregation; results stored under tmp_path."""
    log = tmp_path / "aggregations.log"
    real = dossiers.aggregate_rows

    def counted(path: Path, window: tuple[date, date],
                config: object) -> dict[str, dict[str, int]]:
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{path}\n")
        return real(path, window, config)  # type: ignore[arg-type]

    monkeypatch.setattr(dossiers, "aggregate_rows", counted)
    with temporary_settings({PREFECT_LOCAL_STORAGE_PATH: tmp_path / "results"}):
        yield log


@flow(name="dem-ho-so-thu")
def count_stored(archive: str, content_hash: str | None = None) -> DossierCounts | None:
    content_hash = content_hash or hashlib.sha256(Path(archive).read_bytes()).hexdigest()
    stored = StoredDossierFile(1, "2025-05", content_hash, "ho-so-2025-05.csv", archive,
                               datetime(2025, 6, 1, tzinfo=UTC))
    inputs = PeriodInputs(period=parse_period("2025-05"), rules=ReportingRules(),
                          submissions=[], task_reports=[], metric_reports=[], portal=None,
                          dossier_file=stored)
    # the report stage of a workspace whose store is never read here
    reporting = Reporting(Database.from_url("sqlite://"), load_registry(REGISTRY_DIR),
                          rules=ReportingRules(), index766=load_index766(REGISTRY_DIR),
                          reports_dir=Path(archive).parent / "reports", letterhead=Letterhead(),
                          clock=system_clock)
    return report_steps.dossier_counts(reporting, inputs)


def _runs(log: Path) -> int:
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


def _copy(text: str, folder: Path) -> str:
    folder.mkdir(parents=True)
    (folder / "ho-so-2025-05.csv").write_text(text, encoding="utf-8")
    return str(folder / "ho-so-2025-05.csv")


def test_an_unchanged_dossier_file_is_counted_once_wherever_it_is_stored(
        aggregations: Path, tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    first = count_stored(_copy(text, tmp_path / "a"))
    assert first is not None and first.resolution == HAND_WORKED
    assert _runs(aggregations) == 1
    # the same content under another archive path (and a new flow run): from the cache
    again = count_stored(_copy(text, tmp_path / "b"))
    assert again == first
    assert _runs(aggregations) == 1


def test_a_changed_dossier_file_is_counted_anew(aggregations: Path, tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    archive = _copy(text, tmp_path / "a")
    assert count_stored(archive) is not None
    without_k01 = "".join(line for line in text.splitlines(keepends=True)
                          if not line.startswith("K01,"))
    Path(archive).write_text(without_k01, encoding="utf-8")  # same path, new content
    changed = count_stored(archive)
    assert _runs(aggregations) == 2
    assert changed is not None
    assert changed.resolution == {"SNV": (7, 5, 3), "STP": (3, 2, 2)}


def test_a_file_that_cannot_be_read_gives_none_and_is_not_cached(
        aggregations: Path, tmp_path: Path) -> None:
    archive = tmp_path / "a" / "ho-so-2025-05.csv"
    content_hash = hashlib.sha256(FIXTURE.read_bytes()).hexdigest()
    assert count_stored(str(archive), content_hash) is None  # build_report: a data gap
    archive.parent.mkdir()
    shutil.copy(FIXTURE, archive)  # the archive is back: counted, not a cached failure
    counts = count_stored(str(archive), content_hash)
    assert counts is not None and counts.resolution == HAND_WORKED
    assert _runs(aggregations) == 1


def test_counts_cached_before_the_counting_changed_are_not_reused(
        aggregations: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _copy(FIXTURE.read_text(encoding="utf-8"), tmp_path / "a")
    assert count_stored(archive) is not None
    # a release whose counting SQL differs (here only by a comment: same counts)
    monkeypatch.setattr(dossiers, "AGGREGATE_SQL", dossiers.AGGREGATE_SQL + "\n-- v2\n")
    counts = count_stored(archive)
    assert _runs(aggregations) == 2
    assert counts is not None and counts.resolution == HAND_WORKED
