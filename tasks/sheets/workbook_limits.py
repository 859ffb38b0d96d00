"""Opening an ``.xlsx`` workbook within fixed limits, for files that come from outside.

A workbook is a zip of XML parts. Before any spreadsheet library sees it, the archive is
checked (its size on disk, its unpacked size, how strongly it is compressed, and that every
part unpacks to the size it declares), then each worksheet's XML is streamed once to find
the cells that hold a value: a value outside the first :data:`MAX_ROWS` rows and
:data:`MAX_COLUMNS` columns is an error (:class:`WorkbookError`), while empty formatted
cells anywhere cost nothing. Only then are the values read, with python-calamine, whose
reader would otherwise allocate every cell between A1 and the farthest value. The same
pass notes which numeric cells carry a percent number format (calamine gives values only).

Every error message is a Vietnamese sentence saying what is wrong and what to do; the
technical detail goes to the log.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from python_calamine import CalamineError, CalamineWorkbook

from config.errors import CchcError

logger = logging.getLogger(__name__)

MAX_ROWS = 5_000  # rows read per sheet; a value below them is an error
MAX_COLUMNS = 60  # columns read per sheet (A … BH)
MAX_FILE_BYTES = 20 * 1024 * 1024  # size of the .xlsx file on disk
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # all parts of the archive, unpacked
MAX_RATIO = 100  # unpacked size / size on disk, checked once the parts exceed 1 MB
_RATIO_FLOOR = 1024 * 1024
_CHUNK = 1024 * 1024

NOT_XLSX = ("tệp không phải là tệp Excel .xlsx hợp lệ; "
            "hãy lưu lại bằng Excel dưới dạng .xlsx")
_REWRITE = "hãy chép dữ liệu sang tệp mẫu mới rồi lưu lại"

_PERCENT_FORMAT_IDS = {9, 10}  # built-in "0%" and "0.00%"
# ASCII only (a bare \d would take other scripts' digits); letters in either case
_CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,9})")
_ROW_REF = re.compile(r"[A-Za-z]{0,3}([0-9]{1,9})")
# calamine reads every sheet from xl/<kind>/… whatever the workbook's relationships say
_SHEET_FOLDERS = ("xl/worksheets/", "xl/chartsheets/", "xl/dialogsheets/")
_WORKSHEET = "/worksheet"
_STYLES = "/styles"
_OFFICE_DOCUMENT = "/officeDocument"


class WorkbookError(CchcError):
    """The workbook cannot be read within the limits (message in Vietnamese)."""


@dataclass(frozen=True)
class SheetCells:
    """One worksheet's values; ``rows[r][c]`` is the cell at row r+1, column c+1.

    Blank cells are ``None``. ``percent`` holds the (r, c) of numeric cells formatted as
    a percentage (``1.0`` shown as ``100%``). ``fonts`` maps the (r, c) of each text cell
    whose cell format names a font to that font's name (``.VnTime``, ``VNI-Times`` …), so a
    reader can tell text typed in a legacy Vietnamese font.
    """

    name: str
    rows: list[list[object]]
    percent: frozenset[tuple[int, int]]
    fonts: dict[tuple[int, int], str] = field(default_factory=dict)


def column_letters(number: int) -> str:
    """The letters of a 1-based column number: 1 → A, 60 → BH."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _vi_int(number: int) -> str:
    return f"{number:,}".replace(",", ".")


# the limits in words, as every refusal of a file too large says them (CSV and JSON too)
LIMITS_VI = (f"tối đa {_vi_int(MAX_ROWS)} dòng và {MAX_COLUMNS} cột mỗi trang như tệp Excel, "
             f"tức từ ô A1 đến ô {column_letters(MAX_COLUMNS)}{MAX_ROWS}")


