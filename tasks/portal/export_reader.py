"""Reading a public-service portal's one-stop statistics export (biểu thống kê tình hình
giải quyết TTHC) for one period, from an ``.xlsx`` (first sheet) or ``.csv`` file.

Two layouts are recognised from their header wording:

Variant A, three header rows, columns left to right:

- "STT", "Tên đơn vị" and optionally "Mã đơn vị" (each merged down the three rows);
- "Số hồ sơ nhận giải quyết" over "Tổng số" and "Trong đó", the latter over "Số mới tiếp
  nhận trực tuyến", "… trực tiếp", "… qua BCCI" and "Số kỳ trước chuyển qua";
- "Kết quả giải quyết" over "Số hồ sơ đã giải quyết" ("Tổng số", "Trả đúng thời hạn" —
  which includes those returned early —, "Trả quá hạn") and "Số hồ sơ đang giải quyết"
  ("Tổng số", "Chưa đến hạn", "Quá hạn");
- "Chờ bổ sung", "Trả lại/Rút HS", "Tỷ lệ hài lòng" (not read).

Variant B, two header rows (a group row over six counts; the group row may be missing)::

    STT | Đơn vị | Số hồ sơ
        |        | Tổng | Đã xử lý | Chưa xử lý | Trước hạn | Đúng hạn | Trễ hạn

Merged header cells hold their label in the top-left cell only; labels are carried right
across a merged span, and each column is named by its labels from top to bottom
(``"Kết quả giải quyết / Số hồ sơ đã giải quyết / Tổng số"``), compared after
:func:`tasks.text.fold`. A row of column numbers (``(1) (2) (3)``) under the header is
skipped. Rows whose label starts with "Cấp …" or "Khối …" (optionally numbered ``I.``)
are section headings; when they carry numbers they are subtotals of the units below them.
The "Tổng cộng" row ends the table and must equal the sum of the units.
Every problem found is collected and raised at once as :class:`RejectedInput`.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from config.folding import fold
from config.registry import Agency, Registry
from tasks.model.periods import Period, PeriodError, month_period, parse_period, period_in_name
from tasks.model.portal import PortalExport, PortalUnitStats, Variant
from tasks.model.problems import Problem, RejectedInput
from tasks.sheets.cells import CellError, clean_text, is_blank, parse_date, parse_number
from tasks.sheets.delimited import read_delimited
from tasks.sheets.workbook_limits import WorkbookError, read_workbook

logger = logging.getLogger(__name__)

Row = Sequence[object]


# --- layouts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    field: str
    pattern: str  # regex searched in the folded header path "a / b / c"
    wording: str  # the header as the layout words it, named when the column is missing


@dataclass(frozen=True)
class _Layout:
    variant: Variant
    columns: tuple[_Column, ...]
    sums: tuple[tuple[str, tuple[str, ...]], ...]  # total field = sum of the part fields


_RECEIVED = "Số hồ sơ nhận giải quyết"
_RESOLVED = "Kết quả giải quyết / Số hồ sơ đã giải quyết"
_PENDING = "Kết quả giải quyết / Số hồ sơ đang giải quyết"
_LAYOUTS = (
    _Layout(
        "A",
        (
            _Column("received_total", r"nhan giai quyet / tong( so)?$", f"{_RECEIVED} / Tổng số"),
            _Column(
                "received_online",
                r"nhan giai quyet / .*truc tuyen$",
                f"{_RECEIVED} / Trong đó / Số mới tiếp nhận trực tuyến",
            ),
            _Column(
                "received_in_person",
                r"nhan giai quyet / .*truc tiep$",
                f"{_RECEIVED} / Trong đó / Số mới tiếp nhận trực tiếp",
            ),
            _Column(
                "received_post",
                r"nhan giai quyet / .*(bcci|buu chinh)",
                f"{_RECEIVED} / Trong đó / Số mới tiếp nhận qua BCCI",
            ),
            _Column(
                "carried_over",
                r"nhan giai quyet / .*ky truoc",
                f"{_RECEIVED} / Trong đó / Số kỳ trước chuyển qua",
            ),
            _Column("resolved_total", r"\bda giai quyet / tong( so)?$", f"{_RESOLVED} / Tổng số"),
            _Column(
                "resolved_on_time",
                r"\bda giai quyet / .*(dung|trong) (thoi )?han$",
                f"{_RESOLVED} / Trả đúng thời hạn",
            ),
            _Column(
                "resolved_late",
                r"\bda giai quyet / .*(qua|tre) (thoi )?han$",
                f"{_RESOLVED} / Trả quá hạn",
            ),
            _Column("in_progress_total", r"dang giai quyet / tong( so)?$", f"{_PENDING} / Tổng số"),
            _Column(
                "in_progress_within",
                r"dang giai quyet / .*(chua den|trong) (thoi )?han$",
                f"{_PENDING} / Chưa đến hạn",
            ),
            _Column(
                "in_progress_overdue",
                r"dang giai quyet / .*(qua|tre) (thoi )?han$",
                f"{_PENDING} / Quá hạn",
            ),
        ),
        (
            (
                "received_total",
                ("received_online", "received_in_person", "received_post", "carried_over"),
            ),
            ("resolved_total", ("resolved_on_time", "resolved_late")),
            ("in_progress_total", ("in_progress_within", "in_progress_overdue")),
        ),
    ),
    _Layout(
        "B",
        (
            _Column("total", r"(^|/ )tong( so)?$", "Tổng"),
            _Column("resolved", r"(^|/ )da xu ly$", "Đã xử lý"),
            _Column("pending", r"(^|/ )chua xu ly$", "Chưa xử lý"),
            _Column("before", r"(^|/ )truoc (thoi )?han$", "Trước hạn"),
            _Column("on_time", r"(^|/ )dung (thoi )?han$", "Đúng hạn"),
            _Column("late", r"(^|/ )(tre|qua) (thoi )?han$", "Trễ hạn"),
        ),
        (("total", ("resolved", "pending")), ("resolved", ("before", "on_time", "late"))),
    ),
)

_STT_LABELS = {"stt", "tt", "so tt", "so thu tu"}
_UNIT_LABELS = {"ten don vi", "don vi", "co quan, don vi", "ten co quan, don vi", "ten co quan"}
_CODE_LABELS = {"ma don vi", "ma dv", "ma co quan"}
_TOTAL_LABELS = {"tong cong", "tong so", "cong", "tong"}
_HEADING = re.compile(r"^(?:[ivx]+[.)]?\s+|[a-z][.)]\s+)?(cap|khoi)\s")
_COLUMN_NUMBER = re.compile(r"^\(?([0-9]{1,2}|[a-z])\)?$")
_HEADER_SEARCH_ROWS = 15
_MAX_HEADER_ROWS = 3


# --- entry point --------------------------------------------------------------------------


def read_portal_export(
    path: Path, registry: Registry, *, period: Period | None = None
) -> PortalExport:
    """Read one portal export; raise :class:`RejectedInput` listing every problem found."""
    sheet, rows = _read_rows(path)
    problems: list[Problem] = []
    header_at = _find_header_row(rows)
    title_rows = rows[: _HEADER_SEARCH_ROWS if header_at is None else header_at]
    resolved = _resolve_period(path, title_rows, period, sheet, problems)
    table = _Table.locate(rows, header_at, sheet, problems)
    units: tuple[PortalUnitStats, ...] = ()
    if table is not None:
        units = table.read(rows, registry, problems)
    if problems or resolved is None or table is None:
        raise RejectedInput(sorted(problems, key=lambda p: p.row or 0))
    return PortalExport(period=resolved, variant=table.layout.variant, units=units)


# --- reading cells ----------------------------------------------------------------------------


def _read_rows(path: Path) -> tuple[str | None, list[list[object]]]:
    """The first sheet's name and cells; a missing file raises :class:`FileNotFoundError`.

    Workbooks are read within :mod:`tasks.sheets.workbook_limits`; problems name what is wrong
    and what to do, the technical detail is logged.
    """
    suffix = path.suffix.lower()
    if not path.is_file():
        raise FileNotFoundError(path)
    if suffix == ".xlsx":
        try:
            sheets = read_workbook(path, first_sheet_only=True)
        except WorkbookError as exc:
            raise RejectedInput([Problem(_sentence(str(exc)))]) from exc
        if not sheets:
            raise RejectedInput([Problem("Tệp Excel không có trang tính nào có số liệu")])
        return sheets[0].name, sheets[0].rows
    if suffix == ".csv":
        try:
            return None, _read_csv(path.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError:
            problem = Problem("Tệp CSV phải được lưu với bảng mã UTF-8")
            raise RejectedInput([problem]) from None
        except (OSError, csv.Error) as exc:
            logger.warning("cannot read portal export %s: %s: %s", path, type(exc).__name__, exc)
            raise RejectedInput([Problem(
                f"Không đọc được tệp CSV «{path.name}»; hãy xuất lại biểu thống kê từ cổng "
                "dịch vụ công (hoặc mở bằng Excel và lưu dưới dạng CSV UTF-8) rồi nộp lại"
            )]) from exc
    raise RejectedInput([Problem(f"Chỉ nhận tệp .xlsx hoặc .csv, không nhận «{path.name}»")])


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def _read_csv(text: str) -> list[list[object]]:
    """Rows of a CSV file, split by the shared rule of :mod:`tasks.sheets.delimited`."""
    return [list(r) for r in read_delimited(text)]


def _cell(row: Row, col: int | None) -> object:
    return row[col] if col is not None and col < len(row) else None


def _text(row: Row, col: int | None) -> str:
    return clean_text(_cell(row, col)) or ""


def _is_number(value: object) -> bool:
    try:
        parse_number(value.strip().rstrip("%") if isinstance(value, str) else value)
    except CellError:
        return False
    return True


def _count(value: object) -> int:
    """A number of dossiers: a non-negative integer (raises :class:`CellError`)."""
    if is_blank(value):
        raise CellError("Ô bị bỏ trống (ghi 0 nếu không có hồ sơ)")
    number = parse_number(value)
    if number < 0:
        raise CellError(f"Số hồ sơ không được âm ({number:g})")
    if not number.is_integer():
        raise CellError(f"Số hồ sơ phải là số nguyên, không phải {number:g}")
    return int(number)


def _is_column_numbers(row: Row) -> bool:
    """A row such as ``(1) (2) (3) …`` or ``A B 1 2 …`` numbering the columns."""
    cells = [fold(v) for v in row if not is_blank(v)]
    return len(cells) >= 3 and all(_COLUMN_NUMBER.match(c) for c in cells)


def _is_total(label: str) -> bool:
    return fold(label).rstrip(":") in _TOTAL_LABELS


def _is_heading(label: str) -> bool:
    return bool(_HEADING.match(fold(label)))


# --- period -----------------------------------------------------------------------------------

_DATE = r"(\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4})"
_RANGE = re.compile(rf"tu ngay\s*{_DATE}\s*den ngay\s*{_DATE}")
_REPORT_PERIOD = re.compile(r"ky bao cao\s*:?\s*(.+)$")
_PERIOD_WORDS = re.compile(
    r"(thang\s*\d{1,2}\s*(?:nam|/)\s*\d{4}|quy\s*(?:[1-4]|iv|i{1,3})\s*(?:nam|/)\s*\d{4})"
)


def _period_from_range(start: date, end: date) -> Period:
    """The period whose data window is exactly [start, end], else the end date's month."""
    y, m = end.year, end.month
    candidates = [month_period(y, m)]
    if m % 3 == 0:
        candidates.append(Period(y, m - 2, m, "quarter"))
    longer = {6: Period(y, 1, 6, "half"), 9: Period(y, 1, 9, "nine_months")}
    longer[12] = Period(y, 1, 12, "year")
    if m in longer:
        candidates.append(longer[m])
    for candidate in candidates:
        if (start, end) in (candidate.window("ministry"), candidate.window("calendar")):
            return candidate
    return candidates[0]


