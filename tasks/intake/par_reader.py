"""Reading the two workbooks of the provincial CCHC index into raw rows: a unit's
self-assessment (sheet «Tự chấm điểm») and Sở Nội vụ's appraisal (sheet «Thẩm định»).

What marks them is a sheet's name, as «Nhiệm vụ» marks a progress report: an ``.xlsx``
file in an agency folder with a sheet «Thẩm định» is an appraisal, with a sheet «Tự chấm
điểm» a self-assessment, anything else a progress report (:func:`par_file_kind`, which
reads only the workbook's list of sheets, so an ordinary report costs one small read).
Sheet names and headers are matched regardless of case, diacritics and spacing, as in
:mod:`tasks.intake.reader`; title rows above the header and blank rows are allowed. The
reader judges nothing (:mod:`tasks.intake.par_validation` does); the workbook is read
within the limits of :mod:`tasks.sheets.workbook_limits`. Only ``.xlsx`` (and ``.xlsm``,
values only) is taken for these files.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from defusedxml.ElementTree import fromstring

from config.folding import fold_key
from tasks.intake.reader import RawRow, UnreadableFile
from tasks.model.problems import Problem, escape_controls, has_controls
from tasks.sheets.cells import is_blank
from tasks.sheets.workbook_limits import WorkbookError, read_workbook

_LOG = logging.getLogger(__name__)

SHEET_INFO = "Thông tin"
SHEET_SELF = "Tự chấm điểm"
SHEET_APPRAISAL = "Thẩm định"

LABEL_UNIT = "Mã đơn vị"
LABEL_YEAR = "Năm đánh giá"

COL_UNIT = "Mã đơn vị"
COL_UNIT_NAME = "Tên đơn vị"
COL_CRITERION = "Mã tiêu chí"
COL_CRITERION_NAME = "Tên tiêu chí"
COL_MAX = "Điểm tối đa"
COL_CLAIMED = "Điểm tự chấm"
COL_EVIDENCE = "Tài liệu kiểm chứng"
COL_NOTE = "Ghi chú"
COL_APPRAISED = "Điểm thẩm định"
COL_REASON = "Lý do"

ParKind = Literal["self_assessment", "appraisal"]

# canonical column -> accepted spellings (matched with fold_key)
SELF_COLUMNS: dict[str, tuple[str, ...]] = {
    COL_CRITERION: (COL_CRITERION, "Mã TC", "criterion_id"),
    COL_CRITERION_NAME: (COL_CRITERION_NAME, "Tiêu chí"),
    COL_MAX: (COL_MAX, "Điểm tối đa của tiêu chí", "max_points"),
    COL_CLAIMED: (COL_CLAIMED, "Điểm đơn vị tự chấm", "Tự chấm", "points"),
    COL_EVIDENCE: (COL_EVIDENCE, "Tài liệu kiểm chứng (số, ngày văn bản)", "Tài liệu",
                   "evidence"),
    COL_NOTE: (COL_NOTE, "note"),
}
APPRAISAL_COLUMNS: dict[str, tuple[str, ...]] = {
    COL_UNIT: (COL_UNIT, "unit"),
    COL_UNIT_NAME: (COL_UNIT_NAME,),
    COL_CRITERION: (COL_CRITERION, "Mã TC", "criterion_id"),
    COL_CRITERION_NAME: (COL_CRITERION_NAME, "Tiêu chí"),
    COL_MAX: (COL_MAX, "max_points"),
    COL_CLAIMED: (COL_CLAIMED, "Điểm đơn vị tự chấm"),
    COL_APPRAISED: (COL_APPRAISED, "Điểm Sở Nội vụ thẩm định", "Điểm được công nhận",
                    "points"),
    COL_REASON: (COL_REASON, "Lý do điều chỉnh", "Lý do thay đổi", "reason"),
}
INFO_LABELS: dict[str, tuple[str, ...]] = {
    LABEL_UNIT: (LABEL_UNIT, "unit"),
    LABEL_YEAR: (LABEL_YEAR, "Năm", "year"),
}
TABLE_SHEET: dict[ParKind, str] = {"self_assessment": SHEET_SELF, "appraisal": SHEET_APPRAISAL}
REQUIRED: dict[ParKind, tuple[str, ...]] = {
    "self_assessment": (COL_CRITERION, COL_CLAIMED, COL_EVIDENCE),
    "appraisal": (COL_CRITERION, COL_UNIT, COL_APPRAISED, COL_REASON),
}
_WORKBOOK_PART_LIMIT = 1024 * 1024  # a workbook part listing sheets is a few kilobytes


@dataclass
class RawParFile:
    """Cells as found: the «Thông tin» labels' values (with their row), the table's rows
    keyed by canonical column, and layout problems."""

    kind: ParKind
    info: dict[str, tuple[object, int | None]] = field(default_factory=dict)
    rows: list[RawRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def sheet(self) -> str:
        return TABLE_SHEET[self.kind]


def _folded(names: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {fold_key(spelling): canonical for canonical, spellings in names.items()
            for spelling in spellings}


def par_file_kind(path: Path) -> ParKind | None:
    """``appraisal`` or ``self_assessment`` when the workbook has that sheet, else
    ``None`` (any other file, or one that cannot be opened: the ordinary reader then says
    what is wrong with it). Reads the workbook's sheet list only, held to its declared
    size (zipfile stops a part there)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            parts = [i for i in archive.infolist() if i.filename.endswith("workbook.xml")]
            part = next((i for i in parts if i.filename == "xl/workbook.xml"),
                        parts[0] if parts else None)
            if part is None or part.file_size > _WORKBOOK_PART_LIMIT:
                return None
            root = fromstring(archive.read(part))
    except Exception as exc:  # not a workbook this check can read: not one of ours
        _LOG.debug("%s: không đọc được danh sách trang (%s)", path.name, type(exc).__name__)
        return None
    names = {fold_key(e.get("name", "")) for e in root.iter()
             if str(e.tag).rsplit("}", 1)[-1] == "sheet"}
    if fold_key(SHEET_APPRAISAL) in names:
        return "appraisal"
    if fold_key(SHEET_SELF) in names:
        return "self_assessment"
    return None


