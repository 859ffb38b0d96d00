"""Points of the 766 index and what-if scenarios, on the hand-made dossier file.

Province rates from tests/fixtures/ho-so-2025-05.csv (worked by hand in test_dossiers.py):
on time 8/12 = 66.67 %, online 5/11 = 45.45 %, payment 3/5 = 60 %, e-result 3/5 = 60 %,
digitised 5/11 = 45.45 %, reuse 3/11 = 27.27 %, satisfaction 66.67 − 27.27 = 39.39 %.
Points (config/data/index766.yaml: max / threshold):
  2.1  66.67 × 20 / 100          = 13.333
  3.3  45.45 × 12 / 50           = 10.909
  3.6  60    × 10 / 80           =  7.5
  4.1  60    ×  6 / 100          =  3.6
  4.2  45.45 ×  8 / 80           =  4.545
  4.3  27.27 ×  8 / 80           =  2.727
  5.4  39.39 × 18 / 90           =  7.879
  groups: 2 = 13.333, 3 = 18.409, 4 = 10.873, 5 = 7.879; group 1 not computable;
  total 50.494 of 82 points.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from config.index766 import Index766Config, load_index766
from config.settings import REGISTRY_DIR
from tasks.portal.dossiers import aggregate_rows, indicators_of_units, rates_of
from tasks.portal.index766 import (
    OverrideError,
    criterion_points,
    parse_override,
    score,
    what_if,
)
from tests.paths import FIXTURES

FIXTURE = FIXTURES / "ho-so-2025-05.csv"
ON_TIME, ONLINE = 800 / 12, 500 / 11
COMPLAINTS = 300 / 11
HAND_POINTS = {
    "idx766_on_time": ON_TIME * 20 / 100,
    "idx766_online_share": ONLINE * 12 / 50,
    "idx766_online_payment": 60 * 10 / 80,
    "idx766_e_result": 60 * 6 / 100,
    "idx766_digitised": 500 / 11 * 8 / 80,
    "idx766_reuse": 300 / 11 * 8 / 80,
    "idx766_satisfaction": (ON_TIME - COMPLAINTS) * 18 / 90,
}


@pytest.fixture(scope="module")
def rules() -> Index766Config:
    return load_index766(REGISTRY_DIR)


@pytest.fixture(scope="module")
def rates(rules: Index766Config) -> dict[str, float | None]:
    counts = aggregate_rows(FIXTURE, (date(2025, 4, 15), date(2025, 5, 14)), rules)
    return rates_of(indicators_of_units(counts))


def test_points_full_at_threshold_proportional_below(rules: Index766Config) -> None:
    online = rules.criterion("idx766_online_share")
    assert online is not None
    assert criterion_points(50, online) == 12
    assert criterion_points(75, online) == 12
    assert criterion_points(25, online) == 6
    assert criterion_points(-5, online) == 0
    assert criterion_points(None, online) is None


def test_province_points_and_groups(rules: Index766Config,
                                   rates: dict[str, float | None]) -> None:
    result = score(rates, rules)
    for indicator, points in HAND_POINTS.items():
        assert result.of(indicator).points == pytest.approx(points), indicator
    groups = {g.group: g for g in result.groups}
    assert groups[1].points is None
    assert groups[1].missing == ("1: dữ liệu hồ sơ của tỉnh không tính được",)
    assert [g.group for g in result.not_computable_groups()] == [1]
    assert groups[2].points == pytest.approx(HAND_POINTS["idx766_on_time"])
    assert groups[3].points == pytest.approx(HAND_POINTS["idx766_online_share"] + 7.5)
    assert groups[4].points == pytest.approx(3.6 + 500 / 110 + 300 / 110)
    assert groups[5].points == pytest.approx(HAND_POINTS["idx766_satisfaction"])
    assert result.points == pytest.approx(sum(HAND_POINTS.values()))
    assert result.max_points_scored == 82


def test_a_rate_without_data_leaves_its_group_partial(rules: Index766Config,
                                                      rates: dict[str, float | None]) -> None:
    result = score({**rates, "idx766_online_payment": None}, rules)
    group3 = next(g for g in result.groups if g.group == 3)
    assert group3.points is None
    assert group3.partial_points == pytest.approx(HAND_POINTS["idx766_online_share"])
    assert group3.missing == ("3.6: không có số liệu",)
    assert result.max_points_scored == 72


def test_what_if_online_share_60(rules: Index766Config,
                                 rates: dict[str, float | None]) -> None:
    result = what_if(rates, {"idx766_online_share": 60}, rules)
    assert result.after.of("idx766_online_share").points == 12
    assert result.gained == pytest.approx(12 - ONLINE * 12 / 50)  # 1.0909
    assert [a.indicator for _, a in result.changed()] == ["idx766_online_share"]


def test_what_if_on_time_moves_satisfaction(rules: Index766Config,
                                            rates: dict[str, float | None]) -> None:
    result = what_if(rates, {"idx766_on_time": 100}, rules)
    # satisfaction 100 − 27.27 = 72.73 → 72.73 × 18 / 90 = 14.545
    assert result.after.of("idx766_satisfaction").rate == pytest.approx(100 - COMPLAINTS)
    assert result.gained == pytest.approx(
        (20 - HAND_POINTS["idx766_on_time"])
        + ((100 - COMPLAINTS) * 18 / 90 - HAND_POINTS["idx766_satisfaction"]))
    both = what_if(rates, {"idx766_on_time": 100, "idx766_satisfaction": 50}, rules)
    assert both.after.of("idx766_satisfaction").rate == 50


def test_overrides_are_checked(rules: Index766Config, rates: dict[str, float | None]) -> None:
    assert parse_override("idx766_online_share=60") == ("idx766_online_share", 60.0)
    assert parse_override(" idx766_reuse = 42,5% ") == ("idx766_reuse", 42.5)
    with pytest.raises(OverrideError, match="không đúng dạng"):
        parse_override("idx766_online_share")
    with pytest.raises(OverrideError, match="không phải là số"):
        parse_override("idx766_online_share=nhiều")
    with pytest.raises(OverrideError, match="Không có chỉ số «idx766_publication»"):
        what_if(rates, {"idx766_publication": 50}, rules)
    with pytest.raises(OverrideError, match="0–100"):
        what_if(rates, {"idx766_online_share": 150}, rules)


def test_cli_whatif_prints_points_gained(tmp_path: Path) -> None:
    (tmp_path / "portal").mkdir()
    shutil.copy(FIXTURE, tmp_path / "portal" / "ho-so-2025-05.csv")
    runner = CliRunner()
    result = runner.invoke(app, ["whatif", "--period", "2025-05", "--workspace", str(tmp_path),
                                 "--set", "idx766_online_share=60"])
    assert result.exit_code == 0, result.output
    assert "3.3 Tỷ lệ hồ sơ trực tuyến: 45.45 % → 60.00 %; điểm 10.91 → 12.00 / 12" in (
        result.output)
    assert "Tổng điểm tính được: 50.49 → 51.58 (tăng 1.09)" in result.output
    assert "Nhóm 1. Công khai, minh bạch: không tính được" in result.output

    missing = runner.invoke(app, ["whatif", "--period", "2025-04", "--workspace",
                                  str(tmp_path), "--set", "idx766_online_share=60"])
    assert missing.exit_code == 2

    bad = tmp_path / "portal" / "ho-so-2025-06.csv"
    bad.write_text(FIXTURE.read_text(encoding="utf-8").replace(",SNV,", ",SO-LA,"),
                   encoding="utf-8")
    rejected = runner.invoke(app, ["whatif", "--period", "2025-06", "--workspace",
                                   str(tmp_path), "--set", "idx766_online_share=60"])
    assert rejected.exit_code == 1
    assert "mã đơn vị không có trong danh mục" in rejected.output


def test_every_dossier_indicator_has_a_rule_and_a_name(rules: Index766Config) -> None:
    from tasks.portal.dossiers import INDICATOR_IDS

    names = rules.indicator_names()
    assert sorted(names) == sorted(INDICATOR_IDS)
    assert names["idx766_online_share"] == "Chỉ số 766, tiêu chí 3.3: Tỷ lệ hồ sơ trực tuyến"
