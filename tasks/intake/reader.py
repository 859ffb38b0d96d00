"""Reading an agency's submission file (.xlsx, .csv or .json) into raw rows.

The reader only finds the sheets, the header rows and the cells; it judges nothing
(see :mod:`tasks.intake.validation`). Sheet names and headers are matched regardless of
case, diacritics and spacing; title rows above the header row and blank rows are
allowed. Layouts:

- ``.xlsx``: sheets ``Thông tin`` (label cells ``Mã đơn vị`` and ``Kỳ báo cáo`` with the
  value to their right or below), ``Nhiệm vụ`` and ``Chỉ tiêu`` (a header row, then rows),
  read within :mod:`tasks.sheets.workbook_limits` (5,000 rows and 60 columns per sheet).
- ``.csv``: the same three blocks one after the other; a block starts with a line whose
  first cell is the sheet name. ``;``, ``,`` or tab separated (decided from the first
  lines, :mod:`tasks.sheets.delimited`), UTF-8 (with or without BOM), Windows-1258 or
  UTF-16 (Excel's «Unicode Text»: with a BOM, or without one when unambiguous).
- ``.json``: ``{"Mã đơn vị": …, "Kỳ báo cáo": …, "Nhiệm vụ": [{column: value}, …],
  "Chỉ tiêu": [{…}]}``; a row's number is its position in the list. A field or section
  named twice, under two spellings (``"Nhiệm vụ"`` and ``"tasks"``), is refused: which one
  was meant cannot be told.

Every format is held to the workbook's limits (:mod:`tasks.sheets.workbook_limits`): at
most ``MAX_FILE_BYTES`` on disk (checked before the file is read), :data:`MAX_ROWS`
rows and :data:`MAX_COLUMNS` columns per sheet. A CSV block is checked by the rule every
CSV file is held to (:mod:`tasks.sheets.text_limits`, portal exports too): its rows
counted as a sheet's (from the line after the sheet's name, header and title rows
included; blank lines past the limit cost nothing), its columns up to the last non-blank
cell; reading stops at the first value past a limit. A JSON list holds at most
:data:`MAX_ROWS` rows, a row at most :data:`MAX_COLUMNS` fields. A cell holding a control
character (``\\x00`` …, not tab or line breaks) is a problem at its cell, and the character
is shown escaped.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from config.folding import fold_key
from tasks.intake.legacy_text import CellConversion, convert_value
from tasks.model.problems import (
    Problem,
    RejectedInput,
    escape_controls,
    has_controls,
    vi_count,
)
from tasks.sheets.cells import is_blank
from tasks.sheets.delimited import iter_delimited
from tasks.sheets.file_kind import OLE_MAGIC, ole_refusal
from tasks.sheets.text_limits import TextLimitError, check_size, csv_line_within_limits
from tasks.sheets.workbook_limits import (
    LIMITS_VI,
    MAX_COLUMNS,
    MAX_ROWS,
    WorkbookError,
    read_workbook,
)

logger = logging.getLogger(__name__)

SHEET_INFO = "Thông tin"
SHEET_TASKS = "Nhiệm vụ"
SHEET_METRICS = "Chỉ tiêu"

COL_AGENCY = "Mã đơn vị"
COL_PERIOD = "Kỳ báo cáo"
COL_TASK_ID = "Mã nhiệm vụ"
COL_STATUS = "Tình trạng"
COL_PROGRESS = "Tiến độ (%)"
COL_COMPLETED = "Ngày hoàn thành"
COL_RESULT = "Kết quả/Sản phẩm"
COL_DIFFICULTIES = "Khó khăn, vướng mắc"
COL_METRIC = "Mã chỉ tiêu"
COL_VALUE = "Giá trị"
COL_NOTE = "Ghi chú"

# canonical column -> accepted spellings (matched with fold_key)
TASK_COLUMNS: dict[str, tuple[str, ...]] = {
    COL_TASK_ID: (COL_TASK_ID, "Mã NV", "task_id"),
    COL_STATUS: (COL_STATUS, "Trạng thái", "status"),
    COL_PROGRESS: (COL_PROGRESS, "Tiến độ", "Tiến độ %", "progress"),
    COL_COMPLETED: (COL_COMPLETED, "completed_on"),
    COL_RESULT: (COL_RESULT, "Kết quả", "Sản phẩm", "result"),
    COL_DIFFICULTIES: (COL_DIFFICULTIES, "Khó khăn", "Khó khăn vướng mắc", "difficulties"),
}
METRIC_COLUMNS: dict[str, tuple[str, ...]] = {
    COL_METRIC: (COL_METRIC, "metric_code", "code"),
    COL_VALUE: (COL_VALUE, "Số liệu", "value"),
    COL_NOTE: (COL_NOTE, "note"),
}
INFO_LABELS: dict[str, tuple[str, ...]] = {
    COL_AGENCY: (COL_AGENCY, "agency", "agency_code"),
    COL_PERIOD: (COL_PERIOD, "period"),
}
SHEET_NAMES: dict[str, tuple[str, ...]] = {
    SHEET_INFO: (SHEET_INFO, "info"),
    SHEET_TASKS: (SHEET_TASKS, "tasks"),
    SHEET_METRICS: (SHEET_METRICS, "metrics"),
}
REQUIRED = {SHEET_TASKS: (COL_TASK_ID, COL_STATUS), SHEET_METRICS: (COL_METRIC, COL_VALUE)}


class UnreadableFile(RejectedInput):
    """The file is not a spreadsheet, CSV or JSON this reader can open (message in
    Vietnamese): the one problem of a file that cannot be read at all."""

    def __init__(self, message: str) -> None:
        super().__init__([Problem(message)])
        self.args = (message,)  # str(): the message alone, as ``cchc validate`` prints it


@dataclass(frozen=True)
class RawRow:
    row: int
    cells: dict[str, object]


@dataclass
class RawSubmission:
    """Cells as found, keyed by canonical column; ``problems`` are layout problems (filled
    by the function that builds the submission, from what its helpers return)."""

    info: dict[str, tuple[object, int | None]] = field(default_factory=dict)
    tasks: list[RawRow] = field(default_factory=list)
    metrics: list[RawRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    conversions: list[CellConversion] = field(default_factory=list)  # legacy text converted


_FOLDED: dict[int, tuple[dict[str, tuple[str, ...]], dict[str, str]]] = {}


def _folded(names: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Folded spelling -> canonical name (the first canonical name wins), made once."""
    cached = _FOLDED.get(id(names))
    if cached is None or cached[0] is not names:
        folded: dict[str, str] = {}
        for canonical, spellings in names.items():
            for spelling in spellings:
                folded.setdefault(fold_key(spelling), canonical)
        cached = _FOLDED[id(names)] = (names, folded)
    return cached[1]