def read_workbook(path: Path, *, first_sheet_only: bool = False) -> list[SheetCells]:
    """The worksheets of an ``.xlsx`` file, in workbook order, read within the limits.

    Raises :class:`WorkbookError` (Vietnamese message, detail logged) when the file is not
    a workbook, is too large or too strongly compressed, or holds a value outside the
    first :data:`MAX_ROWS` rows and :data:`MAX_COLUMNS` columns of a sheet.
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise WorkbookError(
                f"tệp quá lớn ({size / 1024 / 1024:.1f} MB, tối đa "
                f"{MAX_FILE_BYTES // 1024 // 1024} MB); hãy xoá các trang, hình ảnh không "
                "cần thiết hoặc " + _REWRITE)
        with zipfile.ZipFile(path) as archive:
            _check_archive(archive, size, path)
            workbook = _workbook_part(archive)
            relations = _relations(archive, workbook)
            sheets = _worksheet_parts(archive, workbook, relations)
            if first_sheet_only:
                sheets = sheets[:1]
            percent_styles, style_fonts = _style_maps(archive, relations)
            scans = {name: _scan_sheet(archive, part, name, percent_styles, style_fonts)
                     for name, part in sheets}
            _scan_other_sheet_parts(archive, {part for _name, part in sheets})
            # the parts parsed above were read to their end (sizes and CRCs checked)
            _read_through(archive, _parsed_parts(workbook, relations, sheets))
        return _values(path, scans)
    except WorkbookError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ParseError, expat.ExpatError,
            DefusedXmlException, CalamineError, EOFError, OSError, ValueError) as exc:
        logger.warning("không đọc được tệp Excel %s: %s: %s", path, type(exc).__name__, exc)
        raise WorkbookError(NOT_XLSX) from exc


def _check_archive(archive: zipfile.ZipFile, size: int, path: Path) -> None:
    """Refuse archives that unpack to too much (zip bombs), declared or actual."""
    members = archive.infolist()
    declared = sum(m.file_size for m in members)
    if declared > MAX_UNPACKED_BYTES:
        logger.warning("tệp Excel %s khi giải nén là %d byte", path, declared)
        raise WorkbookError(
            f"tệp Excel khi giải nén quá lớn ({declared / 1024 / 1024:.0f} MB, tối đa "
            f"{MAX_UNPACKED_BYTES // 1024 // 1024} MB); " + _REWRITE)
    if declared > _RATIO_FLOOR and declared > MAX_RATIO * max(size, 1):
        logger.warning("tệp Excel %s: %d byte được nén vào %d byte", path, declared, size)
        raise WorkbookError(
            f"tệp Excel bị nén bất thường (giải nén lớn gấp {declared // max(size, 1)} lần "
            "kích thước tệp), có thể là tệp độc hại; " + _REWRITE)


def _read_through(archive: zipfile.ZipFile, parsed: set[str]) -> None:
    """Read every part not ``parsed`` already to its end: zipfile stops each part at its
    declared size and checks its CRC, so a part that claims to be small but unpacks to
    more is caught here, before calamine reads it."""
    for member in archive.infolist():
        if member.filename in parsed and archive.getinfo(member.filename) is member:
            continue  # (a part stored twice under one name: the other copy is read)
        with archive.open(member) as stream:
            while stream.read(_CHUNK):
                pass


def _parsed_parts(workbook: str, relations: dict[str, tuple[str, str]],
                  sheets: list[tuple[str, str]]) -> set[str]:
    """The parts :func:`read_workbook` parses whole: relationships, workbook, styles and
    the scanned worksheets."""
    parts = {"_rels/.rels", workbook, _relations_part(workbook)}
    parts.update(target for kind, target in relations.values() if kind.endswith(_STYLES))
    parts.update(part for _name, part in sheets)
    return parts


def _relations_part(part: str) -> str:
    folder = PurePosixPath(part).parent
    return str(folder / "_rels" / (PurePosixPath(part).name + ".rels")).lstrip("/")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attribute(element: Element, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _parse(archive: zipfile.ZipFile, part: str) -> Element:
    with archive.open(part) as stream:
        return _root(stream, part)


def _parse_bytes(data: bytes, part: str) -> Element:
    return _root(io.BytesIO(data), part)


def _root(stream: IO[bytes], part: str) -> Element:
    root: Element | None = None
    for _event, element in _iterparse(stream, ("end",)):
        root = element
    if root is None:
        raise ParseError(f"empty part {part}")
    return root


def _iterparse(stream: IO[bytes], events: tuple[str, ...]) -> Iterator[tuple[str, Element]]:
    parsed: Iterator[tuple[str, Any]] = iterparse(stream, events=events)
    return parsed


def _relations(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (type, target part path)."""
    folder = PurePosixPath(part).parent
    rels = _relations_part(part)
    if rels not in archive.namelist():
        return {}
    found: dict[str, tuple[str, str]] = {}
    for element in _parse(archive, rels).iter():
        if _local(element.tag) != "Relationship":
            continue
        target = element.get("Target", "")
        resolved = target.lstrip("/") if target.startswith("/") else _join(folder, target)
        found[element.get("Id", "")] = (element.get("Type", ""), resolved)
    return found


def _join(folder: PurePosixPath, target: str) -> str:
    parts: list[str] = [p for p in str(folder).split("/") if p and p != "."]
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _workbook_part(archive: zipfile.ZipFile) -> str:
    for kind, target in _relations(archive, "").values():
        if kind.endswith(_OFFICE_DOCUMENT):
            return target
    return "xl/workbook.xml"


