"""A small hand-made province whose indicators are worked out by hand in the tests.

Registry: SNV, STP (departments), UBND-LX (district, closes 30/06/2025, then commune
X30307), SKHDT (closed 28/02/2025 into STP, so not expected in May 2025). Tasks: T1 (SNV,
due 31/03/2025), T2 (all departments, due 14/05/2025 = the period's last day), T3
(UBND-LX, due 30/04/2025), T4 (departments and districts, no deadline).
Period 2025-05: window 15/04-14/05, due 18/05/2025.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from config.registry import Registry, load_registry
from config.settings import REGISTRY_DIR
from tasks.demo.province import PortalRow, write_portal_export
from tasks.intake.template import TaskEntry, write_template
from tasks.model.periods import parse_period
from tasks.model.rules import ReportingRules

PERIOD = parse_period("2025-05")
TODAY = date(2025, 6, 1)

AGENCIES = [
    {"code": "SNV", "name": "Sở Nội vụ", "kind": "so-ban-nganh"},
    {"code": "STP", "name": "Sở Tư pháp", "kind": "so-ban-nganh"},
    {"code": "UBND-LX", "name": "UBND thành phố Long Xuyên", "kind": "ubnd-huyen",
     "valid_to": "2025-06-30"},
    {"code": "SKHDT", "name": "Sở Kế hoạch và Đầu tư", "kind": "so-ban-nganh",
     "valid_to": "2025-02-28"},
    {"code": "X30307", "name": "Phường Long Xuyên", "kind": "ubnd-xa",
     "valid_from": "2025-07-01"},
]
CROSSWALK = {"changes": [
    {"from": "SKHDT", "effective": "2025-03-01", "to": {"STP": 1}},
    {"from": "UBND-LX", "effective": "2025-07-01", "to": {"X30307": 1}},
]}
TASKS = {"document": {"kind": "Thông báo", "applies_from": "2025-01-01"}, "tasks": [
    {"id": "T1", "area": "chế độ công vụ", "text": "Kế hoạch", "lead": ["SNV"],
     "deadline": "2025-03-31"},
    {"id": "T2", "area": "thể chế", "text": "Rà soát", "lead": ["@so-ban-nganh"],
     "deadline": "2025-05-14"},
    {"id": "T3", "area": "thủ tục hành chính", "text": "Bộ phận một cửa", "lead": ["UBND-LX"],
     "deadline": "2025-04-30"},
    {"id": "T4", "area": "tuyên truyền", "text": "Tuyên truyền",
     "lead": ["@so-ban-nganh", "@ubnd-huyen"]},
]}
INDICATORS = {
    "indicators": [
        {"id": "online_filing_rate", "name": "Tỷ lệ trực tuyến", "kind": "rate"},
        {"id": "on_time_rate", "name": "Tỷ lệ đúng hạn", "kind": "rate"},
        {"id": "overdue_in_progress", "name": "Đang giải quyết quá hạn", "kind": "count"},
        {"id": "task_completion_rate", "name": "Hoàn thành nhiệm vụ", "kind": "rate"},
        {"id": "tasks_overdue", "name": "Nhiệm vụ quá hạn", "kind": "count"},
        {"id": "submission_rate", "name": "Nộp báo cáo", "kind": "rate", "scope": "province"},
        {"id": "submission_on_time_rate", "name": "Nộp đúng hạn", "kind": "rate",
         "scope": "province"},
    ],
    "metrics": [{"code": "kiem_tra", "name": "Số cuộc kiểm tra", "unit": "cuộc"}],
    "targets": [
        {"indicator": "online_filing_rate", "op": ">=", "value": 80},
        {"indicator": "task_completion_rate", "op": ">=", "value": 100},
    ],
}
# received total, online, in person, post, carried over; resolved, on time, late;
# in progress, within deadline, overdue; waiting, returned, satisfaction
PORTAL: list[PortalRow] = [
    ("Sở Nội vụ", "SNV", [105, 30, 60, 10, 5, 80, 76, 4, 25, 20, 5, 1, 0, 0.97]),
    ("UBND thành phố Long Xuyên", "UBND-LX",
     [500, 200, 290, 10, 0, 450, 441, 9, 50, 47, 3, 2, 1, 0.95]),
]


def write_registry(folder: Path) -> Registry:
    """The scenario's registry; unit kinds and groups are the project's own."""
    (folder / "tasks").mkdir(parents=True, exist_ok=True)
    (folder / "crosswalk").mkdir(exist_ok=True)
    shutil.copy(REGISTRY_DIR / "unit-kinds.yaml", folder / "unit-kinds.yaml")
    for name, data in (("agencies.yaml", {"agencies": AGENCIES}),
                       ("indicators.yaml", INDICATORS), ("tasks/t.yaml", TASKS),
                       ("crosswalk/t.yaml", CROSSWALK)):
        (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_registry(folder)


def _stamp(path: Path, when: datetime) -> Path:
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def drop_snv(workspace: Path, registry: Registry, *, t2_done: bool = False) -> Path:
    """SNV on time (10/05): T1 done, T2 in progress (or done, in the corrected file)."""
    t2 = (TaskEntry("T2", "Hoàn thành", 100, date(2025, 5, 12)) if t2_done
          else TaskEntry("T2", "Đang thực hiện", 50))
    name = "snv-sua.xlsx" if t2_done else "snv.xlsx"
    path = write_template(registry, "SNV", PERIOD, workspace / "inbox" / "SNV" / name,
                          [TaskEntry("T1", "Hoàn thành", 100, date(2025, 3, 28)), t2],
                          {"kiem_tra": 3}, rules=ReportingRules())
    return _stamp(path, datetime(2025, 5, 11 if t2_done else 10, 3, tzinfo=UTC))


def build_workspace(workspace: Path, registry: Registry) -> None:
    """SNV on time; UBND-LX late (20/05); STP missing; the portal export."""
    drop_snv(workspace, registry)
    lx = write_template(registry, "UBND-LX", PERIOD,
                        workspace / "inbox" / "UBND-LX" / "lx.xlsx",
                        [TaskEntry("T3", "Đang thực hiện",
                                   80)], {"kiem_tra": 2}, rules=ReportingRules())
    _stamp(lx, datetime(2025, 5, 20, 2, tzinfo=UTC))
    write_portal_export(workspace / "portal" / "thong-ke-2025-05.xlsx", PERIOD, PORTAL)
