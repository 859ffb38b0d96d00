"""The plausibility checks as pure functions: medians, MADs and z-scores computed by hand
in each test (the arithmetic is in the comments)."""

from __future__ import annotations

import pytest

from config.plausibility import Bounds, BoundsTable, PlausibilityConfig, RobustTest
from tasks.indicators.plausibility import (
    Figure,
    check_figure,
    check_period,
    metric_figures,
    modified_z,
    portal_figures,
    spread,
)
from tasks.model.portal import PortalUnitStats
from tasks.model.records import StoredMetricReport

CONFIG = PlausibilityConfig(
    robust=RobustTest(threshold=3.5, min_points=4, history_months=12, min_difference=0),
    bounds=BoundsTable(default=Bounds(min=0),
                       figures={"portal_online_rate": Bounds(min=0, max=100)}))


def _at(value: float, figure: str = "kiem_tra_cchc", unit: str = "STP") -> Figure:
    return Figure(unit, figure, "2025-05", value)


def test_spread_is_the_median_and_the_scaled_mad() -> None:
    # sorted 1, 2, 3, 4, 100 → median 3; |x − 3| = 2, 1, 0, 1, 97 → sorted 0, 1, 1, 2, 97
    # → MAD 1; scale 1.4826 · 1 = 1.4826
    measured = spread([1, 2, 3, 4, 100], min_points=4)
    assert measured is not None
    assert (measured.median, measured.mad, measured.points) == (3, 1, 5)
    assert measured.scale == pytest.approx(1.4826)
    assert not measured.mean_deviation_used
    # value 13: |13 − 3| / 1.4826 = 10 / 1.4826 = 6.7449…
    assert modified_z(13, measured) == pytest.approx(6.7449, abs=1e-4)


def test_an_even_count_takes_the_mean_of_the_middle_two() -> None:
    # 20 22 18 21 19 20 23 17 20 21 19 22 sorted: 17 18 19 19 20 20 20 21 21 22 22 23
    # → median (20 + 20) / 2 = 20; |x − 20| sorted: 0 0 0 1 1 1 1 2 2 2 3 3 → MAD (1+1)/2 = 1
    measured = spread([20, 22, 18, 21, 19, 20, 23, 17, 20, 21, 19, 22], min_points=4)
    assert measured is not None
    assert (measured.median, measured.mad) == (20, 1)


def test_too_little_history_is_no_robust_test() -> None:
    # three points < min_points 4: no spread, and a wild value is not flagged by it
    assert spread([10, 11, 12], min_points=4) is None
    assert check_figure(_at(10_000), history=[10, 11, 12], peers=[], config=CONFIG) == []


def test_mad_zero_falls_back_to_the_mean_absolute_deviation() -> None:
    # 10 10 10 10 12 → median 10; |x − 10| = 0 0 0 0 2 → MAD 0;
    # mean |x − 10| = 2 / 5 = 0.4 → scale 1.2533 · 0.4 = 0.50132
    measured = spread([10, 10, 10, 10, 12], min_points=4)
    assert measured is not None
    assert measured.mad == 0 and measured.mean_deviation_used
    assert measured.scale == pytest.approx(0.50132)
    # 11: |11 − 10| / 0.50132 = 1.9947 ≤ 3.5: plausible; 20: 10 / 0.50132 = 19.947 > 3.5
    assert check_figure(_at(11), [10, 10, 10, 10, 12], [], CONFIG) == []
    [odd] = check_figure(_at(20), [10, 10, 10, 10, 12], [], CONFIG)
    assert odd.basis == "history" and odd.z == pytest.approx(19.947, abs=1e-3)
    assert odd.ratio == 2  # 20 / median 10


def test_a_constant_history_has_no_spread_only_bounds() -> None:
    # 5 5 5 5: MAD 0 and mean deviation 0: nothing to scale a distance by
    assert spread([5, 5, 5, 5], min_points=4) is None
    assert check_figure(_at(50), [5, 5, 5, 5], [], CONFIG) == []
    [below] = check_figure(_at(-1), [5, 5, 5, 5], [], CONFIG)  # default range: ≥ 0
    assert below.basis == "bounds" and below.bounds == Bounds(min=0)


