"""Opening workbooks from outside within limits (tasks/sheets/workbook_limits.py)."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from tasks.sheets.workbook_limits import NOT_XLSX, WorkbookError, column_letters, read_workbook


def _workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Số liệu"
    ws.append(["Tên", "Tỷ lệ", "Số"])
    ws.append(["Sở Tư pháp", 0.5, 12])
    ws["B2"].number_format = "0%"
    ws["E3"] = "ghi chú"
    ws["XFD1048576"].number_format = "0.00%"  # formatted, empty, far away
    wb.create_sheet("Trống")
    wb.save(path)
    return path


def test_values_blanks_and_percent_cells(tmp_path: Path) -> None:
    sheets = read_workbook(_workbook(tmp_path / "a.xlsx"))
    assert [s.name for s in sheets] == ["Số liệu", "Trống"]
    first = sheets[0]
    assert first.rows[0][:3] == ["Tên", "Tỷ lệ", "Số"]
    assert first.rows[1][:3] == ["Sở Tư pháp", 0.5, 12]
    assert first.rows[2] == [None, None, None, None, "ghi chú"]
    assert first.percent == frozenset({(1, 1)})
    assert read_workbook(tmp_path / "a.xlsx", first_sheet_only=True)[0].name == "Số liệu"


def test_column_letters() -> None:
    assert [column_letters(n) for n in (1, 26, 27, 60, 16384)] == ["A", "Z", "AA", "BH", "XFD"]


def _declare_size(path: Path, member: str, size: int) -> None:
    """Rewrite the unpacked size that ``member``'s local and central headers declare."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    # (signature, offset of the unpacked size, of the name's length, of the name)
    headers = ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46))
    for signature, size_at, length_at, name_at in headers:
        at = data.find(signature)
        while at != -1:
            length = struct.unpack_from("<H", data, at + length_at)[0]
            if data[at + name_at:at + name_at + length] == name:
                struct.pack_into("<I", data, at + size_at, size)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def test_part_unpacking_to_more_than_it_declares_is_refused(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", bytes(64 * 1024 * 1024))
    _declare_size(path, "xl/media/padding.bin", 1000)
    with zipfile.ZipFile(path) as archive:  # the lie is what the archive now says
        assert archive.getinfo("xl/media/padding.bin").file_size == 1000
    with pytest.raises(WorkbookError) as caught:
        read_workbook(path)
    assert str(caught.value) == NOT_XLSX


def test_too_large_once_unpacked(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "big.xlsx")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"")
    _declare_size(path, "xl/media/padding.bin", 200 * 1024 * 1024)
    with pytest.raises(WorkbookError) as caught:
        read_workbook(path)
    assert "khi giải nén quá lớn" in str(caught.value)


def test_entity_declarations_in_a_sheet_are_refused(tmp_path: Path) -> None:
    """A DTD has no place in a worksheet; entities could expand into a huge text."""
    source = _workbook(tmp_path / "a.xlsx")
    path = tmp_path / "entities.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY a "'
                                    + b"x" * 100 + b'">]><worksheet', 1)
            out.writestr(info, data)
    with pytest.raises(WorkbookError) as caught:
        read_workbook(path)
    assert str(caught.value) == NOT_XLSX
