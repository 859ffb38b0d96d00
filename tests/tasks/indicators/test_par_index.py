"""The CCHC index's scoring rules (tasks/indicators/par_index.py) at their edges, and the
months a unit is scored over. Two units' points for a year worked out by hand, and a
department merged in 2025 scored over its months: tests/tasks/indicators/test_par_year.py."""

from __future__ import annotations

from datetime import date

import pytest

from config.par_criteria import (
    AllOrNothingRule,
    LinearRule,
    ThresholdsRule,
    ThresholdStep,
)
from config.registry import load_registry
from config.settings import REGISTRY_DIR
from tasks.indicators.par_index import (
    months_existed,
    rule_points,
)

THRESHOLDS = ThresholdsRule(kind="thresholds", steps=tuple(
    ThresholdStep(min=low, points=points) for low, points in ((70, 1), (80, 2), (90, 3),
                                                              (100, 4))))


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
