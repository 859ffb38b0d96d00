"""Receipts sent to agencies: what they need to fix the file, nothing about the server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config.settings import DEFAULT_TIMEZONE
from connectors.drop_folder import DropFolder
from tasks.model.problems import Problem, Receipt, agency_message

HASH = "ab12cd34" + "0" * 56
ARRIVED = datetime(2025, 5, 18, 2, 15, tzinfo=UTC)  # 09:15 in Việt Nam


def _receipt(server_folder: Path) -> Receipt:
    return Receipt(
        file_name="bao-cao-5.xlsx",
        received_at=ARRIVED,
        content_hash=HASH,
        problems=(
            Problem(f"Không đọc được tệp {server_folder}/inbox/STP/bao-cao-5.xlsx: "
                    "zipfile.BadZipFile: File is not a zip file"),
            Problem("Tiến độ phải từ 0 đến 100; đang ghi 250", "Nhiệm vụ", 7, "Tiến độ (%)"),
            Problem("[Errno 13] Permission denied", "Thông tin", 3, "Mã đơn vị"),
        ),
        agency_folder="STP",
    )


def _quarantined(tmp_path: Path) -> tuple[Path, str, dict[str, object]]:
    workspace = tmp_path / "ws"
    folder = DropFolder.agency_inbox(workspace)
    folder.ensure(["STP"])
    dropped = workspace / "inbox" / "STP" / "bao-cao-5.xlsx"
    dropped.write_bytes(b"not a workbook")
    [item] = folder.pending()
    target = folder.quarantine(item, _receipt(workspace))
    text = target.with_name(target.name + ".loi.txt").read_text(encoding="utf-8")
    data = json.loads(target.with_name(target.name + ".loi.json").read_text(encoding="utf-8"))
    return target, text, data


def test_receipt_names_file_folder_time_hash_and_each_problem(tmp_path: Path) -> None:
    target, text, data = _quarantined(tmp_path)
    assert "Tệp: bao-cao-5.xlsx" in text
    assert "Thư mục đơn vị: STP" in text
    assert "Thời điểm nhận: 18/05/2025 09:15 (giờ Việt Nam)" in text
    assert HASH in text
    assert "có 3 lỗi" in text
    assert "2. Trang «Nhiệm vụ», dòng 7, cột «Tiến độ (%)»: Tiến độ phải từ 0 đến 100" in text
    assert target.name in text  # the quarantined copy's name, to quote to the operators
    assert data["file_name"] == "bao-cao-5.xlsx" and data["agency_folder"] == "STP"
    assert data["content_hash"] == HASH and data["kept_as"] == target.name
    assert data["received_at"] == ARRIVED.isoformat()
    problems = data["problems"]
    assert isinstance(problems, list)
    assert problems[1] == {"message": "Tiến độ phải từ 0 đến 100; đang ghi 250",
                           "sheet": "Nhiệm vụ", "row": 7, "column": "Tiến độ (%)"}


@pytest.mark.parametrize("part", ["text", "json"])
def test_receipt_shows_no_server_path_and_no_exception_names(tmp_path: Path, part: str) -> None:
    _, text, data = _quarantined(tmp_path)
    shown = text if part == "text" else json.dumps(data, ensure_ascii=False)
    assert str(tmp_path) not in shown
    assert "/inbox/" not in shown and "quarantine/" not in shown
    for name in ("BadZipFile", "zipfile", "Errno", "Error", "Exception", "Traceback"):
        assert name not in shown, name
    assert "Không đọc được tệp bao-cao-5.xlsx" in shown  # the file's own name is kept


def test_receipt_from_a_hand_built_value_cuts_folders_from_names() -> None:
    receipt = Receipt("C:\\Users\\vt\\bc.xlsx", ARRIVED, HASH, (Problem("Thiếu trang"),),
                      kept_as="/srv/cchc/quarantine/STP/20250518T021500-ab12cd34-bc.xlsx")
    text = receipt.to_text(ZoneInfo(DEFAULT_TIMEZONE))
    assert "Tệp: bc.xlsx" in text and "Users" not in text and "/srv" not in text
    assert "20250518T021500-ab12cd34-bc.xlsx" in text
    assert receipt.to_json()["kept_as"] == "20250518T021500-ab12cd34-bc.xlsx"


def test_receipt_shows_the_time_in_the_zone_its_caller_gives(tmp_path: Path) -> None:
    receipt = _receipt(tmp_path)
    assert "Thời điểm nhận: 18/05/2025 09:15" in receipt.to_text(ZoneInfo(DEFAULT_TIMEZONE))
    assert "Thời điểm nhận: 18/05/2025 02:15" in receipt.to_text(UTC)
    workspace = tmp_path / "ws"
    folder = DropFolder.agency_inbox(workspace, zone=ZoneInfo("Asia/Tokyo"))
    folder.ensure(["STP"])
    (workspace / "inbox" / "STP" / "bao-cao-5.xlsx").write_bytes(b"not a workbook")
    [item] = folder.pending()
    target = folder.quarantine(item, receipt)
    text = target.with_name(target.name + ".loi.txt").read_text(encoding="utf-8")
    assert "Thời điểm nhận: 18/05/2025 11:15" in text  # the folder's zone, from the settings


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        ("KeyError('Tiến độ')", "Không đọc được nội dung tệp; đề nghị lưu lại tệp đúng định "
                                "dạng mẫu và nộp lại."),
        ("openpyxl.utils.exceptions.InvalidFileException: tệp hỏng", "tệp hỏng"),
        ("Ngày 31/02/2025 không có thật; ghi dạng dd/mm/yyyy",
         "Ngày 31/02/2025 không có thật; ghi dạng dd/mm/yyyy"),
        ("Trang «KeHoach»: thiếu cột «Tiến độ (%)»", "Trang «KeHoach»: thiếu cột «Tiến độ (%)»"),
        ("Tệp /var/lib/cchc/x.csv: ValueError: could not convert", "Tệp x.csv: could not convert"),
    ],
)
def test_agency_message(message: str, shown: str) -> None:
    assert agency_message(message) == shown
