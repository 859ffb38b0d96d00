"""The two layouts of the portal's statistics export, and finding them in a sheet.

Each layout names its columns by their header wording (folded, see
:func:`config.folding.fold`); :class:`Table` finds the header rows, reconstructs each
column's path of merged labels ("Kết quả giải quyết / Số hồ sơ đã giải quyết / Tổng số"),
picks the layout whose columns are all there, and reads the unit rows with their checks
(parts adding up to totals, subtotals, the "Tổng cộng" row). See
:mod:`tasks.portal.export_reader` for the layouts in full.
"""


from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from config.folding import fold
from config.registry import Agency, Registry
from tasks.model.portal import PortalUnitStats, Variant
from tasks.model.problems import Checked, Problem
from tasks.sheets.cells import CellError, clean_text, is_blank, parse_number

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
HEADER_SEARCH_ROWS = 15
_MAX_HEADER_ROWS = 3


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


# --- header -----------------------------------------------------------------------------------


def find_header_row(rows: list[list[object]]) -> int | None:
    labels = _STT_LABELS | _UNIT_LABELS
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
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
class Table:
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
    ) -> Checked[Table]:
        """The table's layout and columns, or the one layout problem naming what is
        missing."""
        if header_at is None:
            wanted = {lay.variant: ["Tên đơn vị", *(c.wording for c in lay.columns)]
                      for lay in _LAYOUTS}
            return Checked.failed([_layout_problem(sheet, wanted)])
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
            return Checked.failed([_layout_problem(sheet, {lay.variant: m for lay, m in named})])
        return Checked.passed(cls(sheet, layout, end, stt_col, unit_col, code_col, found,
                                  headers))

    # --- rows -----------------------------------------------------------------------------

    def read(
        self, rows: list[list[object]], registry: Registry,
        on: tuple[date, date] | None = None,
    ) -> Checked[tuple[PortalUnitStats, ...]]:
        """The unit rows, or every problem found in them (in row order); ``on`` (the
        export's data window) picks the unit of that time when a name was used by a closed
        district and by a commune after it."""
        problems: list[Problem] = []
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
                problems += self._check_group(group)
                problems += self._check_sum(number, row, all_values, "các đơn vị")
                group = None
                break  # what follows the total row is notes and signatures
            if _is_heading(label) and registry.find_agency(label, on) is None:
                problems += self._check_group(group)
                group = (number, row, [])
                continue
            if all(is_blank(_cell(row, c)) for c in self.columns.values()):
                if registry.find_agency(_text(row, self.code_col) or name, on) is not None:
                    problems.append(self._problem(number, self.unit_col, "Đơn vị không có số liệu"))
                continue  # a note or signature line under the table
            agency, unit_problems = self._match_unit(row, number, registry, on)
            values, count_problems = self._counts(row, number)
            problems += unit_problems + count_problems
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
        problems += self._check_group(group)
        if not all_values:
            problems.append(Problem("Bảng không có dòng số liệu của đơn vị nào", sheet=self.sheet))
        return Checked.failed(problems) if problems else Checked.passed(tuple(units))

    def _problem(self, row: int, col: int | None, message: str) -> Problem:
        header = self.headers.get(col) if col is not None else None
        return Problem(message, sheet=self.sheet, row=row, column=header)

    def _match_unit(
        self, row: Row, number: int, registry: Registry,
        on: tuple[date, date] | None = None,
    ) -> tuple[Agency | None, list[Problem]]:
        """The row's unit and the problems of its code and name. A code whose name
        disagrees still gives the unit (a later row naming it again is a duplicate), so
        both come back, not a :class:`Checked`."""
        name, code = _text(row, self.unit_col), _text(row, self.code_col)
        if code:
            agency = registry.find_agency(code)
            if agency is None:
                return None, [self._problem(
                    number, self.code_col,
                    f"Mã đơn vị «{code}» không có trong danh mục đơn vị",
                )]
            by_name = registry.find_agency(name, on) if name else None
            if by_name is not None and by_name.code != agency.code:
                return agency, [self._problem(
                    number, self.unit_col,
                    f"Mã {code} là của «{agency.name}» nhưng tên đơn vị ghi «{name}»",
                )]
            return agency, []
        if not name:
            return None, [self._problem(number, self.unit_col, "Thiếu tên đơn vị")]
        agency = registry.find_agency(name, on)
        if agency is None:
            return None, [self._problem(
                number, self.unit_col,
                f"Không tìm thấy đơn vị «{name}» trong danh mục đơn vị "
                "(kiểm tra tên, hoặc thêm tên này làm tên gọi khác của đơn vị trong danh mục)",
            )]
        return agency, []

    def _counts(self, row: Row, number: int) -> tuple[dict[str, int], list[Problem]]:
        """The row's readable counts, and a problem for each unreadable one and each wrong
        sum (the readable counts still go into the totals' sums, so both come back)."""
        problems: list[Problem] = []
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
        return values, problems

    def _leaf(self, field: str) -> str:
        return self.headers[self.columns[field]].rsplit(" / ", 1)[-1]

    def _check_group(
        self, group: tuple[int, Row, list[dict[str, int]]] | None
    ) -> list[Problem]:
        """A section heading carrying numbers must equal the sum of the units under it."""
        if group is None:
            return []
        number, row, members = group
        label = _text(row, self.unit_col) or _text(row, self.stt_col)
        return self._check_sum(number, row, members, f"các đơn vị thuộc «{label}»")

    def _check_sum(
        self,
        number: int,
        row: Row,
        members: list[dict[str, int]],
        what: str,
    ) -> list[Problem]:
        """A total or subtotal row must equal the sum of its units, column by column."""
        problems: list[Problem] = []
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
        return problems

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
        f"{parts} (tiêu đề bảng phải nằm trong {HEADER_SEARCH_ROWS} dòng đầu, "
        "bắt đầu ở dòng có «STT» hoặc «Tên đơn vị»)",
        sheet=sheet,
    )
