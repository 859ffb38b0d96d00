"""The report's words and its rate rule (tasks.model.vocabulary), and that the ids the code
names are the ones the catalogues define."""

from __future__ import annotations

import pytest

from config.index766 import load_index766
from config.registry import Registry
from config.settings import REGISTRY_DIR
from tasks.model import vocabulary as v


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(0, 0, None), (5, 0, None), (None, 10, None), (3, None, None), (0, 10, 0.0),
     (3, 4, 75.0), (2.5, 2.0, 125.0)],
)
def test_rate_is_a_percent_and_none_without_a_denominator(
        numerator: float | None, denominator: float | None, expected: float | None) -> None:
    assert v.rate(numerator, denominator) == expected


def test_the_submission_states_are_vietnamese_and_distinct() -> None:
    states = (v.STATE_MISSING, v.STATE_LATE, v.STATE_WAITING, v.STATE_SUBMITTED_WAITING)
    assert states == ("chưa nộp", "nộp muộn", "tệp đang chờ thu nhận",
                      "đã nộp, có tệp đang chờ thu nhận")
    assert len(set(states)) == len(states)


def test_the_indicator_ids_the_code_names_are_in_the_catalogue(registry: Registry) -> None:
    kinds = registry.indicator_kinds()
    for indicator in (*v.PORTAL_INDICATORS, *v.TASK_INDICATORS, *v.SUBMISSION_INDICATORS):
        assert indicator in kinds, indicator
    assert {i for i in kinds if i.startswith(v.IDX766_PREFIX)} <= {
        v.IDX766_ON_TIME, v.IDX766_ONLINE_SHARE, v.IDX766_ONLINE_PAYMENT, v.IDX766_E_RESULT,
        v.IDX766_DIGITISED, v.IDX766_REUSE, v.IDX766_SATISFACTION}


def test_the_766_ids_are_criteria_of_the_index() -> None:
    criteria = {c.id for c in load_index766(REGISTRY_DIR).criteria}
    named = {v.IDX766_ON_TIME, v.IDX766_ONLINE_SHARE, v.IDX766_ONLINE_PAYMENT, v.IDX766_E_RESULT,
             v.IDX766_DIGITISED, v.IDX766_REUSE, v.IDX766_SATISFACTION}
    assert named <= criteria
    assert all(i.startswith(v.IDX766_PREFIX) for i in named)
