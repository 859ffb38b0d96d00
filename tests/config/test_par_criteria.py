"""The CCHC index's criteria as data (config/par_criteria.py, config/data/par-index): the
shipped sample sets load, and the loader refuses sets whose points do not add up, that
name an indicator the system does not compute for a unit, or that overlap in time."""

from __future__ import annotations

import copy
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.errors import CchcError
from config.par_criteria import (
    PAR_INDEX_DIR,
    ComputedMethod,
    LinearRule,
    ParCriteria,
    ParCriteriaError,
    ThresholdsRule,
    load_par_criteria,
)
from config.settings import REGISTRY_DIR


@pytest.fixture(scope="module")
def shipped() -> ParCriteria:
    return load_par_criteria(REGISTRY_DIR)


# --- the shipped sample --------------------------------------------------------------------
def test_the_sample_sets_are_marked_and_separate_for_departments_and_communes(
        shipped: ParCriteria) -> None:
    departments = shipped.set_for("so-ban-nganh", 2025)
    communes = shipped.set_for("ubnd-xa", 2025)
    assert departments is not None and communes is not None
    assert departments is not communes
    assert departments.sample and communes.sample
    assert departments.max_points == communes.max_points == 100
    # districts ended on 30/6/2025 and are not scored by the sample; 2026 needs a decision
    assert shipped.set_for("ubnd-huyen", 2025) is None
    assert shipped.set_for("so-ban-nganh", 2026) is None


def test_the_sample_follows_the_areas_of_the_national_par_index(shipped: ParCriteria) -> None:
    for kind in ("so-ban-nganh", "ubnd-xa"):
        criteria_set = shipped.set_for(kind, 2025)
        assert criteria_set is not None
        names = [a.name for a in criteria_set.areas]
        assert names[0] == "Công tác chỉ đạo, điều hành cải cách hành chính"
        assert names[1:7] == [
            "Cải cách thể chế", "Cải cách thủ tục hành chính",
            "Cải cách tổ chức bộ máy hành chính", "Cải cách chế độ công vụ",
            "Cải cách tài chính công",
            "Xây dựng và phát triển chính quyền điện tử, chính quyền số",
        ]
        methods = {leaf.method.kind for leaf in criteria_set.leaves()}
        assert methods == {"computed", "self_assessed", "appraised", "survey"}


def test_the_sample_computed_criteria_of_departments(shipped: ParCriteria) -> None:
    departments = shipped.set_for("so-ban-nganh", 2025)
    assert departments is not None
    computed = {leaf.id: leaf for leaf in departments.computed()}
    assert set(computed) == {"1.5.1", "1.5.2", "3.3.1", "3.3.2", "3.5.1", "3.5.2",
                             "7.1.1", "7.1.2", "7.2"}
    on_time = computed["3.3.1"].method
    assert isinstance(on_time, ComputedMethod) and on_time.indicator == "on_time_rate"
    assert isinstance(on_time.rule, ThresholdsRule)
    assert [(s.min, s.points) for s in on_time.rule.steps] == [(90, 2), (95, 4), (98, 5),
                                                                 (100, 6)]
    online = computed["3.5.1"].method
    assert isinstance(online, ComputedMethod) and isinstance(online.rule, LinearRule)
    assert online.rule.full_at == 80
    # 9 computed leaves of 4+2+6+2+3+2+4+3+3 = 29 points
    assert sum(leaf.max_points for leaf in computed.values()) == 29


# --- refusals ------------------------------------------------------------------------------
def _set(**changes: Any) -> dict[str, Any]:
    """A small valid set: 2 areas, 10 points."""
    data: dict[str, Any] = {
        "name": "Bộ thử",
        "unit_kinds": ["so-ban-nganh"],
        "document": {"kind": "Quyết định", "applies_from": "2025-01-01",
                     "applies_to": "2025-12-31"},
        "max_points": 10,
        "areas": [
            {"id": "1", "name": "Chỉ đạo điều hành", "max_points": 6, "criteria": [
                {"id": "1.1", "name": "Nhiệm vụ được giao", "max_points": 4, "sub_criteria": [
                    {"id": "1.1.1", "name": "Tỷ lệ hoàn thành", "max_points": 3,
                     "method": {"kind": "computed", "indicator": "task_completion_rate",
                                "rule": {"kind": "linear", "full_at": 100}}},
                    {"id": "1.1.2", "name": "Báo cáo", "max_points": 1,
                     "method": {"kind": "self_assessed"}},
                ]},
                {"id": "1.2", "name": "Kiểm tra", "max_points": 2,
                 "method": {"kind": "appraised"}},
            ]},
            {"id": "2", "name": "Tác động", "max_points": 4, "criteria": [
                {"id": "2.1", "name": "Hài lòng", "max_points": 4,
                 "method": {"kind": "survey"}},
            ]},
        ],
    }
    data.update(changes)
    return data


