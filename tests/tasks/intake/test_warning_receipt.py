"""An accepted file whose figures look odd gets a receipt too: ``<archived>.canh-bao.txt``
beside its archived copy (never in the agency's drop folder), recorded as an intake event
``warned`` and read back for the agency's page; a plausible file gets none. Real folders
and a real database (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from config.index766 import load_index766
from config.plausibility import load_plausibility
from config.registry import Registry
from config.settings import REGISTRY_DIR
from connectors.agency_files import AgencyFiles
from connectors.database import Database
from connectors.db_schema import IntakeEventRow
from connectors.drop_folder import DropFolder
from tasks.intake.collect import FileOutcome, Intake
from tasks.intake.template import TaskEntry
from tasks.model.clock import fixed_clock
from tasks.model.rules import ReportingRules
from tests.builders import store_history, write_submission

NOW = datetime(2025, 6, 1, 3, tzinfo=UTC)  # 10:00 on 01/06/2025 in Vietnam


def _take_may(workspace: Path, db: Database, registry: Registry, value: int) -> FileOutcome:
    """STP's history of «tin, bài tuyên truyền» stored (tests/builders.py: median 20,
    MAD 1), then its May file with ``value`` dropped in its folder and taken in."""
    store_history(db, "STP", "tin_bai_tuyen_truyen")
    write_submission(workspace / "inbox" / "STP" / "stp-2025-05.xlsx", registry, "STP",
                     entries=[TaskEntry("III.3", "Đang thực hiện", 50)],
                     metrics={"tin_bai_tuyen_truyen": value})
    folder = DropFolder.agency_inbox(workspace)
    intake = Intake(folder, db, registry, rules=ReportingRules(),
                    index766=load_index766(REGISTRY_DIR), clock=fixed_clock(NOW),
                    plausibility=load_plausibility(REGISTRY_DIR))
    [item] = folder.pending()
    outcome = intake.take(item)
    assert outcome is not None and outcome.outcome == "accepted"
    return outcome


def _warned(db: Database) -> list[tuple[str, str | None]]:
    with db.engine.connect() as conn:
        return [(name, detail) for name, detail in conn.execute(
            select(IntakeEventRow.file_name, IntakeEventRow.detail)
            .where(IntakeEventRow.outcome == "warned"))]


def test_an_outlier_gets_a_warning_receipt_beside_its_archived_copy_and_in_the_database(
        workspace: Path, db: Database, registry: Registry) -> None:
    outcome = _take_may(workspace, db, registry, 250)

    kept = Path(outcome.kept_at)
    receipt = kept.with_name(kept.name + ".canh-bao.txt")
    text = receipt.read_text(encoding="utf-8")
    assert text.splitlines()[:3] == [
        "PHIẾU BÁO TIẾP NHẬN TỆP BÁO CÁO — CÓ SỐ LIỆU CẦN KIỂM TRA",
        "Tệp: stp-2025-05.xlsx",
        "Thư mục đơn vị: STP",
    ]
    assert "Thời điểm nhận: 01/06/2025 10:00 (giờ Việt Nam)" in text
    assert "Tệp đã được tiếp nhận (kỳ 2025-05) và được tính vào báo cáo." in text
    assert ("1. Số liệu bất thường (cảnh báo, cần kiểm tra lại): STP: Số tin, bài tuyên "
            "truyền CCHC 2025-05 = 250, trung vị 12 tháng trước 20 (MAD 1); cao gấp 12,5 lần "
            "(điểm z hiệu chỉnh 155,1 > 3,5)") in text
    assert "nộp lại tệp đã sửa vào thư mục của đơn vị" in text
    assert f"Mã lưu tệp (ghi khi liên hệ bộ phận tổng hợp): {kept.name}" in text
    assert str(workspace) not in text  # no server folder on what the agency reads
    # beside the archive, never in the drop folder; no half-written copy left
    assert list(workspace.rglob("*.canh-bao.txt*")) == [receipt]
    # recorded once, with the text the agency's page shows
    assert _warned(db) == [("stp-2025-05.xlsx", text)]
    files = AgencyFiles(db).files_of("STP")
    may = [f for f in files if f.period == "2025-05"]
    assert [(f.outcome, f.warning_receipt) for f in may] == [("accepted", text)]
    assert all(f.warning_receipt is None for f in files if f.period != "2025-05")
    assert db.warning_receipts_since(datetime(2025, 5, 25, tzinfo=UTC))[0].file_name \
        == "stp-2025-05.xlsx"
    # another agency's page never shows it
    assert all(f.warning_receipt is None for f in AgencyFiles(db).files_of("SNV"))


def test_a_plausible_figure_gets_no_warning_receipt(
        workspace: Path, db: Database, registry: Registry) -> None:
    # May at 21: |21 − 20| / (1.4826 · 1) = 0,67 ≤ 3,5 and 21 / 20 = 1,05: plausible
    outcome = _take_may(workspace, db, registry, 21)

    assert outcome.warnings == ()
    assert list(workspace.rglob("*.canh-bao.txt*")) == []
    assert _warned(db) == []
    assert db.warning_receipts_since(datetime(2024, 1, 1, tzinfo=UTC)) == []
    assert all(f.warning_receipt is None for f in AgencyFiles(db).files_of("STP"))