def _canonical(label: object, names: dict[str, tuple[str, ...]]) -> str | None:
    if isinstance(label, int | float):
        return None  # no spelling folds to digits alone: a number is never a label
    key = fold_key(label)
    if not key:
        return None
    return _folded(names).get(key)


Grid = Sequence[Sequence[object]]  # rows of cells; row n of the grid is spreadsheet row n+1


def _table(grid: Grid, sheet: str, columns: dict[str, tuple[str, ...]],
           first_row_number: int = 1) -> tuple[list[RawRow], list[Problem]]:
    """Find the header row (within the first 20 rows): the data rows under it, and the
    layout problems (a required column missing: the rows are still read; no header row)."""
    required = REQUIRED[sheet]
    for index, cells in enumerate(grid[:20]):
        mapping = {i: _canonical(c, columns) for i, c in enumerate(cells)}
        found = {c for c in mapping.values() if c}
        if required[0] in found:
            problems = [Problem(f"thiếu cột «{col}»", sheet, index + first_row_number, col)
                        for col in required if col not in found]
            rows = []
            for offset, data in enumerate(grid[index + 1:], start=index + 1):
                values = {mapping[i]: v for i, v in enumerate(data) if mapping.get(i)}
                if all(is_blank(v) for v in values.values()):
                    continue
                rows.append(RawRow(offset + first_row_number, {k: v for k, v in values.items()
                                                                if k is not None}))
            return rows, problems
    return [], [Problem(f"không tìm thấy dòng tiêu đề có cột «{required[0]}»", sheet)]


