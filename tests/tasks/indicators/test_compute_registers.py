"""Dated task registers, groups over changing units, overdue tasks across years.

A hand-made registry: SNV (department), UBND-LX (district until 30/6/2025, then its
figures and its chair's open-ended tasks pass to commune X30307), MTTQ (Fatherland Front,
not expected every period). Register R2025 applies 05/3/2025-31/12/2025: T1 (SNV, due
31/3/2025), T2 (@ubnd-huyen, no deadline), T3 (@doan-the, no deadline). Register R2026
applies from 01/1/2026: U1 (@so-ban-nganh, due 30/6/2026).
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
import yaml

from config.registry import Registry, load_registry
from config.settings import REGISTRY_DIR
from tasks.indicators.compute import PeriodInputs, registers_note, series_break_notes, task_progress
from tasks.model.periods import parse_period
from tasks.model.records import StoredTaskReport
from tasks.model.rules import ReportingRules

AGENCIES = [
    {"code": "SNV", "name": "Sở Nội vụ", "kind": "so-ban-nganh"},
    {"code": "UBND-LX", "name": "UBND thành phố Long Xuyên", "kind": "ubnd-huyen",
     "valid_to": "2025-06-30"},
    {"code": "X30307", "name": "Phường Long Xuyên", "kind": "ubnd-xa",
     "valid_from": "2025-07-01"},
    {"code": "MTTQ", "name": "Ủy ban MTTQ Việt Nam tỉnh", "kind": "doan-the"},
]
R2025 = {"document": {"kind": "Thông báo", "conference_on": "2025-03-04",
                      "applies_from": "2025-03-05", "applies_to": "2025-12-31"},
         "tasks": [
             {"id": "T1", "area": "chế độ công vụ", "text": "Kế hoạch", "lead": ["SNV"],
              "deadline": "2025-03-31"},
             {"id": "T2", "area": "thủ tục hành chính", "text": "Một cửa",
              "lead": ["@ubnd-huyen"]},
             {"id": "T3", "area": "tuyên truyền", "text": "Tuyên truyền", "lead": ["@doan-the"]},
         ]}
R2026 = {"document": {"kind": "Kế hoạch", "number": "12/KH-UBND", "issued_on": "2026-01-01",
                      "applies_from": "2026-01-01"},
         "tasks": [{"id": "U1", "area": "thể chế", "text": "Rà soát", "lead": ["@so-ban-nganh"],
                    "deadline": "2026-06-30"}]}
INDICATORS: dict[str, list[object]] = {"indicators": [], "metrics": [], "targets": []}
CROSSWALK = {"changes": [{"from": "UBND-LX", "effective": "2025-07-01", "to": {"X30307": 1}}]}


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    folder = tmp_path_factory.mktemp("registry")
    (folder / "tasks").mkdir()
    (folder / "crosswalk").mkdir()
    shutil.copy(REGISTRY_DIR / "unit-kinds.yaml", folder / "unit-kinds.yaml")
    for name, data in (("agencies.yaml", {"agencies": AGENCIES}),
                       ("indicators.yaml", INDICATORS), ("tasks/r2025.yaml", R2025),
                       ("tasks/r2026.yaml", R2026), ("crosswalk/c.yaml", CROSSWALK)):
        (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_registry(folder)


def _inputs(label: str, reports: list[StoredTaskReport] | None = None) -> PeriodInputs:
    return PeriodInputs(period=parse_period(label), rules=ReportingRules(), submissions=[],
                        task_reports=reports or [], metric_reports=[], portal=None)


def _rows(registry: Registry, label: str, reports: list[StoredTaskReport] | None = None
          ) -> list[tuple[str, str, bool]]:
    return [(r.task_id, r.unit, r.overdue)
            for r in task_progress(registry, _inputs(label, reports))]


def _done(task_id: str, unit: str, period: str) -> StoredTaskReport:
    return StoredTaskReport(unit, period, datetime(2025, 6, 10, tzinfo=UTC), task_id,
                            "Hoàn thành", 100, None, None, None)


def test_nothing_is_assigned_before_the_register_applies(registry: Registry) -> None:
    # February 2025's window (15/1-14/2) ends before the notice: no task, and a note
    assert _rows(registry, "2025-02") == []
    (note,) = registers_note(registry, _inputs("2025-02"))
    assert "Không có sổ nhiệm vụ" in note and "2025-02" in note
    # March's window (15/2-14/3) holds 05/3: every task of R2025, none of R2026
    assert _rows(registry, "2025-03") == [("T1", "SNV", False), ("T2", "UBND-LX", False),
                                          ("T3", "MTTQ", False)]
    assert registers_note(registry, _inputs("2025-03")) == []


def test_groups_follow_the_units_of_the_period(registry: Registry) -> None:
    may = _rows(registry, "2025-05")
    assert ("T2", "UBND-LX", False) in may and ("T1", "SNV", True) in may  # T1 overdue
    august = _rows(registry, "2025-08")  # window 15/7-14/8: the district is gone
    assert ("T2", "X30307", False) in august
    assert not [row for row in august if row[1] == "UBND-LX"]


def test_an_overdue_task_stays_overdue_across_years_until_done(registry: Registry) -> None:
    # October 2026: R2025 has ended; R2026 is in force; T1 was never reported done
    october = _rows(registry, "2026-10")
    assert ("U1", "SNV", True) in october
    assert ("T1", "SNV", True) in october
    # open-ended tasks of an ended register are not carried over
    assert not [row for row in october if row[0] in ("T2", "T3")]
    # once reported done, T1 is no longer followed
    done = _rows(registry, "2026-10", [_done("T1", "SNV", "2025-06")])
    assert [row for row in done if row[0] == "T1"] == []
    assert registers_note(registry, _inputs("2026-10")) == []


def test_the_series_break_is_noted_in_the_period_that_holds_it() -> None:
    real = load_registry(REGISTRY_DIR)
    assert series_break_notes(real, _inputs("2025-06")) == []
    (note,) = series_break_notes(real, _inputs("2025-07"))  # window 15/6-14/7
    assert "01/07/2025" in note and "Kiên Giang" in note


def test_the_real_register_assigns_nothing_for_january_and_february_2025() -> None:
    real = load_registry(REGISTRY_DIR)
    assert _rows(real, "2025-01") == [] and _rows(real, "2025-02") == []
    assert len(_rows(real, "2025-03")) > 26


def test_october_2026_expects_the_communes_and_no_district() -> None:
    real = load_registry(REGISTRY_DIR)
    expected = {a.code for a in ReportingRules().expected_units(real, parse_period("2026-10"))}
    assert "X30307" in expected and len([c for c in expected if c.startswith("X")]) == 102
    assert not [c for c in expected if c.startswith("UBND-")]
    # the 2025 notice ended with 2025: only its overdue tasks are followed, and the
    # report says that no register is in force
    rows = _rows(real, "2026-10")
    assert rows and all(overdue for _, _, overdue in rows)
    assert not [u for _, u, _ in rows if u.startswith("UBND-")]
    assert registers_note(real, _inputs("2026-10"))
    # in November 2025 the communes carry the district chairs' open-ended tasks
    units = {unit for _, unit, _ in _rows(real, "2025-11")}
    assert "X30307" in units and not [u for u in units if u.startswith("UBND-")]