def _period_from_text(value: object) -> Period | None:
    """A period named in a title cell: a date range, "Kỳ báo cáo: …", "Tháng 3 năm 2025"."""
    text = fold(value)
    match = _RANGE.search(text)
    if match:
        try:
            return _period_from_range(parse_date(match.group(1)), parse_date(match.group(2)))
        except CellError:
            pass
    for pattern in (_REPORT_PERIOD, _PERIOD_WORDS):
        match = pattern.search(text)
        if match:
            try:
                return parse_period(match.group(1))
            except PeriodError:
                pass
    return None


def _resolve_period(
    path: Path,
    title_rows: list[list[object]],
    explicit: Period | None,
    sheet: str | None,
    problems: list[Problem],
) -> Period | None:
    """The explicit period, else the one in the file name, else the one in a title row.

    A title row naming another period than the explicit one or the file name's is a problem.
    """
    title: tuple[int, Period] | None = None
    for number, row in enumerate(title_rows, start=1):
        found = next((p for p in map(_period_from_text, row) if p is not None), None)
        if found is not None:
            title = (number, found)
            break
    from_name = period_in_name(path.name)
    resolved = explicit or from_name or (title[1] if title else None)
    if resolved is None:
        problems.append(Problem(
            "Không xác định được kỳ báo cáo: ghi kỳ vào tên tệp (ví dụ thong-ke-2025-03.xlsx) "
            "hoặc vào dòng tiêu đề (ví dụ «Kỳ báo cáo: 03/2025»)",
            sheet=sheet,
        ))
    elif title is not None and title[1] != resolved:
        source = "kỳ được yêu cầu" if explicit else "kỳ ghi trong tên tệp"
        problems.append(Problem(
            f"Tiêu đề ghi kỳ {title[1].label_vi} nhưng {source} là {resolved.label_vi}",
            sheet=sheet,
            row=title[0],
        ))
    return resolved


