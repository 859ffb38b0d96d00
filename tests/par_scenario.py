"""A year of the CCHC index worked out by hand: the scenario's province (tests/scenario.py)
with a small criteria set, the months' published figures and the points from outside.

Criteria set «bo-thu» (departments, 10 points; bands Tốt ≥ 8, Đạt ≥ 5, Chưa đạt ≥ 0):

| leaf | method | max |
| --- | --- | --- |
| 1.1 | on_time_rate, steps ≥ 90 → 1, ≥ 95 → 2 | 2 |
| 1.2 | task_completion_rate, linear full at 100 | 2 |
| 1.3 | tasks_overdue ≤ 0 | 1 |
| 1.4 | self_assessed | 1 |
| 2.1 | appraised | 2 |
| 2.2 | online_filing_rate, linear full at 80 | 2 |

Published monthly figures (numerator/denominator; counts as the value):

- SNV, every month of 2025: on time 90/100 in months 1–6, 10/10 in months 7–12; task
  completion 1/1 in months 1–11, 3/4 in month 12; tasks overdue 2 in month 11, 0 in
  month 12; online filing 40/100 except month 5, whose numerator is missing.
- STP, every month: on time 98/100; task completion 4/4 in month 12; tasks overdue 1 in
  month 12; online filing 20/100.
- SKHDT (closed 28/02/2025, merged into STP): on time 19/20 in month 1, 1/20 in month 2;
  task completion 2/2 in month 2 and 0/2 in month 3 (after it closed: not its month);
  tasks overdue 0 in month 2; online filing 60/100 in month 1, 100/100 in month 2.

From outside: SNV claims 1 point for 1.4; Sở Nội vụ appraises SNV's 2.1 at 1.5 («Kế hoạch
thiếu sản phẩm») and changes SNV's computed 1.1 to 2 («đối chiếu hồ sơ tháng 3»); STP
claims 1.5 points for 1.4 (more than its maximum of 1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from config.par_criteria import ParCriteria, ParCriteriaSet
from connectors.database import Database
from tasks.model.par_assessment import AssessedCriterion
from tasks.model.report import IndicatorValue
from tasks.model.vocabulary import rate

YEAR = 2025
SELF_FILE = "tu-cham-SNV-2025.xlsx"
APPRAISAL_FILE = "tham-dinh-2025.xlsx"


def _computed(indicator: str, rule: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "computed", "indicator": indicator, "rule": rule}


CRITERIA_SET: dict[str, Any] = {
    "name": "Bộ chỉ số thử của sở", "unit_kinds": ["so-ban-nganh"],
    "document": {"kind": "Quyết định", "applies_from": "2025-01-01",
                 "applies_to": "2025-12-31"},
    "max_points": 10,
    "bands": [{"min": 8, "name": "Tốt"}, {"min": 5, "name": "Đạt"},
              {"min": 0, "name": "Chưa đạt"}],
    "areas": [
        {"id": "1", "name": "Chỉ đạo, điều hành", "max_points": 6, "criteria": [
            {"id": "1.1", "name": "Hồ sơ đúng hạn", "max_points": 2,
             "method": _computed("on_time_rate", {"kind": "thresholds", "steps": [
                 {"min": 90, "points": 1}, {"min": 95, "points": 2}]})},
            {"id": "1.2", "name": "Hoàn thành nhiệm vụ", "max_points": 2,
             "method": _computed("task_completion_rate", {"kind": "linear", "full_at": 100})},
            {"id": "1.3", "name": "Không có nhiệm vụ quá hạn", "max_points": 1,
             "method": _computed("tasks_overdue",
                                 {"kind": "all_or_nothing", "op": "<=", "value": 0})},
            {"id": "1.4", "name": "Tuyên truyền", "max_points": 1,
             "method": {"kind": "self_assessed"}},
        ]},
        {"id": "2", "name": "Chính quyền số", "max_points": 4, "criteria": [
            {"id": "2.1", "name": "Kế hoạch chuyển đổi số", "max_points": 2,
             "method": {"kind": "appraised"}},
            {"id": "2.2", "name": "Hồ sơ trực tuyến", "max_points": 2,
             "method": _computed("online_filing_rate", {"kind": "linear", "full_at": 80})},
        ]},
    ],
}


def criteria() -> ParCriteria:
    loaded = ParCriteriaSet.model_validate(CRITERIA_SET)
    return ParCriteria(sets=(loaded.model_copy(update={"set_id": "bo-thu"}),))


Figures = dict[str, tuple[float | None, float | None]]


def _month(month: int) -> dict[str, Figures]:
    """Each unit's (numerator, denominator) per indicator in ``month``."""
    units: dict[str, Figures] = {}
    snv: Figures = {
        "on_time_rate": (90, 100) if month <= 6 else (10, 10),
        "task_completion_rate": (1, 1) if month <= 11 else (3, 4),
        "online_filing_rate": (None, 100) if month == 5 else (40, 100),
    }
    if month >= 11:
        snv["tasks_overdue"] = (2 if month == 11 else 0, None)
    units["SNV"] = snv
    stp: Figures = {"on_time_rate": (98, 100), "online_filing_rate": (20, 100)}
    if month == 12:
        stp |= {"task_completion_rate": (4, 4), "tasks_overdue": (1, None)}
    units["STP"] = stp
    if month == 1:
        units["SKHDT"] = {"on_time_rate": (19, 20), "online_filing_rate": (60, 100)}
    elif month == 2:
        units["SKHDT"] = {"on_time_rate": (1, 20), "task_completion_rate": (2, 2),
                          "tasks_overdue": (0, None), "online_filing_rate": (100, 100)}
    elif month == 3:
        units["SKHDT"] = {"task_completion_rate": (0, 2)}
    return units


def month_values(month: int) -> list[IndicatorValue]:
    values = []
    for unit, figures in _month(month).items():
        for indicator, (numerator, denominator) in figures.items():
            value = numerator if denominator is None else rate(numerator, denominator)
            values.append(IndicatorValue(unit, indicator, numerator, denominator, value))
    return values


def publish_months(db: Database, reports_dir: Path, months: range = range(1, 13)) -> None:
    """A published version (v1; v2 for March, whose v1 held wrong figures) of each month."""
    for month in months:
        label = f"{YEAR}-{month:02d}"
        if month == 3:  # an older version the year must not read
            old = db.claim_report_version(label, "cu", None, reports_dir=reports_dir)
            db.save_indicator_values(old.version.id, [
                IndicatorValue("SNV", "on_time_rate", 0, 10, 0.0)])
        claim = db.claim_report_version(label, f"f{month}", None, reports_dir=reports_dir)
        db.save_indicator_values(claim.version.id, month_values(month))


ASSESSED = [
    AssessedCriterion(unit="SNV", year=YEAR, criterion_id="1.4", self_points=1,
                      evidence="Kế hoạch tuyên truyền số 12/KH-SNV", self_source=SELF_FILE),
    AssessedCriterion(unit="SNV", year=YEAR, criterion_id="2.1", appraised_points=1.5,
                      appraisal_reason="Kế hoạch thiếu sản phẩm",
                      appraisal_source=APPRAISAL_FILE),
    AssessedCriterion(unit="SNV", year=YEAR, criterion_id="1.1", appraised_points=2,
                      appraisal_reason="đối chiếu hồ sơ tháng 3",
                      appraisal_source=APPRAISAL_FILE),
    AssessedCriterion(unit="STP", year=YEAR, criterion_id="1.4", self_points=1.5,
                      evidence="Báo cáo 3/BC-STP", self_source="tu-cham-STP-2025.xlsx"),
]