def _info(grid: Grid, first_row_number: int = 1) -> dict[str, tuple[object, int | None]]:
    """The «Thông tin» sheet's values by label (the first cell of each label), with the
    row each was read on."""
    info: dict[str, tuple[object, int | None]] = {}
    for r, cells in enumerate(grid):
        for c, cell in enumerate(cells):
            label = _canonical(cell, INFO_LABELS)
            if label is None or label in info:
                continue
            right = cells[c + 1] if c + 1 < len(cells) else None
            below = grid[r + 1][c] if r + 1 < len(grid) and c < len(grid[r + 1]) else None
            if not is_blank(right):
                info[label] = (right, r + first_row_number)
            elif not is_blank(below):
                info[label] = (below, r + 1 + first_row_number)
            else:
                info[label] = (None, r + first_row_number)
    return info


def _from_sheets(sheets: dict[str, Grid], first_numbers: dict[str, int] | None = None
                 ) -> RawSubmission:
    raw = RawSubmission()
    by_name: dict[str, Grid] = {}
    names: dict[str, str] = {}  # canonical -> the sheet's own name
    for name, grid in sheets.items():
        canonical = _canonical(name, SHEET_NAMES)
        if canonical and canonical in by_name:
            raise UnreadableFile(
                f"tệp có cả trang «{_shown(names[canonical])}» và trang «{_shown(name)}», "
                f"là tên của cùng một trang «{canonical}»; không biết phải dùng trang nào, "
                "hãy chỉ giữ một")
        if canonical:
            by_name[canonical] = grid
            names[canonical] = name
    numbers = first_numbers or {}
    if SHEET_INFO in by_name:
        raw.info = _info(by_name[SHEET_INFO], numbers.get(SHEET_INFO, 1))
    else:
        raw.problems.append(Problem(f"thiếu trang «{SHEET_INFO}»", SHEET_INFO))
    for sheet, columns in ((SHEET_TASKS, TASK_COLUMNS), (SHEET_METRICS, METRIC_COLUMNS)):
        if sheet not in by_name:
            if sheet == SHEET_TASKS:
                raw.problems.append(Problem(f"thiếu trang «{sheet}»", sheet))
            continue
        rows, problems = _table(by_name[sheet], sheet, columns, numbers.get(sheet, 1))
        raw.problems.extend(problems)
        (raw.tasks if sheet == SHEET_TASKS else raw.metrics).extend(rows)
    for label in (COL_AGENCY, COL_PERIOD):
        if label not in raw.info and SHEET_INFO in by_name:
            raw.problems.append(Problem(f"không tìm thấy ô «{label}»", SHEET_INFO,
                                        column=label))
    return raw


# --- file formats --------------------------------------------------------------------
def _xlsx_grids(path: Path) -> tuple[dict[str, Grid], list[CellConversion]]:
    """Each worksheet's values, read within :mod:`tasks.sheets.workbook_limits`; a number in a
    percent-formatted cell becomes text such as ``"100.0%"`` (Excel stores 100 % as 1); text
    in a TCVN3/VNI font (or recognised as legacy text) becomes Unicode, each such cell
    returned as a conversion."""
    try:
        sheets = read_workbook(path)
    except WorkbookError as exc:
        raise UnreadableFile(str(exc)) from exc
    grids: dict[str, Grid] = {}
    conversions: list[CellConversion] = []
    for sheet in sheets:
        grid: list[list[object]] = []
        for r, line in enumerate(sheet.rows):
            values: list[object] = []
            for c, value in enumerate(line):
                if ((r, c) in sheet.percent and isinstance(value, int | float)
                        and not isinstance(value, bool)):
                    value = f"{round(float(value) * 100, 6)}%"
                value, conversion = convert_value(value, sheet.fonts.get((r, c)))
                if conversion is not None:
                    conversions.append(CellConversion(sheet.name, r + 1, c + 1, conversion))
                values.append(value)
            grid.append(values)
        grids[sheet.name] = grid
    return grids, conversions


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        logger.warning("không đọc được %s: %s", path, exc)
        raise UnreadableFile("không mở được tệp để đọc; hãy nộp lại tệp") from exc


_SAVE_AS_UTF8 = ("hãy mở tệp bằng Excel và lưu lại với kiểu «CSV UTF-8 (Comma delimited)» "
                 "(tệp JSON: lưu với bảng mã UTF-8)")
