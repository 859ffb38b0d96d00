"""The computed part of the CCHC index (tasks/indicators/par_index.py): each scoring rule at
its edges, two units' points for a year worked out by hand, and a department merged on
01/3/2025 scored over the two months it existed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from config.errors import CchcError
from config.par_criteria import (
    AllOrNothingRule,
    LinearRule,
    ParCriteriaSet,
    ThresholdsRule,
    ThresholdStep,
    load_par_criteria,
)
from config.registry import load_registry
from config.settings import REGISTRY_DIR
from tasks.indicators.par_index import (
    ParIndexError,
    UnitPoints,
    months_existed,
    rule_points,
    score_unit,
)


def _computed(indicator: str, rule: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "computed", "indicator": indicator, "rule": rule}


STEPS_TASKS = [{"min": 70, "points": 1}, {"min": 80, "points": 2},
               {"min": 90, "points": 3}, {"min": 100, "points": 4}]
STEPS_ON_TIME = [{"min": 90, "points": 2}, {"min": 95, "points": 4},
                 {"min": 98, "points": 5}, {"min": 100, "points": 6}]

# A hand-written set of 30 points, 21 of them computed (not the shipped sample, so that the
# province replacing the sample never changes these sums).
CRITERIA = ParCriteriaSet.model_validate({
    "name": "Bộ thử của sở",
    "unit_kinds": ["so-ban-nganh"],
    "document": {"kind": "Quyết định", "applies_from": "2025-01-01",
                 "applies_to": "2025-12-31"},
    "max_points": 30,
    "set_id": "bo-thu",
    "areas": [
        {"id": "1", "name": "Chỉ đạo, điều hành", "max_points": 10, "criteria": [
            {"id": "1.1", "name": "Kế hoạch CCHC", "max_points": 4,
             "method": {"kind": "self_assessed"}},
            {"id": "1.2", "name": "Nhiệm vụ được giao", "max_points": 6, "sub_criteria": [
                {"id": "1.2.1", "name": "Tỷ lệ nhiệm vụ hoàn thành", "max_points": 4,
                 "method": _computed("task_completion_rate",
                                     {"kind": "thresholds", "steps": STEPS_TASKS})},
                {"id": "1.2.2", "name": "Không có nhiệm vụ quá hạn", "max_points": 2,
                 "method": _computed("tasks_overdue",
                                     {"kind": "all_or_nothing", "op": "<=", "value": 0})},
            ]},
        ]},
        {"id": "2", "name": "Thủ tục hành chính", "max_points": 14, "criteria": [
            {"id": "2.1", "name": "Hồ sơ đúng hạn", "max_points": 6,
             "method": _computed("on_time_rate",
                                 {"kind": "thresholds", "steps": STEPS_ON_TIME})},
            {"id": "2.2", "name": "Không có hồ sơ quá hạn", "max_points": 2,
             "method": _computed("overdue_in_progress",
                                 {"kind": "all_or_nothing", "op": "<=", "value": 0})},
            {"id": "2.3", "name": "Hồ sơ trực tuyến toàn trình", "max_points": 3,
             "method": _computed("idx766_online_share", {"kind": "linear", "full_at": 80})},
            {"id": "2.4", "name": "Bộ phận một cửa", "max_points": 3,
             "method": {"kind": "appraised"}},
        ]},
        {"id": "3", "name": "Chính quyền số", "max_points": 6, "criteria": [
            {"id": "3.1", "name": "Số hóa hồ sơ", "max_points": 4,
             "method": _computed("idx766_digitised", {"kind": "linear", "full_at": 100})},
            {"id": "3.2", "name": "Hài lòng", "max_points": 2, "method": {"kind": "survey"}},
        ]},
    ],
})


def _points(result: UnitPoints) -> dict[str, float]:
    return {c.criterion_id: c.points for c in result.criteria}


def _areas(result: UnitPoints) -> dict[str, tuple[float, float]]:
    return {a.area_id: (a.points, a.computed_max) for a in result.areas}


# --- the rules at their edges --------------------------------------------------------------
THRESHOLDS = ThresholdsRule(kind="thresholds", steps=tuple(
    ThresholdStep(min=s["min"], points=s["points"]) for s in STEPS_TASKS))


@pytest.mark.parametrize(("value", "expected"), [
    (0, 0), (69.99, 0),       # below the lowest step
    (70, 1), (79.99, 1),      # at the first step, just below the second
    (80, 2), (85, 2), (90, 3), (99.99, 3),
    (100, 4), (120, 4),       # at and above the top step
])
def test_thresholds(value: float, expected: float) -> None:
    assert rule_points(THRESHOLDS, 4, value)[0] == expected


def test_thresholds_reason() -> None:
    assert rule_points(THRESHOLDS, 4, 69.5)[1] == "giá trị 69,5 dưới ngưỡng thấp nhất 70"
    assert rule_points(THRESHOLDS, 4, 92.5)[1] == "giá trị 92,5 đạt ngưỡng 90"


LINEAR = LinearRule(kind="linear", full_at=80)


@pytest.mark.parametrize(("value", "expected"), [
    (80, 3),                 # at the threshold: full points
    (100, 3),                # above: still full points, never more
    (79, 3 * 79 / 80),       # just below: 2.9625
    (40, 1.5),               # half the threshold, half the points
    (20, 0.75),              # a quarter
    (0, 0),
    (-5, 0),                 # never negative points
])
def test_linear_is_proportional_below_the_threshold(value: float, expected: float) -> None:
    assert rule_points(LINEAR, 3, value)[0] == pytest.approx(expected)


def test_linear_reason_shows_the_arithmetic() -> None:
    assert rule_points(LINEAR, 3, 60)[1] == "giá trị 60 chưa đạt 80: 3 × 60 ÷ 80"


@pytest.mark.parametrize(("op", "target", "value", "expected"), [
    ("<=", 0, 0, 2), ("<=", 0, 1, 0), ("<=", 0, 0.5, 0),
    (">=", 100, 100, 2), (">=", 100, 99.99, 0), (">=", 100, 100.5, 2),
])
def test_all_or_nothing(op: str, target: float, value: float, expected: float) -> None:
    rule = AllOrNothingRule.model_validate({"kind": "all_or_nothing", "op": op,
                                            "value": target})
    points, reason = rule_points(rule, 2, value)
    assert points == expected
    assert ("không đạt" in reason) == (expected == 0)


# --- two units over the year, by hand ------------------------------------------------------
def test_a_department_over_the_whole_year() -> None:
    values = {
        "task_completion_rate": 92.5,   # ≥ 90, < 100           → 3 of 4
        "tasks_overdue": 0,             # ≤ 0                   → 2 of 2
        "on_time_rate": 97.3,           # ≥ 95, < 98            → 4 of 6
        "overdue_in_progress": 3,       # 3 > 0                 → 0 of 2
        "idx766_online_share": 60,      # 3 × 60 ÷ 80 = 2.25    → 2.25 of 3
        "idx766_digitised": 45.5,       # 4 × 45.5 ÷ 100 = 1.82 → 1.82 of 4
        "online_filing_rate": 99.0,     # not in the set: ignored
    }
    result = score_unit(CRITERIA, "SNV", 2025, values)
    assert _points(result) == {"1.2.1": 3, "1.2.2": 2, "2.1": 4, "2.2": 0, "2.3": 2.25,
                               "3.1": 1.82}
    # area 1: 3 + 2 = 5 of 6 computed (of 10); area 2: 4 + 0 + 2.25 = 6.25 of 11 (of 14);
    # area 3: 1.82 of 4 (of 6); total 5 + 6.25 + 1.82 = 13.07 of 21 computed (of 30)
    assert _areas(result) == {"1": (5, 6), "2": (6.25, 11), "3": (1.82, 4)}
    assert result.points == 13.07
    assert result.computed_max == 21
    assert result.months == tuple(range(1, 13)) and result.whole_year
    assert result.set_id == "bo-thu"
    area = result.area("2")
    assert area is not None and area.max_points == 14 and area.name == "Thủ tục hành chính"
    online = result.criterion("2.3")
    assert online is not None
    assert online.reason == "giá trị 60 chưa đạt 80: 3 × 60 ÷ 80: 2,25/3 điểm"


def test_a_second_department_with_a_missing_value() -> None:
    values: dict[str, float | None] = {
        "task_completion_rate": 100,    # at the top step       → 4 of 4
        "tasks_overdue": 1,             # 1 > 0                 → 0 of 2
        "on_time_rate": 89.99,          # just below 90         → 0 of 6
        "overdue_in_progress": None,    # no figure             → 0 of 2, with the reason
        "idx766_online_share": 85,      # above 80              → 3 of 3
        # idx766_digitised absent         no figure             → 0 of 4
    }
    result = score_unit(CRITERIA, "STP", 2025, values)
    assert _points(result) == {"1.2.1": 4, "1.2.2": 0, "2.1": 0, "2.2": 0, "2.3": 3,
                               "3.1": 0}
    # area 1: 4 + 0 = 4; area 2: 0 + 0 + 3 = 3; area 3: 0; total 7 of 21
    assert _areas(result) == {"1": (4, 6), "2": (3, 11), "3": (0, 4)}
    assert result.points == 7
    missing = result.criterion("2.2")
    assert missing is not None and missing.value is None
    assert missing.reason == ("không có số liệu chỉ tiêu overdue_in_progress trong các tháng "
                              "đơn vị hoạt động: 0/2 điểm")
    absent = result.criterion("3.1")
    assert absent is not None and "idx766_digitised" in absent.reason


# --- partial years ---------------------------------------------------------------------------
def test_months_existed_from_the_registry() -> None:
    registry = load_registry(REGISTRY_DIR)

    def months(code: str) -> tuple[int, ...]:
        unit = registry.agency(code)
        assert unit is not None
        return months_existed(unit.valid_from, unit.valid_to, 2025)

    assert months("SKHDT") == (1, 2)                  # merged into STC from 01/3/2025
    assert months("STC") == tuple(range(1, 13))
    assert months("UBND-LX") == tuple(range(1, 7))    # district level ended 30/6/2025
    assert months("X30307") == tuple(range(7, 13))    # Phường Long Xuyên from 01/7/2025
    assert months_existed(date(2025, 3, 15), date(2025, 5, 1), 2025) == (3, 4, 5)
    assert months_existed(None, date(2024, 12, 31), 2025) == ()
    assert months_existed(date(2026, 1, 1), None, 2025) == ()


def test_a_department_merged_on_1_march_2025_is_scored_over_its_two_months() -> None:
    """Sở Kế hoạch và Đầu tư existed in January and February 2025; its values are its own
    over those months, compared with the thresholds unchanged (no proration)."""
    values: dict[str, float | None] = {
        "task_completion_rate": None,   # the register applies from 05/3/2025 → 0 of 4
        "tasks_overdue": 0,             #                                      → 2 of 2
        "on_time_rate": 100,            #                                      → 6 of 6
        "overdue_in_progress": 0,       #                                      → 2 of 2
        "idx766_online_share": 40,      # 3 × 40 ÷ 80 = 1.5                    → 1.5 of 3
        "idx766_digitised": 80,         # 4 × 80 ÷ 100 = 3.2                   → 3.2 of 4
    }
    result = score_unit(CRITERIA, "SKHDT", 2025, values,
                        months=months_existed(None, date(2025, 2, 28), 2025))
    assert result.months == (1, 2) and not result.whole_year
    # area 1: 0 + 2 = 2; area 2: 6 + 2 + 1.5 = 9.5; area 3: 3.2; total 14.7 of 21
    assert _areas(result) == {"1": (2, 6), "2": (9.5, 11), "3": (3.2, 4)}
    assert result.points == 14.7
    # the same values over twelve months give the same points: nothing is prorated
    assert score_unit(CRITERIA, "SKHDT", 2025, values).points == 14.7


def test_the_shipped_sample_scores_a_merged_department_over_its_months() -> None:
    departments = load_par_criteria(REGISTRY_DIR).set_for("so-ban-nganh", 2025)
    assert departments is not None
    full = {"task_completion_rate": 100, "tasks_overdue": 0, "on_time_rate": 100,
            "overdue_in_progress": 0, "idx766_online_share": 80,
            "idx766_online_payment": 80, "idx766_digitised": 100, "idx766_e_result": 100,
            "online_filing_rate": 80}
    result = score_unit(departments, "SKHDT", 2025, full, months=(1, 2))
    # every computed criterion at its maximum: 4+2 + 6+2+3+2 + 4+3+3 = 29
    assert result.points == result.computed_max == 29
    assert result.months == (1, 2)


@pytest.mark.parametrize(("months", "message"), [
    ((), "không hoạt động tháng nào"),
    ((0, 1), "tháng 0 không phải tháng trong năm"),
    ((12, 13), "tháng 13 không phải tháng trong năm"),
])
def test_months_out_of_the_year_are_refused(months: tuple[int, ...], message: str) -> None:
    with pytest.raises(ParIndexError, match=message) as caught:
        score_unit(CRITERIA, "SNV", 2025, {}, months=months)
    assert isinstance(caught.value, CchcError)


def test_months_are_kept_sorted_and_once() -> None:
    assert score_unit(CRITERIA, "SNV", 2025, {}, months=[8, 7, 7, 9]).months == (7, 8, 9)