Grid = Sequence[Sequence[object]]


def _info(grid: Grid) -> dict[str, tuple[object, int | None]]:
    """Each label's value (to its right, else below) and the row it was read on."""
    labels = _folded(INFO_LABELS)
    info: dict[str, tuple[object, int | None]] = {}
    for r, cells in enumerate(grid):
        for c, cell in enumerate(cells):
            if not isinstance(cell, str):
                continue
            label = labels.get(fold_key(cell))
            if label is None or label in info:
                continue
            right = cells[c + 1] if c + 1 < len(cells) else None
            below = grid[r + 1][c] if r + 1 < len(grid) and c < len(grid[r + 1]) else None
            if not is_blank(right):
                info[label] = (right, r + 1)
            elif not is_blank(below):
                info[label] = (below, r + 2)
            else:
                info[label] = (None, r + 1)
    return info


def _table(grid: Grid, kind: ParKind) -> tuple[list[RawRow], list[Problem]]:
    """The rows under the header row (found within the first 20 rows by «Mã tiêu chí»)."""
    sheet = TABLE_SHEET[kind]
    columns = _folded(SELF_COLUMNS if kind == "self_assessment" else APPRAISAL_COLUMNS)
    for index, cells in enumerate(grid[:20]):
        mapping = {i: columns.get(fold_key(c)) for i, c in enumerate(cells)
                   if isinstance(c, str)}
        found = {c for c in mapping.values() if c}
        if COL_CRITERION not in found:
            continue
        problems = [Problem(f"thiếu cột «{col}»", sheet, index + 1, col)
                    for col in REQUIRED[kind] if col not in found]
        rows: list[RawRow] = []
        for offset, data in enumerate(grid[index + 1:], start=index + 2):
            values = {mapping[i]: v for i, v in enumerate(data) if mapping.get(i)}
            if all(is_blank(v) for v in values.values()):
                continue
            rows.append(RawRow(offset, {k: v for k, v in values.items() if k is not None}))
        return rows, problems
    return [], [Problem(f"không tìm thấy dòng tiêu đề có cột «{COL_CRITERION}»", sheet)]


def read_par_file(path: Path, kind: ParKind) -> RawParFile:
    """Read a self-assessment or appraisal workbook; raises :class:`UnreadableFile` when
    it cannot be opened or is over the limits."""
    try:
        sheets = read_workbook(path)
    except WorkbookError as exc:
        raise UnreadableFile(str(exc)) from exc
    by_name = {fold_key(s.name): s for s in sheets}
    raw = RawParFile(kind)
    info = by_name.get(fold_key(SHEET_INFO))
    if info is None:
        raw.problems.append(Problem(f"thiếu trang «{SHEET_INFO}»", SHEET_INFO))
    else:
        raw.info = _info(info.rows)
        wanted = (LABEL_UNIT, LABEL_YEAR) if kind == "self_assessment" else (LABEL_YEAR,)
        raw.problems += [Problem(f"không tìm thấy ô «{label}»", SHEET_INFO, column=label)
                         for label in wanted if label not in raw.info]
    table = by_name[fold_key(raw.sheet)]  # par_file_kind found it
    raw.rows, problems = _table(table.rows, kind)
    raw.problems += problems
    return _without_controls(raw)


def _without_controls(raw: RawParFile) -> RawParFile:
    """A problem at each cell holding a control character, its value kept escaped."""
    def checked(value: object, sheet: str, row: int | None, column: str) -> object:
        if not isinstance(value, str) or not has_controls(value):
            return value
        escaped = escape_controls(value)
        raw.problems.append(Problem(
            "ô có ký tự điều khiển không in được, thường do chép từ phần mềm khác; hãy xoá "
            f"ký tự này (nội dung ô: «{escaped[:80]}»)", sheet, row, column))
        return escaped

    raw.info = {label: (checked(value, SHEET_INFO, row, label), row)
                for label, (value, row) in raw.info.items()}
    raw.rows = [RawRow(r.row, {c: checked(v, raw.sheet, r.row, c) for c, v in r.cells.items()})
                for r in raw.rows]
    return raw