_UTF16_BOMS = ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _utf16_order(data: bytes) -> str | None:
    """The byte order of UTF-16 text without a BOM, when it is unambiguous: in at least half
    the byte pairs one byte is NUL (the text's ASCII and Latin-1 letters, digits,
    separators and line ends), and the other byte of a pair is rarely NUL. A UTF-8 or
    Windows-1258 file with a stray NUL in a cell is far from this, and is read as before
    (the NUL then refused at its cell)."""
    if b"\x00" not in data[:4096]:
        return None
    pairs = len(data) // 2
    even_nul, odd_nul = data[0::2].count(0), data[1::2].count(0)
    for nul, other, encoding in ((odd_nul, even_nul, "utf-16-le"),
                                 (even_nul, odd_nul, "utf-16-be")):
        if 2 * nul >= pairs and 8 * other < nul:
            return encoding
    return None


def _decode_utf16(data: bytes, encoding: str) -> str:
    if len(data) % 2 == 0:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    raise UnreadableFile(
        "tệp được lưu ở dạng Unicode (UTF-16, như kiểu «Unicode Text» của Excel) nhưng bị "
        f"hỏng hoặc không trọn vẹn nên không đọc được; {_SAVE_AS_UTF8}")


def _decode(data: bytes) -> str:
    """Text in UTF-16 (with a BOM, or unambiguous without one: Excel's «Unicode Text»),
    else UTF-8 (with or without BOM), else Windows-1258."""
    for bom, encoding in _UTF16_BOMS:
        if data.startswith(bom):
            return _decode_utf16(data[len(bom):], encoding)
    order = _utf16_order(data)
    if order is not None:
        return _decode_utf16(data, order)
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("không đọc được bảng mã của tệp (hãy lưu tệp với bảng mã UTF-8)")


def _within_size(path: Path) -> None:
    """Refuse a CSV or JSON file larger than a workbook may be, before reading it."""
    try:
        check_size(path)
    except OSError as exc:
        logger.warning("không đọc được %s: %s", path, exc)
        raise UnreadableFile("không mở được tệp để đọc; hãy nộp lại tệp") from exc
    except TextLimitError as exc:
        raise UnreadableFile(str(exc)) from exc


def _csv_grids(path: Path) -> tuple[dict[str, Grid], dict[str, int], list[CellConversion]]:
    """The blocks of a CSV file, read line by line up to the first value past a limit; the
    row number each block's grid starts on; the cells of legacy text turned into Unicode."""
    _within_size(path)
    text = _decode(_read_bytes(path))
    grids: dict[str, list[Sequence[object]]] = {}
    conversions: list[CellConversion] = []
    firsts: dict[str, int] = {}
    starts: dict[str, int] = {}  # the line each block starts on, for messages
    current: str | None = None
    try:
        for number, line in enumerate(iter_delimited(text), start=1):
            non_blank = [c for c in line if c.strip()]
            sheet = (_canonical(line[0], SHEET_NAMES)
                     if len(non_blank) == 1 and line else None)
            if sheet:
                if any(any(c.strip() for c in row if isinstance(c, str))
                       for row in grids.get(sheet, [])):
                    raise UnreadableFile(
                        f"tệp CSV có hai khối «{sheet}» (từ dòng {starts[sheet]} và từ dòng "
                        f"{number}); không biết phải dùng khối nào, hãy gộp thành một khối")
                current = sheet
                grids[sheet] = []
                firsts[sheet] = number + 1
                starts[sheet] = number
                continue
            if current is None:
                current = SHEET_INFO
                grids[current] = []
                firsts[current] = starts[current] = number
            kept = csv_line_within_limits(line, number - firsts[current] + 1,
                                          number=number, block=current)
            if kept is None:
                continue  # a blank line past the limit, as an empty formatted row
            values, converted = _converted_line(kept, current, number)
            grids[current].append(values)
            conversions += converted
    except TextLimitError as exc:
        raise UnreadableFile(str(exc)) from exc
    except csv.Error as exc:
        logger.warning("không tách được các ô của tệp CSV %s: %s", path, exc)
        raise UnreadableFile(
            "tệp CSV không đúng định dạng (có thể thiếu dấu nháy \" đóng một ô); hãy "
            "mở bằng Excel và lưu lại dưới dạng CSV UTF-8") from exc
    return dict(grids), firsts, conversions


def _converted_line(line: Sequence[str], sheet: str, number: int
                    ) -> tuple[list[object], list[CellConversion]]:
    """A CSV line with legacy text (told by statistics only) turned into Unicode, and the
    cells so turned."""
    values: list[object] = []
    conversions: list[CellConversion] = []
    for column, cell in enumerate(line, start=1):
        value, conversion = convert_value(cell)
        if conversion is not None:
            conversions.append(CellConversion(sheet, number, column, conversion))
        values.append(value)
    return values, conversions


