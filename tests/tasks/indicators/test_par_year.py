"""The CCHC index for a year (tasks/indicators/par_year.py) from published months stored in
a real database, with the points from outside: expected points worked out by hand (the
scenario is described in tests/par_scenario.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.par_criteria import ComputedMethod
from config.registry import Registry
from connectors.database import Database
from tasks.indicators.par_year import (
    PublishedMonth,
    leaf_points,
    month_figures,
    published_months,
    ranked,
    year_index,
    year_value,
)
from tasks.model.par_assessment import AssessedCriterion
from tasks.model.par_report import (
    NO_ASSESSMENT_VI,
    SOURCE_APPRAISED,
    SOURCE_COMPUTED,
    SOURCE_NONE,
    SOURCE_SELF,
    AreaTotal,
    MonthFigure,
    ParIndexReport,
    UnitIndex,
)
from tests import par_scenario
from tests.scenario import write_registry


@pytest.fixture
def scenario_registry(tmp_path: Path) -> Registry:
    return write_registry(tmp_path / "registry")


@pytest.fixture
def index(db: Database, tmp_path: Path, scenario_registry: Registry) -> ParIndexReport:
    par_scenario.publish_months(db, tmp_path / "reports")
    published = published_months(db, 2025)
    return year_index(scenario_registry, par_scenario.criteria(), 2025, published,
                      par_scenario.ASSESSED, {"SNV": 7.25})


def _points(unit: UnitIndex) -> dict[str, float]:
    return {leaf.criterion_id: leaf.points for leaf in unit.leaves}


def test_the_year_reads_each_months_latest_version(db: Database, tmp_path: Path) -> None:
    par_scenario.publish_months(db, tmp_path / "reports")
    published = published_months(db, 2025)
    assert sorted(published) == list(range(1, 13))
    assert (published[3].period, published[3].version) == ("2025-03", 2)
    figures, lacking = month_figures(published, "SNV", "on_time_rate", [3])
    assert [(f.numerator, f.denominator) for f in figures] == [(90, 100)] and lacking == []


def test_a_department_over_the_whole_year(index: ParIndexReport) -> None:
    snv = index.unit("SNV")
    assert snv is not None and snv.months == tuple(range(1, 13))
    one_one = snv.leaf("1.1")
    assert one_one is not None and one_one.year_value is not None
    # on time: (6 × 90 + 6 × 10) ÷ (6 × 100 + 6 × 10) = 600 ÷ 660 = 90.91 %: step ≥ 90 → 1
    # computed (the average of the monthly rates, (6 × 90 + 6 × 100) ÷ 12 = 95, would give 2)
    assert (one_one.year_value.numerator, one_one.year_value.denominator) == (600, 660)
    assert one_one.year_value.value == pytest.approx(90.909, abs=1e-3)
    assert one_one.computed_points == 1
    # Sở Nội vụ changed it to 2, with its reason: the appraisal counts, the computed 1 is kept
    assert one_one.source == SOURCE_APPRAISED and one_one.points == 2
    assert "đối chiếu hồ sơ tháng 3" in one_one.reason
    assert "điểm tính từ số liệu: 1" in one_one.reason
    assert one_one.appraisal_source == par_scenario.APPRAISAL_FILE
    # task completion is measured to each month's end: December's 3 ÷ 4 = 75 %, not the
    # sum of the months ((11 + 3) ÷ (11 + 4) = 93.3 %); linear: 2 × 75 ÷ 100 = 1.5
    one_two = snv.leaf("1.2")
    assert one_two is not None and one_two.year_value is not None
    assert one_two.year_value.value == 75 and one_two.points == 1.5
    assert [f.month for f in one_two.year_value.used] == [12]
    # tasks overdue: the stock at the end of December, 0 ≤ 0 → 1 (November's 2 does not count)
    one_three = snv.leaf("1.3")
    assert one_three is not None and one_three.points == 1
    # 1.4 self-assessed 1 → 1; 2.1 appraised 1.5
    one_four, two_one = snv.leaf("1.4"), snv.leaf("2.1")
    assert one_four is not None and (one_four.source, one_four.points) == (SOURCE_SELF, 1)
    assert two_one is not None and (two_one.source, two_one.points) == (SOURCE_APPRAISED, 1.5)
    assert "Kế hoạch thiếu sản phẩm" in two_one.reason
    # online filing: May's numerator is missing, so May leaves both sums:
    # 11 × 40 ÷ (11 × 100) = 40 %; linear 2 × 40 ÷ 80 = 1
    two_two = snv.leaf("2.2")
    assert two_two is not None and two_two.year_value is not None
    assert (two_two.year_value.numerator, two_two.year_value.denominator) == (440, 1100)
    assert two_two.year_value.lacking == (5,) and "tháng 05" in two_two.year_value.how
    assert two_two.points == 1
    # area 1: 2 + 1.5 + 1 + 1 = 5.5; area 2: 1.5 + 1 = 2.5; total 8 → «Tốt» (at 8 exactly)
    assert [(a.area_id, a.points) for a in snv.areas] == [("1", 5.5), ("2", 2.5)]
    assert snv.points == 8 and snv.band == "Tốt"
    # last year 7.25 → +0.75
    assert snv.last_year == 7.25 and snv.change == 0.75


def test_a_second_department_and_a_claim_above_the_maximum(index: ParIndexReport) -> None:
    stp = index.unit("STP")
    assert stp is not None
    # on time 12 × 98 ÷ 12 × 100 = 98 % → 2; task completion 4 ÷ 4 = 100 % → 2;
    # tasks overdue 1 at December's end → 0; 1.4 claimed 1.5 > max 1 → 1 (guarded);
    # 2.1 not appraised → 0 «chưa có điểm tự chấm/thẩm định»; online filing 20 % → 2 × 20 ÷ 80
    # = 0.5. Area 1: 2 + 2 + 0 + 1 = 5; area 2: 0 + 0.5 = 0.5; total 5.5 → «Đạt»
    assert _points(stp) == {"1.1": 2, "1.2": 2, "1.3": 0, "1.4": 1, "2.1": 0, "2.2": 0.5}
    one_four, two_one = stp.leaf("1.4"), stp.leaf("2.1")
    assert one_four is not None and "quá điểm tối đa" in one_four.reason
    assert two_one is not None and two_one.source == SOURCE_NONE
    assert NO_ASSESSMENT_VI in two_one.reason
    assert stp.points == 5.5 and stp.band == "Đạt"
    assert stp.last_year is None and stp.change is None


def test_a_department_merged_in_2025_is_scored_over_its_months(index: ParIndexReport) -> None:
    skhdt = index.unit("SKHDT")
    assert skhdt is not None
    # valid to 28/02/2025: January and February only; March's 0 ÷ 2 is not its month
    assert skhdt.months == (1, 2) and skhdt.months_vi() == "2 tháng (01–02)"
    # on time (19 + 1) ÷ (20 + 20) = 50 % < 90 → 0; task completion February 2 ÷ 2 → 2;
    # tasks overdue 0 → 1; 1.4, 2.1 nothing → 0; online filing (60 + 100) ÷ 200 = 80 % → 2.
    # Total 0 + 2 + 1 + 0 + 0 + 2 = 5 → «Đạt»; nothing is prorated for 2 months
    assert _points(skhdt) == {"1.1": 0, "1.2": 2, "1.3": 1, "1.4": 0, "2.1": 0, "2.2": 2}
    assert skhdt.points == 5 and skhdt.band == "Đạt"
    assert skhdt.successors == ("Sở Tư pháp (STP)",)
    snv = index.unit("SNV")
    assert snv is not None and snv.successors == ()


def test_ranking_in_the_group_and_notes(index: ParIndexReport) -> None:
    (group,) = index.groups
    # 8 > 5.5 > 5; the commune (X30307) is not scored by the departments' set
    assert [(u.unit, u.rank) for u in group.units] == [("SNV", 1), ("STP", 2), ("SKHDT", 3)]
    assert index.last_year_found
    assert not any("năm 2024" in note for note in index.notes)


def test_equal_totals_share_a_rank() -> None:
    def unit(code: str, points: float) -> UnitIndex:
        return UnitIndex(code, code, "bo", (1,), points, 10, (AreaTotal("1", "a", 10, points),),
                         ())
    order = ranked([unit("B", 7), unit("A", 9), unit("C", 7), unit("D", 6)])
    assert [(u.unit, u.rank) for u in order] == [("A", 1), ("B", 2), ("C", 2), ("D", 4)]


def test_without_months_last_year_or_assessments_it_says_so(scenario_registry: Registry
                                                             ) -> None:
    index = year_index(scenario_registry, par_scenario.criteria(), 2025, {}, [], None)
    snv = index.unit("SNV")
    assert snv is not None and snv.points == 0
    one_one = snv.leaf("1.1")
    assert one_one is not None and "không có số liệu chỉ tiêu on_time_rate" in one_one.reason
    assert any("Chưa có báo cáo tháng 01, 02" in n for n in index.notes)
    assert any("Chưa có Chỉ số CCHC năm 2024" in n for n in index.notes)
    assert any("Chưa có điểm tự chấm" in n for n in index.notes)


def test_a_stock_missing_in_the_last_month_takes_the_last_month_with_one() -> None:
    figures = [MonthFigure(4, "2025-04", 1, 3, None, 3)]
    value = year_value("tasks_overdue", "count", figures, [4, 5, 6])
    assert value.value == 3 and value.lacking == (5, 6)
    assert "tháng cuối có số liệu" in value.how


def test_an_appraisal_without_a_leaf_value_and_a_self_claim_on_a_computed_leaf() -> None:
    criteria = par_scenario.criteria()
    leaf = next(x for x in criteria.sets[0].leaves() if x.id == "1.3")
    # a self claim on a computed criterion does not replace the computed points
    claimed = AssessedCriterion("SNV", 2025, "1.3", self_points=1)
    points = leaf_points(leaf, None, claimed)
    assert (points.source, points.points) == (SOURCE_COMPUTED, 0)
    published: dict[int, PublishedMonth] = {}
    assert month_figures(published, "SNV", "tasks_overdue", [1]) == ([], [1])


def test_a_rate_at_month_end_without_a_task_due_says_so() -> None:
    # a commune with no task due: each month 0 ÷ 0, no rate; the last month is named
    figures = [MonthFigure(m, f"2025-{m:02d}", 1, 0, 0, None) for m in (7, 8)]
    value = year_value("task_completion_rate", "rate", figures, [7, 8])
    assert value.value is None and value.lacking == ()
    assert value.how == "cuối tháng 08/2025: tử số 0, mẫu số 0, không tính được giá trị"


def test_nothing_due_gives_the_points_the_criteria_set_says() -> None:
    # 0 ÷ 0 tasks at the end of August: zero points by default, full when the set says so
    criteria = par_scenario.criteria()
    leaf = next(x for x in criteria.sets[0].leaves()
                if isinstance(x.method, ComputedMethod)
                and x.method.indicator == "task_completion_rate")
    assert isinstance(leaf.method, ComputedMethod) and leaf.method.nothing_due == "zero"
    figures = [MonthFigure(m, f"2025-{m:02d}", 1, 0, 0, None) for m in (7, 8)]
    value = year_value("task_completion_rate", "rate", figures, [7, 8])
    assert leaf_points(leaf, value, None).points == 0
    full = leaf.model_copy(update={
        "method": leaf.method.model_copy(update={"nothing_due": "full"})})
    points = leaf_points(full, value, None)
    assert (points.source, points.points) == (SOURCE_COMPUTED, leaf.max_points)
    assert "không có việc đến hạn" in points.reason
    # a rate with a denominator but no figure at all is still no data: 0
    assert leaf_points(full, year_value("task_completion_rate", "rate", [], [7, 8]),
                       None).points == 0
