"""The unit crosswalk: checks on load, chains to today, and rebased trends by hand."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from fractions import Fraction

import pytest
import yaml

from config.crosswalk import Crosswalk, load_crosswalk
from config.settings import REGISTRY_DIR
from tasks.indicators.trend import rebase, trend
from tasks.model.report import PROVINCE, IndicatorValue
from tests.paths import REPO

ROOT = REPO
KINDS = {"online_filing_rate": "rate", "received": "count"}

# A hand-made history: district A merges with district B into commune X on 1/7; district
# B is split between X (1/4) and Y (3/4). Before July A and B report; from July X and Y.
SMALL = Crosswalk.model_validate({"changes": [
    {"from": "A", "effective": "2025-07-01", "to": {"X": 1}},
    {"from": "B", "effective": "2025-07-01", "to": {"X": "1/4", "Y": "3/4"}},
]})


def test_weights_follow_the_chain_only_from_the_change_date() -> None:
    assert SMALL.weights_on("B", date(2025, 6, 30)) == {"B": Fraction(1)}
    assert SMALL.weights_on("B", date(2025, 7, 1)) == {"X": Fraction(1, 4), "Y": Fraction(3, 4)}
    assert SMALL.weights_on("X", date(2026, 1, 1)) == {"X": Fraction(1)}


def test_rebased_rates_are_recomputed_from_moved_parts_never_averaged() -> None:
    june = [
        IndicatorValue(PROVINCE, "online_filing_rate", 60, 200, 30.0),
        IndicatorValue("A", "online_filing_rate", 40, 100, 40.0),
        IndicatorValue("B", "online_filing_rate", 20, 100, 20.0),
        IndicatorValue("A", "received", 100, None, 100),
        IndicatorValue("B", "received", 100, None, 100),
    ]
    rebased = {(v.unit, v.indicator): v
               for v in rebase(june, SMALL, date(2026, 10, 14), kinds=KINDS)}
    # X = all of A + 1/4 of B: 40 + 5 = 45 online of 100 + 25 = 125 received → 36 %.
    x = rebased[("X", "online_filing_rate")]
    assert (x.numerator, x.denominator) == (45.0, 125.0)
    assert x.value == pytest.approx(36.0)
    # Y = 3/4 of B: 15 of 75 → 20 %. (An average of A's and B's rates would give 30 %.)
    y = rebased[("Y", "online_filing_rate")]
    assert (y.numerator, y.denominator) == (15.0, 75.0)
    assert y.value == pytest.approx(20.0)
    assert rebased[("X", "received")].value == pytest.approx(125.0)
    assert rebased[("Y", "received")].value == pytest.approx(75.0)
    # The province row is left as reported, and the moved parts add up to it.
    assert rebased[(PROVINCE, "online_filing_rate")].value == 30.0
    assert x.numerator + y.numerator == 60  # type: ignore[operator]


def test_a_missing_part_moves_nothing() -> None:
    values = [IndicatorValue("B", "online_filing_rate", 20, None, None)]
    (x, y) = rebase(values, SMALL, date(2025, 8, 1), kinds=KINDS)
    assert (x.unit, x.numerator, x.denominator, x.value) == ("X", 5.0, None, None)
    assert (y.unit, y.numerator, y.value) == ("Y", 15.0, None)


def test_trend_keeps_both_series_and_marks_the_break() -> None:
    history = [
        ("2025-06", [IndicatorValue("A", "online_filing_rate", 40, 100, 40.0)]),
        ("2025-07", [IndicatorValue("X", "online_filing_rate", 50, 100, 50.0)]),
    ]
    points = trend(history, SMALL, date(2026, 10, 14), kinds=KINDS, breaks=["2025-07"])
    reported = [(p.period, p.unit, p.value) for p in points if not p.rebased]
    rebased = [(p.period, p.unit, p.value) for p in points if p.rebased]
    assert reported == [("2025-06", "A", 40.0), ("2025-07", "X", 50.0)]
    assert rebased == [("2025-06", "X", 40.0), ("2025-07", "X", 50.0)]
    assert [p.series_break for p in points if p.period == "2025-07"] == [True, True]


@pytest.mark.parametrize("changes, message", [
    ([{"from": "A", "effective": "2025-07-01", "to": {"X": "1/2", "Y": "1/3"}}], "cộng lại là 5/6"),
    ([{"from": "A", "effective": "2025-07-01", "to": {"X": 1}},
      {"from": "X", "effective": "2026-01-01", "to": {"A": 1}}], "vòng lặp"),
    ([{"from": "A", "effective": "2025-07-01", "to": {"X": 1}},
      {"from": "A", "effective": "2026-01-01", "to": {"Y": 1}}], "thay đổi hai lần"),
    ([{"from": "A", "effective": "2025-07-01", "to": {"A": 1}}], "kế thừa của chính nó"),
    ([{"from": "A", "effective": "2025-07-01", "to": {"X": 2, "Y": -1}}], "không dương"),
])
def test_a_bad_crosswalk_is_refused_on_load(changes: list[dict[str, object]],
                                           message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Crosswalk.model_validate({"changes": changes})


def test_the_shipped_crosswalk_loads_and_every_old_district_reaches_new_communes() -> None:
    crosswalk = load_crosswalk((REGISTRY_DIR / "crosswalk").glob("*.yaml"))
    districts = [c for c in crosswalk.changes if c.source.startswith("UBND-")]
    assert len(districts) == 11
    communes = yaml.safe_load((REGISTRY_DIR / "communes.yaml").read_text(encoding="utf-8"))
    codes = {a["code"] for a in communes["agencies"]}
    for change in districts:
        assert change.effective == date(2025, 7, 1)
        assert sum(change.to.values()) == 1
        assert set(change.to) <= codes, change.source
    # Long Xuyên city went into its wards: Phường Long Xuyên (30307) is among them.
    assert "X30307" in crosswalk.weights_on("UBND-LX", date(2025, 7, 1))


def test_the_communes_are_the_official_list() -> None:
    from vietnam_provinces import Ward

    official = {int(w.code): w.name for w in Ward.iter_all() if int(w.province_code) == 91}
    data = yaml.safe_load((REGISTRY_DIR / "communes.yaml").read_text(encoding="utf-8"))
    ours = {a["official_code"]: a for a in data["agencies"]}
    assert len(official) == 102 and len(ours) == 102
    assert set(ours) == set(official)
    for code, unit in ours.items():
        assert unit["code"] == f"X{code}"
        assert unit["name"] == official[code]
        assert unit["kind"] == "ubnd-xa"
        assert unit["valid_from"] == date(2025, 7, 1)


def test_the_generated_files_match_their_sources() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_units.py"),
                             "--check"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