def _directory(tmp_path: Path, *sets: dict[str, Any]) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name in ("indicators.yaml", "index766.yaml", "unit-kinds.yaml"):
        shutil.copy(REGISTRY_DIR / name, tmp_path / name)
    (tmp_path / PAR_INDEX_DIR).mkdir()
    for number, data in enumerate(sets, start=1):
        (tmp_path / PAR_INDEX_DIR / f"bo-{number}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return tmp_path


def _refused(tmp_path: Path, *sets: dict[str, Any]) -> str:
    with pytest.raises(ParCriteriaError) as caught:
        load_par_criteria(_directory(tmp_path, *sets))
    assert isinstance(caught.value, CchcError)
    return str(caught.value)


def test_a_small_valid_set_loads(tmp_path: Path) -> None:
    loaded = load_par_criteria(_directory(tmp_path, _set()))
    (only,) = loaded.sets
    assert only.set_id == "bo-1" and not only.sample
    assert [leaf.id for leaf in only.leaves()] == ["1.1.1", "1.1.2", "1.2", "2.1"]
    assert [leaf.area_id for leaf in only.leaves()] == ["1", "1", "1", "2"]
    assert loaded.set_for("so-ban-nganh", 2025) is only
    assert loaded.set_for("ubnd-xa", 2025) is None


def test_sub_criteria_that_do_not_add_up_to_their_criterion(tmp_path: Path) -> None:
    data = _set()
    data["areas"][0]["criteria"][0]["sub_criteria"][1]["max_points"] = 2  # 3 + 2 = 5 ≠ 4
    message = _refused(tmp_path, data)
    assert "các tiêu chí thành phần của tiêu chí 1.1 cộng lại là 5 điểm, không phải 4" in message


def test_criteria_that_do_not_add_up_to_their_area(tmp_path: Path) -> None:
    data = _set()
    data["areas"][1]["criteria"][0]["max_points"] = 3  # 3 ≠ 4
    message = _refused(tmp_path, data)
    assert "các tiêu chí của lĩnh vực 2 (Tác động) cộng lại là 3 điểm, không phải 4" in message


def test_areas_that_do_not_add_up_to_the_set(tmp_path: Path) -> None:
    message = _refused(tmp_path, _set(max_points=100))
    assert "các lĩnh vực cộng lại là 10 điểm, không phải 100 điểm" in message


def test_an_unknown_indicator_is_refused(tmp_path: Path) -> None:
    data = _set()
    data["areas"][0]["criteria"][0]["sub_criteria"][0]["method"]["indicator"] = "ty_le_la"
    message = _refused(tmp_path, data)
    assert "tiêu chí 1.1.1: chỉ tiêu ty_le_la không có trong danh mục chỉ tiêu" in message


def test_a_province_only_indicator_is_refused_for_a_unit(tmp_path: Path) -> None:
    data = _set()
    data["areas"][0]["criteria"][0]["sub_criteria"][0]["method"]["indicator"] = (
        "submission_on_time_rate")
    message = _refused(tmp_path, data)
    assert "chỉ tiêu submission_on_time_rate chỉ tính cho toàn tỉnh" in message


def test_a_766_criterion_is_a_known_indicator(tmp_path: Path) -> None:
    data = _set()
    data["areas"][0]["criteria"][0]["sub_criteria"][0]["method"]["indicator"] = (
        "idx766_digitised")
    assert load_par_criteria(_directory(tmp_path, data)).sets


def test_a_criterion_needs_a_method_or_sub_criteria_not_both(tmp_path: Path) -> None:
    neither = _set()
    del neither["areas"][0]["criteria"][1]["method"]
    assert "tiêu chí 1.2 không có cách chấm" in _refused(tmp_path / "a", neither)
    both = _set()
    both["areas"][0]["criteria"][0]["method"] = {"kind": "appraised"}
    assert "tiêu chí 1.1 có tiêu chí thành phần thì không ghi cách chấm" in _refused(
        tmp_path / "b", both)


def test_threshold_steps_must_rise_and_reach_the_maximum(tmp_path: Path) -> None:
    def with_steps(steps: list[dict[str, float]]) -> dict[str, Any]:
        data = _set()
        data["areas"][0]["criteria"][0]["sub_criteria"][0]["method"]["rule"] = {
            "kind": "thresholds", "steps": steps}
        return data

    short = with_steps([{"min": 50, "points": 1}, {"min": 80, "points": 2}])
    assert "tiêu chí 1.1.1: bậc cao nhất cho 2 điểm, không phải 3 điểm tối đa" in _refused(
        tmp_path / "a", short)
    unordered = with_steps([{"min": 80, "points": 1}, {"min": 50, "points": 3}])
    assert "theo ngưỡng (min) tăng dần" in _refused(tmp_path / "b", unordered)


def test_an_unknown_rule_or_method_is_refused(tmp_path: Path) -> None:
    data = _set()
    data["areas"][0]["criteria"][1]["method"] = {"kind": "guessed"}
    _refused(tmp_path, data)


def test_an_unknown_unit_kind_is_refused(tmp_path: Path) -> None:
    message = _refused(tmp_path, _set(unit_kinds=["ubnd-tinh"]))
    assert "loại đơn vị ubnd-tinh không có trong danh mục" in message


def test_two_sets_for_one_kind_at_the_same_time_are_refused(tmp_path: Path) -> None:
    later = copy.deepcopy(_set())
    later["document"] = {"kind": "Quyết định", "applies_from": "2025-06-01"}
    message = _refused(tmp_path, _set(), later)
    assert "cùng áp dụng cho loại đơn vị so-ban-nganh" in message


def test_a_new_decision_from_the_next_year_replaces_the_old_one(tmp_path: Path) -> None:
    """The province's 2026 decision is a new file; the code does not change."""
    decision = copy.deepcopy(_set(name="Quyết định 2026"))
    decision["document"] = {"kind": "Quyết định", "number": "12/QĐ-UBND",
                            "issued_on": "2026-01-15", "applies_from": "2026-01-15"}
    loaded = load_par_criteria(_directory(tmp_path, _set(), decision))
    found_2026 = loaded.set_for("so-ban-nganh", 2026)
    assert found_2026 is not None and found_2026.name == "Quyết định 2026"
    assert found_2026.document.applies_from == date(2026, 1, 15)
    found_2025 = loaded.set_for("so-ban-nganh", 2025)
    assert found_2025 is not None and found_2025.name == "Bộ thử"


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    data = _set()
    data["areas"][0]["criteria"][1]["id"] = "1.1"
    assert "mã tiêu chí 1.1 được ghi hai lần" in _refused(tmp_path, data)


# --- bands (xếp loại) ----------------------------------------------------------------------
def test_the_sample_bands_go_from_excellent_down_to_weak(shipped: ParCriteria) -> None:
    for criteria_set in shipped.sets:
        assert [b.name for b in criteria_set.bands] == ["Xuất sắc", "Tốt", "Khá",
                                                        "Trung bình", "Yếu"]
        assert criteria_set.band_of(90) == "Xuất sắc"  # reaching the minimum counts
        assert criteria_set.band_of(89.99) == "Tốt"
        assert criteria_set.band_of(0) == "Yếu"


def test_a_total_below_every_band_has_none(tmp_path: Path) -> None:
    loaded = load_par_criteria(_directory(tmp_path, _set(bands=[
        {"min": 8, "name": "Tốt"}, {"min": 5, "name": "Đạt"}])))
    (only,) = loaded.sets
    assert only.band_of(8) == "Tốt" and only.band_of(5) == "Đạt"
    assert only.band_of(4.99) is None


def test_bands_must_go_down_and_fit_the_maximum(tmp_path: Path) -> None:
    rising = _refused(tmp_path / "a", _set(bands=[{"min": 5, "name": "Đạt"},
                                                  {"min": 8, "name": "Tốt"}]))
    assert "từ mức cao xuống mức thấp" in rising
    too_high = _refused(tmp_path / "b", _set(bands=[{"min": 50, "name": "Tốt"}]))
    assert "quá 10 điểm tối đa" in too_high
    twice = _refused(tmp_path / "c", _set(bands=[{"min": 8, "name": "Tốt"},
                                                 {"min": 5, "name": "Tốt"}]))
    assert "được ghi hai lần" in twice