# --- header -----------------------------------------------------------------------------------


def _find_header_row(rows: list[list[object]]) -> int | None:
    labels = _STT_LABELS | _UNIT_LABELS
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        if any(fold(v) in labels for v in row):
            return index
    return None


def _column_of(row: Row, labels: set[str]) -> int | None:
    return next((c for c, v in enumerate(row) if fold(v) in labels), None)


def _header_paths(header_rows: list[list[object]], width: int) -> list[tuple[str, ...]]:
    """Each column's labels from top to bottom, carrying merged labels to the right.

    A blank cell takes its left neighbour's label when it lies under the same labels as that
    neighbour and the cell above it is blank too (in the top row: when a row below labels the
    column); a blank under a label of its own is a vertically merged cell and stays blank.
    """
    labels = [[clean_text(_cell(row, c)) or "" for c in range(width)] for row in header_rows]
    filled = [row[:] for row in labels]
    for r, row in enumerate(labels):
        for c in range(1, width):
            if row[c]:
                continue
            if r == 0:
                carry = any(below[c] for below in labels[1:])
            else:
                carry = not labels[r - 1][c] and all(
                    filled[k][c] == filled[k][c - 1] for k in range(r)
                )
            if carry:
                filled[r][c] = filled[r][c - 1]
    return [tuple(row[c] for row in filled if row[c]) for c in range(width)]