_JSON_TOO_COMPLEX = ("tệp JSON lồng quá nhiều tầng ngoặc hoặc có số quá dài nên không đọc "
                     "được; hãy xuất lại tệp JSON theo đúng mẫu (các dòng là danh sách "
                     "[{…}], số ghi bình thường)")


class _DuplicateKey(Exception):
    """A JSON object names one key twice (the message is the key)."""


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    found: dict[str, object] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(key[:60])
        found[key] = value
    return found


def _json_text(path: Path) -> str:
    return _decode(_read_bytes(path))


def _json_raw(path: Path) -> RawSubmission:
    _within_size(path)
    text = _json_text(path)
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        logger.warning("tệp JSON %s không hợp lệ: %s", path, exc)
        raise UnreadableFile(
            f"tệp JSON không hợp lệ ở dòng {exc.lineno}, cột {exc.colno}; hãy kiểm tra dấu "
            "ngoặc, dấu phẩy và dấu nháy quanh chỗ đó") from exc
    except _DuplicateKey as exc:
        raise UnreadableFile(f"tệp JSON có trường «{exc}» ghi hai lần trong cùng một đối "
                             "tượng {…}; mỗi trường chỉ ghi một lần") from exc
    except (RecursionError, ValueError) as exc:  # nested too deep, an integer too long
        logger.warning("không đọc được tệp JSON %s: %s", path, type(exc).__name__)
        raise UnreadableFile(_JSON_TOO_COMPLEX) from exc
    if not isinstance(data, dict):
        raise UnreadableFile("tệp JSON phải là một đối tượng {…}")
    _one_spelling_each(data)
    raw = RawSubmission()
    for key, value in data.items():
        label = _canonical(key, INFO_LABELS)
        if label:
            value, conversion = convert_value(value)
            if conversion is not None:
                raw.conversions.append(CellConversion(SHEET_INFO, 1, None, conversion))
            raw.info[label] = (value, None)
    for label in (COL_AGENCY, COL_PERIOD):
        if label not in raw.info:
            raw.problems.append(Problem(f"không tìm thấy trường «{label}»", SHEET_INFO,
                                        column=label))
    for sheet, columns in ((SHEET_TASKS, TASK_COLUMNS), (SHEET_METRICS, METRIC_COLUMNS)):
        items: object = next(
            (v for k, v in data.items() if _canonical(k, SHEET_NAMES) == sheet), [])
        if not isinstance(items, list):
            raw.problems.append(Problem("phải là một danh sách […]", sheet))
            continue
        _json_within_limits(sheet, items)
        target = raw.tasks if sheet == SHEET_TASKS else raw.metrics
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raw.problems.append(Problem("mỗi dòng phải là một đối tượng {…}", sheet, number))
                continue
            cells: dict[str, object] = {}
            named: dict[str, str] = {}  # canonical column -> the key that gave it
            for key, value in item.items():
                column = _canonical(key, columns)
                if column is None:
                    continue
                if column in named:
                    raw.problems.append(Problem(
                        f"dòng ghi cả «{_shown(named[column])}» và «{_shown(key)}», hai tên của "
                        "cùng một cột; chỉ ghi một trong hai", sheet, number, column))
                    continue
                named[column] = key
                cells[column], conversion = convert_value(value)
                if conversion is not None:
                    raw.conversions.append(CellConversion(sheet, number, None, conversion))
            target.append(RawRow(number, cells))
    return raw


def _shown(key: str) -> str:
    """A JSON key as a message may quote it: cut short, control characters escaped."""
    return escape_controls(key[:60])


def _one_spelling_each(data: dict[str, object]) -> None:
    """Refuse a JSON file that names a section or a field of «Thông tin» twice, under two
    spellings (``"Nhiệm vụ"`` and ``"tasks"``): which one was meant cannot be told."""
    keys: dict[str, list[str]] = {}
    for key in data:
        canonical = _canonical(key, SHEET_NAMES) or _canonical(key, INFO_LABELS)
        if canonical:
            keys.setdefault(canonical, []).append(key)
    for canonical, spellings in keys.items():
        if len(spellings) > 1:
            named = " và ".join(f"«{_shown(k)}»" for k in spellings)
            raise UnreadableFile(
                f"tệp JSON có cả {named}, là các tên của cùng một mục «{canonical}»; không "
                "biết phải dùng mục nào, hãy chỉ giữ một (theo mẫu: "
                f"«{canonical}»)")