def _worksheet_parts(archive: zipfile.ZipFile, workbook: str,
                     relations: dict[str, tuple[str, str]]) -> list[tuple[str, str]]:
    """(sheet name, XML part) of each worksheet, in workbook order (chart sheets left out);
    ``relations`` are the workbook part's."""
    sheets: list[tuple[str, str]] = []
    for element in _parse(archive, workbook).iter():
        if _local(element.tag) != "sheet":
            continue
        kind, target = relations.get(_attribute(element, "id") or "", ("", ""))
        if kind.endswith(_WORKSHEET):
            sheets.append((element.get("name", ""), target))
    return sheets


def _percent_styles(root: Element | None) -> set[int]:
    """Indexes of the cell formats (``s`` attribute) whose number format shows a percent."""
    if root is None:
        return set()
    percent_ids = set(_PERCENT_FORMAT_IDS)
    indexes: set[int] = set()
    for element in root:
        if _local(element.tag) == "numFmts":
            for fmt in element:
                if "%" in fmt.get("formatCode", ""):
                    percent_ids.add(int(fmt.get("numFmtId", "-1")))
    for element in root:
        if _local(element.tag) == "cellXfs":
            for index, xf in enumerate(element):
                if int(xf.get("numFmtId", "0")) in percent_ids:
                    indexes.add(index)
    return indexes


def _style_maps(archive: zipfile.ZipFile, relations: dict[str, tuple[str, str]]
                ) -> tuple[frozenset[int], dict[int, str]]:
    """The percent cell formats and the fonts of the cell formats, from the workbook's
    styles part (``relations``: the workbook part's)."""
    styles = next((target for kind, target in relations.values()
                   if kind.endswith(_STYLES)), None)
    if styles is None or styles not in archive.namelist():
        return frozenset(), {}
    percent, fonts = _parsed_styles(archive.read(styles), styles)
    return percent, dict(fonts)


@lru_cache(maxsize=32)
def _parsed_styles(data: bytes, name: str) -> tuple[frozenset[int], dict[int, str]]:
    """Files made from one template share their styles part: kept by its bytes, a part
    seen before is not parsed again (callers copy the dict before changing it)."""
    root = _parse_bytes(data, name)
    return frozenset(_percent_styles(root)), _style_fonts(root)


def _style_fonts(root: Element | None) -> dict[int, str]:
    """Cell format index (``s`` attribute) -> the name of the font it uses."""
    if root is None:
        return {}
    names: list[str] = []
    for element in root:
        if _local(element.tag) == "fonts":
            for font in element:
                name = next((_attribute(child, "val") or "" for child in font
                             if _local(child.tag) == "name"), "")
                names.append(name)
    fonts: dict[int, str] = {}
    for element in root:
        if _local(element.tag) == "cellXfs":
            for index, xf in enumerate(element):
                font_id = int(xf.get("fontId", "0"))
                if 0 <= font_id < len(names) and names[font_id]:
                    fonts[index] = names[font_id]
    return fonts


