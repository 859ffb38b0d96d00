"""A month's odd figures in the report's data issues: STP's dossiers received in May far
above its own last 12 months, with the history that makes them odd (real database)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from config.index766 import load_index766
from config.plausibility import load_plausibility
from config.registry import Registry
from config.settings import REGISTRY_DIR
from connectors.database import Database
from tasks.model.periods import Period, parse_period
from tasks.model.portal import PortalExport, PortalUnitStats
from tasks.model.rules import ReportingRules
from tasks.report.letterhead import Letterhead
from tasks.report.plausibility import months_before
from tasks.report.reporting import Reporting
from tests.builders import file_meta

MAY = parse_period("2025-05")
# 2024-05 … 2025-04, STP's dossiers received: the median 1 020 ± 10, 30, 85, 85, 100, 200
# sorted 820 920 935 935 990 1010 1030 1050 1105 1105 1120 1220
# → median (1010 + 1030) / 2 = 1020; |x − 1020| sorted 10 10 30 30 85 85 85 85 100 100
# 200 200 → MAD (85 + 85) / 2 = 85
HISTORY = (1010, 990, 935, 935, 920, 820, 1030, 1050, 1105, 1105, 1120, 1220)
# May: 9 800 → |9800 − 1020| / (1.4826 · 85) = 8780 / 126.021 = 69.67 > 3.5;
# 9800 / 1020 = 9.6 times the median
MAY_RECEIVED = 9800


def _store_month(db: Database, period: Period, received: int) -> None:
    """STP's counts for ``period`` as the portal API gave them: every dossier filed in
    person, 100 resolved on time (constant: no spread, no robust test on them)."""
    stats = PortalUnitStats("STP", 1, carried_over=None, received_online=0,
                            received_in_person=received, received_post=0,
                            resolved_total=100, resolved_on_time=100, resolved_late=0,
                            in_progress_total=None, in_progress_overdue=None)
    name = f"api-{period.label}.json"
    db.add_portal_file(PortalExport(period, "api", (stats,)),
                       file_meta(name, hashlib.sha256(name.encode()).hexdigest(),
                                 datetime(2025, 6, 1, tzinfo=UTC)), f"/archive/{name}")


def test_an_odd_count_is_a_data_issue_with_its_history(
        workspace: Path, db: Database, registry: Registry) -> None:
    months = [parse_period(label) for label in months_before(MAY, 12)]
    assert months[0].label == "2025-04" and months[-1].label == "2024-05"
    for month, received in zip(reversed(months), HISTORY, strict=True):
        _store_month(db, month, received)
    _store_month(db, MAY, MAY_RECEIVED)
    reporting = Reporting(db, registry, rules=ReportingRules(),
                          index766=load_index766(REGISTRY_DIR),
                          reports_dir=workspace / "reports", letterhead=Letterhead(),
                          clock=lambda: datetime(2025, 6, 20, tzinfo=UTC),
                          plausibility=load_plausibility(REGISTRY_DIR))

    built = reporting.build(*reporting.gather(MAY), data_gaps=(), dossier_counts=None,
                            waiting=(), provisional=False)

    expected = ("Số liệu bất thường (cảnh báo, cần kiểm tra lại): STP: hồ sơ tiếp nhận "
                "2025-05 = 9.800, trung vị 12 tháng trước 1.020 (MAD 85); cao gấp 9,6 lần "
                "(điểm z hiệu chỉnh 69,7 > 3,5)")
    assert built.content.data_issues == [expected]
    outcome = reporting.publish(built, force=False, run_id="r")
    document = json.loads((outcome.folder / "indicators.json").read_text(encoding="utf-8"))
    assert document["data_issues"] == [expected]


def test_a_month_like_its_history_has_no_warning(
        workspace: Path, db: Database, registry: Registry) -> None:
    months = [parse_period(label) for label in months_before(MAY, 12)]
    for month, received in zip(reversed(months), HISTORY, strict=True):
        _store_month(db, month, received)
    _store_month(db, MAY, 1100)  # |1100 − 1020| / 126.021 = 0.63
    reporting = Reporting(db, registry, rules=ReportingRules(),
                          index766=load_index766(REGISTRY_DIR),
                          reports_dir=workspace / "reports", letterhead=Letterhead(),
                          clock=lambda: datetime(2025, 6, 20, tzinfo=UTC),
                          plausibility=load_plausibility(REGISTRY_DIR))
    built = reporting.build(*reporting.gather(MAY), data_gaps=(), dossier_counts=None,
                            waiting=(), provisional=False)
    assert built.content.data_issues == []