def _json_within_limits(sheet: str, items: list[object]) -> None:
    """A JSON list holds no more rows, a row no more fields, than a sheet would."""
    if len(items) > MAX_ROWS:
        raise UnreadableFile(
            f"danh sách «{sheet}» của tệp JSON có {vi_count(len(items))} dòng, quá "
            f"{vi_count(MAX_ROWS)} dòng ({LIMITS_VI}); hãy xoá các dòng thừa hoặc kiểm tra "
            "tệp có bị chép lặp dữ liệu không")
    for number, item in enumerate(items, start=1):
        if isinstance(item, dict) and len(item) > MAX_COLUMNS:
            raise UnreadableFile(
                f"danh sách «{sheet}» của tệp JSON, dòng {vi_count(number)} có "
                f"{len(item)} trường, quá {MAX_COLUMNS} cột ({LIMITS_VI}); hãy xoá các "
                "trường thừa ở dòng đó")


def _starts_with_ole(path: Path) -> bool:
    """The first bytes only: an OLE2 file is then read whole to say what it is."""
    try:
        with path.open("rb") as stream:
            return stream.read(len(OLE_MAGIC)) == OLE_MAGIC
    except OSError as exc:
        logger.warning("không đọc được %s: %s", path, exc)
        raise UnreadableFile("không mở được tệp để đọc; hãy nộp lại tệp") from exc


_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def read_submission(path: Path) -> RawSubmission:
    """Read a submission file; raises :class:`UnreadableFile` when it cannot be opened."""
    return _without_controls(_read_raw(path))


def _read_raw(path: Path) -> RawSubmission:
    suffix = path.suffix.lower()
    refusal = ole_refusal(_read_bytes(path)) if (suffix in _EXCEL_SUFFIXES
                                                  and _starts_with_ole(path)) else None
    if refusal:
        raise UnreadableFile(refusal)
    if suffix in (".xlsx", ".xlsm"):  # .xlsm: values only; macros are never run
        sheets, conversions = _xlsx_grids(path)
        raw = _from_sheets(sheets)
        raw.conversions.extend(conversions)
        return raw
    if suffix == ".csv":
        grids, firsts, conversions = _csv_grids(path)
        raw = _from_sheets(grids, firsts)
        raw.conversions.extend(conversions)
        return raw
    if suffix == ".json":
        return _json_raw(path)
    raise UnreadableFile(
        f"định dạng tệp «{suffix or '(không có phần mở rộng)'}» không được hỗ trợ; "
        "chỉ nhận .xlsx, .csv hoặc .json"
    )


def _without_controls(raw: RawSubmission) -> RawSubmission:
    """``raw`` (left as it is) with a problem added at each cell holding a control
    character (``\\x00``, ESC …; not tab or line breaks), whose value is then kept
    escaped: no later message quotes it raw."""
    problems: list[Problem] = []

    def checked(value: object, sheet: str, row: int | None, column: str) -> object:
        if not isinstance(value, str) or not has_controls(value):
            return value
        escaped = escape_controls(value)
        shown = ", ".join(dict.fromkeys(escape_controls(c) for c in value if has_controls(c)))
        problems.append(Problem(
            f"ô có ký tự điều khiển không in được ({shown}), thường do chép từ phần mềm "
            f"khác; hãy xoá ký tự này (nội dung ô: «{escaped[:80]}»)", sheet, row, column))
        return escaped

    def rows_of(sheet: str, rows: list[RawRow]) -> list[RawRow]:
        return [RawRow(r.row, {column: checked(value, sheet, r.row, column)
                               for column, value in r.cells.items()})
                for r in rows]

    info = {label: (checked(value, SHEET_INFO, row, label), row)
            for label, (value, row) in raw.info.items()}
    tasks = rows_of(SHEET_TASKS, raw.tasks)
    metrics = rows_of(SHEET_METRICS, raw.metrics)
    return replace(raw, info=info, tasks=tasks, metrics=metrics,
                   problems=[*raw.problems, *problems], conversions=list(raw.conversions))
