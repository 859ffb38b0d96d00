"""The CCHC index's self-assessment and appraisal files through the inbox's real intake
(real folders, SQLite and PostgreSQL): recognised by their sheet, validated with a
Vietnamese receipt naming row and column, stored, replaced by a corrected file, and read
back by the store. The workbooks are written here by hand with openpyxl (not by the
template code); expected points are written out by hand."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
from sqlalchemy import func, select

from config.registry import Registry
from connectors.database import Database
from connectors.db_schema import ParAppraisalRow, ParSelfAssessmentRow, RejectionRow
from connectors.drop_folder import DropFolder
from tasks.intake.collect import FileOutcome
from tasks.intake.par_reader import par_file_kind
from tasks.model.par_assessment import AssessedCriterion
from tests.builders import take_file, write_submission

NOW = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)


def _self_file(path: Path, unit: str, rows: Sequence[Sequence[object]], *,
               year: object = 2025) -> Path:
    """A self-assessment as a unit might type it: a title row, its own column order,
    headers in other case, the info labels in column B."""
    wb = openpyxl.Workbook()
    info = wb.active
    assert info is not None
    info.title = "Thông tin"
    info.append(["BẢNG TỰ CHẤM ĐIỂM NĂM 2025"])
    info.append([None, "Mã đơn vị", unit])
    info.append([None, "Năm đánh giá", year])
    sheet = wb.create_sheet("TỰ CHẤM ĐIỂM")
    sheet.append(["Tự chấm điểm Chỉ số CCHC"])
    sheet.append(["mã tiêu chí", "Điểm tự chấm", "Tài liệu kiểm chứng", "Tên tiêu chí"])
    for row in rows:
        sheet.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _appraisal_file(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    wb = openpyxl.Workbook()
    info = wb.active
    assert info is not None
    info.title = "Thông tin"
    info.append(["Năm đánh giá", 2025])
    sheet = wb.create_sheet("Thẩm định")  # no title row: the header is row 1
    sheet.append(["Mã đơn vị", "Mã tiêu chí", "Điểm thẩm định", "Lý do"])
    for row in rows:
        sheet.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _take(workspace: Path, db: Database, registry: Registry,
          now: datetime = NOW) -> list[FileOutcome]:
    folder = DropFolder.agency_inbox(workspace)
    folder.ensure()
    found = [take_file(item, folder, db, registry, now=now) for item in folder.pending()]
    return [o for o in found if o is not None]


def _receipt(outcome: FileOutcome) -> tuple[str, dict[str, object]]:
    text = Path(outcome.kept_at + ".loi.txt").read_text(encoding="utf-8")
    data = json.loads(Path(outcome.kept_at + ".loi.json").read_text(encoding="utf-8"))
    return text, data


def _count(db: Database, model: type) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def test_a_hand_written_self_assessment_is_accepted_and_stored(
        workspace: Path, db: Database, registry: Registry) -> None:
    path = _self_file(workspace / "inbox" / "STP" / "tu-cham.xlsx", "stp", [
        ["1.1.1", 1, "Kế hoạch 12/KH-STP ngày 10/01/2025"],
        ["1.2", "1,5", "Báo cáo quý I-IV/2025"],
        [1.3, None, None, "chưa chấm"],  # a number Excel made of «1.3», not scored
        ["3.3.3", 0, None],  # 0 points need no evidence
    ])
    assert par_file_kind(path) == "self_assessment"
    [outcome] = _take(workspace, db, registry)
    assert (outcome.outcome, outcome.period) == ("accepted", "2025")
    archived = outcome.kept_at
    assert db.assessments(2025) == [
        AssessedCriterion("STP", 2025, "1.1.1", 1.0, "Kế hoạch 12/KH-STP ngày 10/01/2025",
                          archived),
        AssessedCriterion("STP", 2025, "1.2", 1.5, "Báo cáo quý I-IV/2025", archived),
        AssessedCriterion("STP", 2025, "3.3.3", 0.0, None, archived),
    ]
    assert Path(archived).is_file()  # the raw file kept as any intake file
    assert not path.exists()


def test_a_claim_over_the_maximum_is_rejected_with_a_receipt_naming_row_and_column(
        workspace: Path, db: Database, registry: Registry) -> None:
    _self_file(workspace / "inbox" / "STP" / "tu-cham.xlsx", "STP", [
        ["1.1.1", 1, "KH 12"],
        ["1.2", 3, "Báo cáo"],  # row 4: criterion 1.2 is worth 2 points at most
    ])
    [outcome] = _take(workspace, db, registry)
    assert (outcome.outcome, outcome.period) == ("rejected", "2025")
    text, data = _receipt(outcome)
    # the sheet is named as the template names it, whatever its case in the file
    assert ("1. Trang «Tự chấm điểm», dòng 4, cột «Điểm tự chấm»: điểm tự chấm 3 vượt điểm "
            "tối đa 2 của tiêu chí 1.2") in text
    assert data["problem_count"] == 1
    assert _count(db, ParSelfAssessmentRow) == 0 and _count(db, RejectionRow) == 1
    assert db.assessments(2025) == []


def test_points_without_evidence_are_rejected(workspace: Path, db: Database,
                                              registry: Registry) -> None:
    _self_file(workspace / "inbox" / "STP" / "tu-cham.xlsx", "STP", [
        ["1.1.1", 1, "KH 12"],
        ["1.3", 2, "  "],  # row 4
        ["1.4", "hai", "Bài viết"],  # row 5: not a number
    ])
    [outcome] = _take(workspace, db, registry)
    assert outcome.outcome == "rejected"
    text, data = _receipt(outcome)
    assert ("Trang «Tự chấm điểm», dòng 4, cột «Tài liệu kiểm chứng»: tiêu chí 1.3 tự chấm 2 "
            "điểm nên phải ghi tài liệu kiểm chứng") in text
    problems = data["problems"]
    assert isinstance(problems, list)
    assert [(p["row"], p["column"]) for p in problems] == [(4, "Tài liệu kiểm chứng"),
                                                           (5, "Điểm tự chấm")]


def test_another_units_file_or_criteria_are_refused(workspace: Path, db: Database,
                                                    registry: Registry) -> None:
    inbox = workspace / "inbox"
    # STC's self-assessment dropped in STP's folder
    _self_file(inbox / "STP" / "cua-stc.xlsx", "STC", [["1.1.1", 1, "KH"]])
    # a commune claims a department criterion (1.1.1: the communes' 1.1 has no parts), a
    # computed one, and a parent criterion
    _self_file(inbox / "X30292" / "tu-cham.xlsx", "X30292", [
        ["1.1.1", 1, "KH"], ["1.4.1", 4, "Báo cáo"], ["1.4", 6, "Báo cáo"], ["1.1", 2, "KH"]])
    # a unit that no criteria set scores (Mặt trận Tổ quốc)
    _self_file(inbox / "MTTQ" / "tu-cham.xlsx", "MTTQ", [["1.1", 1, "KH"]])
    outcomes = {o.agency_folder: o for o in _take(workspace, db, registry)}
    assert {o.outcome for o in outcomes.values()} == {"rejected"}
    stp, _ = _receipt(outcomes["STP"])
    assert ("cột «Mã đơn vị»: mã đơn vị trong tệp là STC nhưng tệp được nộp vào thư mục của "
            "STP") in stp
    commune, data = _receipt(outcomes["X30292"])
    assert "dòng 3, cột «Mã tiêu chí»: mã tiêu chí «1.1.1» không có trong Bộ chỉ số CCHC của " \
           "UBND xã, phường, đặc khu (bản mẫu)" in commune
    assert ("dòng 4, cột «Điểm tự chấm»: tiêu chí 1.4.1 do tính từ số liệu của hệ thống, đơn "
            "vị không tự chấm") in commune
    assert "dòng 5, cột «Mã tiêu chí»: tiêu chí 1.4 có các tiêu chí thành phần" in commune
    assert data["problem_count"] == 3  # 1.1 is the commune's own self-assessed criterion
    front, _ = _receipt(outcomes["MTTQ"])
    assert "không được chấm Chỉ số CCHC năm 2025" in front
    assert _count(db, ParSelfAssessmentRow) == 0


def test_a_corrected_self_assessment_replaces_the_earlier_one(
        workspace: Path, db: Database, registry: Registry) -> None:
    inbox = workspace / "inbox" / "STP"
    _self_file(inbox / "tu-cham.xlsx", "STP", [["1.1.1", 1, "KH 12"], ["1.2", 2, "BC"]])
    [first] = _take(workspace, db, registry)
    _self_file(inbox / "tu-cham-sua.xlsx", "STP", [["1.2", 1.5, "BC quý"]])
    [second] = _take(workspace, db, registry, NOW + timedelta(days=1))
    assert (second.outcome, second.superseded) == ("accepted", 1)
    assert db.assessments(2025) == [
        AssessedCriterion("STP", 2025, "1.2", 1.5, "BC quý", second.kept_at)]
    # the same corrected file dropped again is taken once: still one current file
    shutil.copyfile(second.kept_at, inbox / "tu-cham-sua.xlsx")
    [again] = _take(workspace, db, registry, NOW + timedelta(days=2))
    assert again.content_hash == second.content_hash
    assert _count(db, ParSelfAssessmentRow) == 2
    assert [a.self_points for a in db.assessments(2025)] == [1.5]
    assert first.kept_at != second.kept_at


def test_an_appraisal_sets_points_with_reasons(workspace: Path, db: Database,
                                               registry: Registry) -> None:
    _self_file(workspace / "inbox" / "STP" / "tu-cham.xlsx", "STP",
               [["1.1.1", 1, "KH 12"], ["1.2", 2, "BC"]])
    [claimed] = _take(workspace, db, registry)
    _appraisal_file(workspace / "inbox" / "SNV" / "tham-dinh.xlsx", [
        ["STP", "1.1.1", 1, None],  # confirms the claim: no reason needed
        ["STP", "1.2", 1, "Báo cáo quý III nộp muộn 5 ngày"],  # lowers the claim
        ["STP", "1.1.2", 0.5, None],  # appraised: Sở Nội vụ's own points
        ["STP", "1.5.1", 3, "Nhiệm vụ 05 hoàn thành, số liệu chưa cập nhật"],  # computed
        ["STC", "8.2", 4, None],  # survey, for a unit that sent nothing
    ])
    [appraisal] = _take(workspace, db, registry, NOW + timedelta(hours=1))
    assert (appraisal.outcome, appraisal.period) == ("accepted", "2025")
    mine, theirs = claimed.kept_at, appraisal.kept_at
    found = {(a.unit, a.criterion_id): a for a in db.assessments(2025)}
    assert found == {
        ("STC", "8.2"): AssessedCriterion("STC", 2025, "8.2", appraised_points=4.0,
                                          appraisal_source=theirs),
        ("STP", "1.1.1"): AssessedCriterion("STP", 2025, "1.1.1", 1.0, "KH 12", mine, 1.0,
                                            None, theirs),
        ("STP", "1.1.2"): AssessedCriterion("STP", 2025, "1.1.2", appraised_points=0.5,
                                            appraisal_source=theirs),
        ("STP", "1.2"): AssessedCriterion("STP", 2025, "1.2", 2.0, "BC", mine, 1.0,
                                          "Báo cáo quý III nộp muộn 5 ngày", theirs),
        ("STP", "1.5.1"): AssessedCriterion(
            "STP", 2025, "1.5.1", appraised_points=3.0,
            appraisal_reason="Nhiệm vụ 05 hoàn thành, số liệu chưa cập nhật",
            appraisal_source=theirs),
    }
    assert found["STP", "1.2"].points == 1.0  # Sở Nội vụ's points count


def test_a_wrong_appraisal_is_rejected_with_a_receipt(workspace: Path, db: Database,
                                                      registry: Registry) -> None:
    _self_file(workspace / "inbox" / "STP" / "tu-cham.xlsx", "STP", [["1.2", 2, "BC"]])
    _take(workspace, db, registry)
    _appraisal_file(workspace / "inbox" / "SNV" / "tham-dinh.xlsx", [
        ["STP", "1.2", 1, None],  # row 2: changes the claim without a reason
        ["XYZ", "1.2", 1, "lý do"],  # row 3: no such unit
        ["STP", "9.9", 1, "lý do"],  # row 4: no such criterion
        ["STP", "1.1.2", 2, None],  # row 5: over the maximum (1)
        ["STP", "7.2", 1, None],  # row 6: computed, changed without a reason
    ])
    # an appraisal in a unit's own folder is refused
    _appraisal_file(workspace / "inbox" / "STP" / "tham-dinh.xlsx", [["STP", "1.1.2", 1, None]])
    outcomes = {o.agency_folder: o for o in _take(workspace, db, registry)}
    assert {o.outcome for o in outcomes.values()} == {"rejected"}
    _, data = _receipt(outcomes["SNV"])
    problems = data["problems"]
    assert isinstance(problems, list)
    assert [(p["row"], p["column"]) for p in problems] == [
        (2, "Lý do"), (3, "Mã đơn vị"), (4, "Mã tiêu chí"), (5, "Điểm thẩm định"), (6, "Lý do")]
    assert problems[0]["message"].startswith("điểm thẩm định 1 khác điểm đơn vị STP tự chấm (2)")
    assert problems[1]["message"] == "mã đơn vị «XYZ» không có trong danh mục đơn vị"
    assert problems[3]["message"] == "điểm thẩm định 2 vượt điểm tối đa 1 của tiêu chí 1.1.2"
    text, _ = _receipt(outcomes["STP"])
    assert "tệp thẩm định Chỉ số CCHC chỉ do Sở Nội vụ nộp, vào thư mục SNV" in text
    assert _count(db, ParAppraisalRow) == 0


def test_a_later_appraisal_replaces_the_earlier_one_whole(
        workspace: Path, db: Database, registry: Registry) -> None:
    snv = workspace / "inbox" / "SNV"
    _appraisal_file(snv / "tham-dinh.xlsx", [["STP", "1.1.2", 1, None],
                                             ["STC", "1.1.2", 1, None]])
    _take(workspace, db, registry)
    _appraisal_file(snv / "tham-dinh-lan-2.xlsx", [["STP", "1.1.2", 0.5, None]])
    [second] = _take(workspace, db, registry, NOW + timedelta(days=1))
    assert second.superseded == 1
    assert [(a.unit, a.criterion_id, a.appraised_points) for a in db.assessments(2025)] == [
        ("STP", "1.1.2", 0.5)]


def test_an_ordinary_report_is_still_a_report(workspace: Path, db: Database,
                                              registry: Registry) -> None:
    path = write_submission(workspace / "inbox" / "STP" / "bao-cao.xlsx", registry, "STP",
                            metrics={"kiem_tra_cchc": 2})
    assert par_file_kind(path) is None
    [outcome] = _take(workspace, db, registry)
    assert (outcome.outcome, outcome.period) == ("accepted", "2025-05")