@dataclass(frozen=True)
class _Table:
    sheet: str | None
    layout: _Layout
    first_data_row: int  # 0-based index
    stt_col: int | None
    unit_col: int
    code_col: int | None
    columns: dict[str, int]  # field -> 0-based column index
    headers: dict[int, str]  # column index -> header path as in the file

    @classmethod
    def locate(
        cls,
        rows: list[list[object]],
        header_at: int | None,
        sheet: str | None,
        problems: list[Problem],
    ) -> _Table | None:
        """The table's layout and columns, or ``None`` after adding a layout problem."""
        if header_at is None:
            wanted = {lay.variant: ["Tên đơn vị", *(c.wording for c in lay.columns)]
                      for lay in _LAYOUTS}
            problems.append(_layout_problem(sheet, wanted))
            return None
        top = rows[header_at]
        stt_col = _column_of(top, _STT_LABELS)
        unit_col = _column_of(top, _UNIT_LABELS)
        code_col = _column_of(top, _CODE_LABELS)
        label_cols = {c for c in (stt_col, unit_col, code_col) if c is not None}
        end = header_at + 1
        while end < min(len(rows), header_at + _MAX_HEADER_ROWS) and not _is_body_row(
            rows[end], stt_col, unit_col, code_col, label_cols
        ):
            end += 1
        width = max(len(r) for r in rows)
        paths = _header_paths(rows[header_at:end], width)
        folded = [" / ".join(fold(p) for p in path) for path in paths]
        headers = {c: " / ".join(path) for c, path in enumerate(paths)}
        tried: list[tuple[_Layout, dict[str, int], list[str]]] = []
        for layout in _LAYOUTS:
            found: dict[str, int] = {}
            missing = [] if unit_col is not None else ["Tên đơn vị"]
            for column in layout.columns:
                hits = [
                    c for c, f in enumerate(folded)
                    if c not in label_cols and re.search(column.pattern, f)
                ]
                if len(hits) == 1:
                    found[column.field] = hits[0]
                else:
                    missing.append(column.wording + (" (trùng nhiều cột)" if hits else ""))
            tried.append((layout, found, missing))
        layout, found, missing = max(tried, key=lambda t: len(t[1]))
        if unit_col is None or missing:
            # name what the closest layout lacks; when no layout fits at all, what each lacks
            named = [(layout, missing)] if found else [(t[0], t[2]) for t in tried]
            problems.append(_layout_problem(sheet, {lay.variant: m for lay, m in named}))
            return None
        return cls(sheet, layout, end, stt_col, unit_col, code_col, found, headers)

    # --- rows -----------------------------------------------------------------------------

    def read(
        self, rows: list[list[object]], registry: Registry, problems: list[Problem]
    ) -> tuple[PortalUnitStats, ...]:
        units: list[PortalUnitStats] = []
        all_values: list[dict[str, int]] = []  # every unit row's readable counts
        group: tuple[int, Row, list[dict[str, int]]] | None = None
        seen: dict[str, int] = {}
        for index in range(self.first_data_row, len(rows)):
            row, number = rows[index], index + 1
            if all(is_blank(v) for v in row) or _is_column_numbers(row):
                continue
            name = _text(row, self.unit_col)
            label = name or _text(row, self.stt_col)
            if _is_total(label):
                self._check_group(group, problems)
                self._check_sum(number, row, all_values, "các đơn vị", problems)
                group = None
                break  # what follows the total row is notes and signatures
            if _is_heading(label) and registry.find_agency(label) is None:
                self._check_group(group, problems)
                group = (number, row, [])
                continue
            if all(is_blank(_cell(row, c)) for c in self.columns.values()):
                if registry.find_agency(_text(row, self.code_col) or name) is not None:
                    problems.append(self._problem(number, self.unit_col, "Đơn vị không có số liệu"))
                continue  # a note or signature line under the table
            agency = self._match_unit(row, number, registry, problems)
            values = self._counts(row, number, problems)
            all_values.append(values)
            if group is not None:
                group[2].append(values)
            if agency is None:
                continue
            if agency.code in seen:
                problems.append(self._problem(
                    number, self.unit_col,
                    f"Đơn vị {agency.code} ({agency.name}) đã có ở dòng {seen[agency.code]}",
                ))
                continue
            seen[agency.code] = number
            stats = self._stats(agency, number, values)
            if stats is not None:
                units.append(stats)
        self._check_group(group, problems)
        if not all_values:
            problems.append(Problem("Bảng không có dòng số liệu của đơn vị nào", sheet=self.sheet))
        return tuple(units)

    def _problem(self, row: int, col: int | None, message: str) -> Problem:
        header = self.headers.get(col) if col is not None else None
        return Problem(message, sheet=self.sheet, row=row, column=header)

    def _match_unit(
        self, row: Row, number: int, registry: Registry, problems: list[Problem]
    ) -> Agency | None:
        name, code = _text(row, self.unit_col), _text(row, self.code_col)
        if code:
            agency = registry.find_agency(code)
            if agency is None:
                problems.append(self._problem(
                    number, self.code_col,
                    f"Mã đơn vị «{code}» không có trong danh mục đơn vị",
                ))
                return None
            by_name = registry.find_agency(name) if name else None
            if by_name is not None and by_name.code != agency.code:
                problems.append(self._problem(
                    number, self.unit_col,
                    f"Mã {code} là của «{agency.name}» nhưng tên đơn vị ghi «{name}»",
                ))
            return agency
        if not name:
            problems.append(self._problem(number, self.unit_col, "Thiếu tên đơn vị"))
            return None
        agency = registry.find_agency(name)
        if agency is None:
            problems.append(self._problem(
                number, self.unit_col,
                f"Không tìm thấy đơn vị «{name}» trong danh mục đơn vị "
                "(kiểm tra tên, hoặc thêm tên này làm tên gọi khác của đơn vị trong danh mục)",
            ))
        return agency

    def _counts(self, row: Row, number: int, problems: list[Problem]) -> dict[str, int]:
        """The row's readable counts; each unreadable one and each wrong sum is a problem."""
        values: dict[str, int] = {}
        for field, col in self.columns.items():
            try:
                values[field] = _count(_cell(row, col))
            except CellError as exc:
                problems.append(self._problem(number, col, str(exc)))
        for total, parts in self.layout.sums:
            if total not in values or any(p not in values for p in parts):
                continue
            added = sum(values[p] for p in parts)
            if values[total] != added:
                terms = " + ".join(f"«{self._leaf(p)}» {values[p]}" for p in parts)
                problems.append(self._problem(
                    number, self.columns[total],
                    f"Tổng {values[total]} khác tổng các cột thành phần: {terms} = {added}",
                ))
        return values

    def _leaf(self, field: str) -> str:
        return self.headers[self.columns[field]].rsplit(" / ", 1)[-1]

    def _check_group(
        self, group: tuple[int, Row, list[dict[str, int]]] | None, problems: list[Problem]
    ) -> None:
        """A section heading carrying numbers must equal the sum of the units under it."""
        if group is None:
            return
        number, row, members = group
        label = _text(row, self.unit_col) or _text(row, self.stt_col)
        self._check_sum(number, row, members, f"các đơn vị thuộc «{label}»", problems)

    def _check_sum(
        self,
        number: int,
        row: Row,
        members: list[dict[str, int]],
        what: str,
        problems: list[Problem],
    ) -> None:
        """A total or subtotal row must equal the sum of its units, column by column."""
        for field, col in self.columns.items():
            value = _cell(row, col)
            if is_blank(value) or any(field not in m for m in members):
                continue
            try:
                stated = _count(value)
            except CellError as exc:
                problems.append(self._problem(number, col, str(exc)))
                continue
            added = sum(m[field] for m in members)
            if stated != added:
                problems.append(self._problem(
                    number, col, f"Dòng tổng ghi {stated} nhưng tổng {what} là {added}"
                ))

    def _stats(self, agency: Agency, number: int, v: dict[str, int]) -> PortalUnitStats | None:
        if any(field not in v for field in self.columns):
            return None
        if self.layout.variant == "A":
            return PortalUnitStats(
                unit=agency.code,
                source_row=number,
                carried_over=v["carried_over"],
                received_online=v["received_online"],
                received_in_person=v["received_in_person"],
                received_post=v["received_post"],
                resolved_total=v["resolved_total"],
                resolved_on_time=v["resolved_on_time"],
                resolved_late=v["resolved_late"],
                in_progress_total=v["in_progress_total"],
                in_progress_overdue=v["in_progress_overdue"],
            )
        return PortalUnitStats(
            unit=agency.code,
            source_row=number,
            carried_over=None,
            received_online=None,
            received_in_person=None,
            received_post=None,
            resolved_total=v["resolved"],
            resolved_on_time=v["before"] + v["on_time"],
            resolved_late=v["late"],
            in_progress_total=v["pending"],
            in_progress_overdue=None,
        )


def _is_body_row(
    row: Row, stt_col: int | None, unit_col: int | None, code_col: int | None,
    label_cols: set[int],
) -> bool:
    """Whether a row under the header row is already part of the table's body."""
    if _is_column_numbers(row):
        return True
    label = _text(row, unit_col) or _text(row, stt_col)
    if label and (_is_total(label) or _is_heading(label)):
        return True
    if not (_text(row, unit_col) or _text(row, code_col)):
        return False
    return any(
        _is_number(v) for c, v in enumerate(row) if c not in label_cols and not is_blank(v)
    )


def _layout_problem(sheet: str | None, missing: dict[Variant, list[str]]) -> Problem:
    parts = "; ".join(
        f"theo mẫu {variant} thiếu các cột " + ", ".join(f"«{c}»" for c in columns)
        for variant, columns in missing.items()
    )
    return Problem(
        "Không nhận ra mẫu biểu thống kê tình hình giải quyết TTHC: "
        f"{parts} (tiêu đề bảng phải nằm trong {_HEADER_SEARCH_ROWS} dòng đầu, "
        "bắt đầu ở dòng có «STT» hoặc «Tên đơn vị»)",
        sheet=sheet,
    )