class _SheetScan:
    """Expat handlers for one worksheet's XML: no tree is built, only the current cell is
    kept; a DTD or entity declaration is refused (none belongs in a worksheet).

    The position of each cell is found the way calamine finds it, so the range calamine
    allocates (from A1 to the farthest cell holding a value) is the range checked here:
    a ``r="B7"`` reference sets the cell's row and column (letters in either case, as
    calamine reads them), a cell without one takes the current row and the column after
    the previous cell, ``<row r="…">`` sets the current row, and the end of a row moves to
    the next row, column A. A reference calamine would read differently from this scan
    (anything but letters then digits) and a cell inside a cell are refused outright.
    """

    def __init__(self, name: str, percent_styles: frozenset[int],
                 style_fonts: dict[int, str] | None = None) -> None:
        self.name = name
        self.percent_styles = percent_styles
        self.style_fonts = style_fonts or {}
        self.percent: set[tuple[int, int]] = set()
        self.fonts: dict[tuple[int, int], str] = {}
        self.row_index, self.column_index = 0, 0  # 0-based, as calamine counts
        self.position = (0, 0)  # (row, column) of the open cell, 0-based
        self.cell: tuple[str | None, str] | None = None  # style, type of the open cell
        self.has_value = False

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        local = tag[tag.rfind(" ") + 1:]
        if local == "c":
            if self.cell is not None:
                raise ValueError(f"a cell inside a cell in sheet {self.name!r}")
            reference = attributes.get("r")
            if reference is not None:
                self.position = _cell_position(reference)
                self.column_index = self.position[1]
            else:
                self.position = (self.row_index, self.column_index)
            self.cell = (attributes.get("s"), attributes.get("t", "n"))
            self.has_value = False
        elif local in ("v", "is", "f"):
            self.has_value = self.has_value or self.cell is not None
        elif local == "row":
            number = attributes.get("r")
            if number is not None:
                self.row_index = _row_position(number)

    def end(self, tag: str) -> None:
        local = tag[tag.rfind(" ") + 1:]
        if local == "row":
            self.row_index, self.column_index = self.row_index + 1, 0
            return
        if local != "c" or self.cell is None:
            return
        style, kind = self.cell
        self.cell = None
        self.column_index += 1
        if not self.has_value:
            return  # a formatted empty cell
        row, column = self.position
        if row >= MAX_ROWS or column >= MAX_COLUMNS:
            where = f"{column_letters(column + 1)}{row + 1}"
            raise WorkbookError(
                f"trang «{self.name}» có dữ liệu ở ô {where}, ngoài vùng được đọc (tối đa "
                f"{_vi_int(MAX_ROWS)} dòng và {MAX_COLUMNS} cột, tức từ ô A1 đến ô "
                f"{column_letters(MAX_COLUMNS)}{MAX_ROWS}); hãy xoá dữ liệu thừa ở ô "
                "đó hoặc chuyển bảng vào trong vùng này")
        if style and kind == "n" and int(style) in self.percent_styles:
            self.percent.add((row, column))
        if style and kind in ("s", "inlineStr", "str") and int(style) in self.style_fonts:
            self.fonts[(row, column)] = self.style_fonts[int(style)]

    @staticmethod
    def refuse(*_args: object) -> None:
        raise ValueError("DTD or entity declaration in a worksheet")


def _cell_position(reference: str) -> tuple[int, int]:
    """The 0-based (row, column) of a cell reference such as ``B7`` or ``xfd1048576``.

    Raises :class:`ValueError` for anything but ASCII letters then digits, with a row of
    at least 1: calamine would read such a reference otherwise or not at all."""
    match = _CELL_REF.fullmatch(reference)
    if match is None or int(match.group(2)) < 1:
        raise ValueError(f"cell reference {reference[:40]!r}")
    return int(match.group(2)) - 1, _column_number(match.group(1).upper()) - 1


def _row_position(number: str) -> int:
    """The 0-based row of ``<row r="…">`` (calamine also takes ``r="B7"`` for row 7)."""
    match = _ROW_REF.fullmatch(number)
    if match is None or int(match.group(1)) < 1:
        raise ValueError(f"row reference {number[:40]!r}")
    return int(match.group(1)) - 1


def _scan_sheet(archive: zipfile.ZipFile, part: str, name: str,
                percent_styles: frozenset[int],
                style_fonts: dict[int, str] | None = None) -> _SheetScan:
    """Stream a sheet's XML once: refuse a value outside the limits, note percent cells
    and the font of each text cell."""
    scan = _SheetScan(name, percent_styles, style_fonts)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.StartDoctypeDeclHandler = scan.refuse
    parser.EntityDeclHandler = scan.refuse
    with archive.open(part) as stream:
        parser.ParseFile(stream)
    return scan


def _scan_other_sheet_parts(archive: zipfile.ZipFile, scanned: set[str]) -> None:
    """Scan the parts in a sheet folder that the workbook does not name (or names in a way
    calamine resolves otherwise, in another case …): calamine finds a sheet's part by its
    own rules, so every part it could read is held to the same limits."""
    for member in archive.infolist():
        if member.filename in scanned or member.is_dir() \
                or not member.filename.lower().startswith(_SHEET_FOLDERS):
            continue
        _scan_sheet(archive, member.filename, PurePosixPath(member.filename).name,
                    frozenset())


def _values(path: Path, scans: dict[str, _SheetScan]) -> list[SheetCells]:
    """The values of the scanned sheets, read with calamine (every value is within limits)."""
    sheets: list[SheetCells] = []
    try:
        with CalamineWorkbook.from_path(str(path)) as workbook:
            for name, scan in scans.items():
                grid = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
                rows: list[list[object]] = [
                    [None if value == "" else value for value in line]
                    for line in grid[:MAX_ROWS]
                ]
                sheets.append(SheetCells(name, rows, frozenset(scan.percent), scan.fonts))
    except BaseException as exc:  # a panic in calamine's Rust code is a BaseException
        if type(exc).__name__ != "PanicException":
            raise
        logger.warning("calamine không đọc được %s: %s", path, exc)
        raise WorkbookError(NOT_XLSX) from exc
    return sheets