def test_bounds_come_from_the_data_per_figure() -> None:
    [over] = check_figure(_at(120, "portal_online_rate"), [], [], CONFIG)
    assert over.basis == "bounds" and over.bounds == Bounds(min=0, max=100)
    assert check_figure(_at(100, "portal_online_rate"), [], [], CONFIG) == []
    # the default range (≥ 0) has no upper limit for a count
    assert check_figure(_at(120), [], [], CONFIG) == []


def test_a_small_difference_is_never_odd() -> None:
    # 1 1 1 2 1 2 → median 1; |x − 1| = 0 0 0 1 0 1 → MAD 0; mean 2/6 → scale 0.41777;
    # 4: |4 − 1| / 0.41777 = 7.18 > 3.5, but |4 − 1| = 3 < min_difference 5: no warning
    history = [1, 1, 1, 2, 1, 2]
    strict = CONFIG.model_copy(update={"robust": RobustTest(min_difference=5)})
    assert check_figure(_at(4), history, [], CONFIG)[0].z == pytest.approx(7.181, abs=1e-3)
    assert check_figure(_at(4), history, [], strict) == []


def test_peers_are_the_other_units_of_the_same_kind() -> None:
    # peers of A (kind so): B C D E = 100 110 90 105 → sorted 90 100 105 110 → median
    # 102.5; |x − 102.5| = 2.5 7.5 12.5 2.5 → sorted 2.5 2.5 7.5 12.5 → MAD 5;
    # A = 400: |400 − 102.5| / (1.4826 · 5) = 297.5 / 7.413 = 40.13 > 3.5
    # X (kind xa, 10 000) is no peer of anyone here; B's peers A C D E include A's 400:
    # sorted 90 105 110 400 → median 107.5, |x − 107.5| = 7.5 2.5 2.5 292.5 → MAD 5;
    # B = 100: 7.5 / 7.413 = 1.01 → plausible
    kinds = {"A": "so", "B": "so", "C": "so", "D": "so", "E": "so", "X": "xa"}
    current = [_at(v, unit=u) for u, v in
               (("A", 400), ("B", 100), ("C", 110), ("D", 90), ("E", 105), ("X", 10_000))]
    # a figure not named in peer_figures (a count, growing with size) has no peer test
    assert check_period(current, [], kinds, CONFIG) == []
    peered = CONFIG.model_copy(update={"robust": RobustTest(peer_figures=("kiem_tra_cchc",))})
    [odd] = check_period(current, [], kinds, peered)
    assert (odd.figure.unit, odd.basis) == ("A", "peers")
    assert odd.spread is not None and (odd.spread.median, odd.spread.mad) == (102.5, 5)
    assert odd.z == pytest.approx(297.5 / 7.413, abs=1e-3)
    assert check_period(current, [], kinds, peered, only_units=["B"]) == []


def test_history_is_matched_by_unit_and_figure() -> None:
    history = [Figure("A", "kiem_tra_cchc", f"2025-0{m}", v)
               for m, v in zip(range(1, 5), (2, 3, 2, 3), strict=True)]
    history += [Figure("B", "kiem_tra_cchc", "2025-01", 500)] * 4  # another unit's
    # A: 2 3 2 3 → median 2.5, |x − 2.5| = 0.5 each → MAD 0.5 → scale 0.7413;
    # 30: 27.5 / 0.7413 = 37.1 > 3.5
    [odd] = check_period([_at(30, unit="A")], history, {}, CONFIG)
    assert odd.basis == "history" and odd.spread is not None and odd.spread.median == 2.5


def test_figures_of_metrics_and_portal_counts() -> None:
    reports = [StoredMetricReport("A", "kiem_tra_cchc", 2), StoredMetricReport("A", "x", 1)]
    assert metric_figures("2025-05", reports) == [
        Figure("A", "kiem_tra_cchc", "2025-05", 2), Figure("A", "x", "2025-05", 1)]
    stats = PortalUnitStats("A", 7, carried_over=None, received_online=30,
                            received_in_person=60, received_post=10, resolved_total=80,
                            resolved_on_time=72, resolved_late=8, in_progress_total=None,
                            in_progress_overdue=None)
    by_id = {f.figure: f.value for f in portal_figures("2025-05", [stats])}
    # received 30 + 60 + 10 = 100; online 30 / 100 = 30 %; on time 72 / 80 = 90 %
    assert by_id == {"portal_received": 100, "portal_received_online": 30,
                     "portal_resolved": 80, "portal_resolved_on_time": 72,
                     "portal_online_rate": 30, "portal_on_time_rate": 90}
