"""The consolidated CCHC report as an Excel workbook (openpyxl), for people to read and print.

Sheets, in order: "Tổng hợp" (province figures), "Chỉ số theo đơn vị" (one row per unit),
"Tiến độ nhiệm vụ", "Đơn vị chưa nộp", "Lỗi dữ liệu" and, with a dossier file, "Điểm Chỉ số
766" (the 766 points per group); the summary lists the disagreements between the
aggregated statistics and the dossiers under its notes.

Safety: every text is written as a string cell (never a formula or an error value) marked with
the quote-prefix style (``quotePrefix``, what Excel records when one types a leading
apostrophe): the text reads exactly as typed, and a text beginning with ``= + - @``, a tab or a
line break stays text when the cell is edited and confirmed again. Characters that XML cannot
carry (ASCII control characters other than tab and line feed) are removed, and line breaks are
written as line feeds, so that Excel and LibreOffice open the file without a repair prompt.

Datetimes are written without a time zone, as wall-clock time in ``timezone`` (the province's,
``Asia/Ho_Chi_Minh`` by default); naive datetimes are taken to be in that time zone already.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from config.par_criteria import METHOD_NAMES
from config.settings import DEFAULT_TIMEZONE
from tasks.model.par_report import SOURCE_NAMES, ParIndexReport
from tasks.model.report import (
    INCOMPLETE_VI,
    PROVINCE,
    STATUS_MET,
    STATUS_NO_DATA,
    STATUS_NOT_MET,
    IndicatorValue,
    ReportContent,
)
from tasks.model.vocabulary import STATE_LATE, STATE_MISSING, STATE_WAITING
from tasks.report.atomic_file import save_atomically
from tasks.report.text_safety import strip_invalid_xml
from tasks.report.trend_sheet import SHEET_TREND, write_trend_sheet
from tasks.report.vietnamese import comparison

if TYPE_CHECKING:
    from openpyxl.styles.cell_style import StyleArray

SHEET_SUMMARY = "Tổng hợp"
SHEET_UNITS = "Chỉ số theo đơn vị"
SHEET_TASKS = "Tiến độ nhiệm vụ"
SHEET_MISSING = "Đơn vị chưa nộp"
SHEET_REJECTED = "Lỗi dữ liệu"
ISSUE_SOURCE = "Đối chiếu số liệu"  # the first cell of a data issue row (not a file)
SHEET_INDEX766 = "Điểm Chỉ số 766"
SHEET_PAR_INDEX = "Chỉ số CCHC"
SHEET_PAR_DETAIL = "Chỉ số CCHC chi tiết"
SHEET_NAMES = (SHEET_SUMMARY, SHEET_UNITS, SHEET_TASKS, SHEET_MISSING, SHEET_REJECTED)

REPORT_TITLE = "BÁO CÁO TỔNG HỢP CÔNG TÁC CẢI CÁCH HÀNH CHÍNH"
NOT_AVAILABLE = "N/A"
EMPTY_TABLE = "Không có"
OVERDUE = "Quá hạn"

SUMMARY_HEADERS = ("Chỉ số", "Tử số", "Mẫu số", "Giá trị", "Chỉ tiêu", "Đánh giá")
UNIT_FIXED_HEADERS = ("Mã đơn vị", "Tên đơn vị")
TASK_HEADERS = (
    "Mã nhiệm vụ",
    "Lĩnh vực",
    "Nội dung nhiệm vụ",
    "Đơn vị",
    "Thời hạn",
    "Tình trạng",
    "Tiến độ (%)",
    "Ngày hoàn thành",
    "Quá hạn",
    "Kết quả/Sản phẩm",
    "Khó khăn, vướng mắc",
)
MISSING_HEADERS = ("Mã đơn vị", "Tên đơn vị", "Tình trạng", "Thời điểm nộp")
WAITING_HEADER = "Tệp đang chờ thu nhận"
REJECTED_HEADERS = ("Thư mục đơn vị", "Tên tệp", "Thời điểm nhận", "Nội dung lỗi")

RATE_FORMAT = "0.00%"
PROGRESS_FORMAT = "0%"
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.00"
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"

_EXCEL_MAX_SHEET_NAME = 31
_EXCEL_MAX_TEXT = 32767
_EXCEL_MAX_ROW_HEIGHT = 409.0
_TRUNCATED = " …[đã cắt bớt]"

_FONT_NAME = "Times New Roman"
_FONT = Font(name=_FONT_NAME, size=11)
_FONT_BOLD = Font(name=_FONT_NAME, size=11, bold=True)
_FONT_ITALIC = Font(name=_FONT_NAME, size=11, italic=True)
_FONT_TITLE = Font(name=_FONT_NAME, size=14, bold=True)
_FONT_WARNING = Font(name=_FONT_NAME, size=11, bold=True, color="C00000")
_HEADER_FILL = PatternFill(fill_type="solid", start_color="FFDDEBF7", end_color="FFDDEBF7")
_THIN = Side(style="thin", color="FF999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_TOP = Alignment(vertical="top")
_TOP_WRAP = Alignment(vertical="top", wrap_text=True)
_TITLE_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)

_GREEN = ("FFC6EFCE", "FF006100")
_RED = ("FFFFC7CE", "FF9C0006")
_GREY = ("FFE7E6E6", "FF595959")
_AMBER = ("FFFFEB9C", "FF9C5700")

_MIN_WIDTH = 8.0
_MAX_WIDTH = 50.0


def clean_text(value: str) -> str:
    """``value`` without the characters a workbook cannot hold.

    Line breaks become ``\\n``; other ASCII control characters (except tab), lone surrogates
    and the non-characters U+FFFE/U+FFFF are removed; text longer than an Excel cell holds
    (32,767 characters) is cut with a visible mark.
    """
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = strip_invalid_xml(text)
    if len(text) > _EXCEL_MAX_TEXT:
        text = text[: _EXCEL_MAX_TEXT - len(_TRUNCATED) - 1] + _TRUNCATED
    return text


def write_report_workbook(
    content: ReportContent, path: Path, *, timezone: str = DEFAULT_TIMEZONE
) -> Path:
    """Write ``content`` as the consolidated monthly CCHC workbook at ``path`` and return it.

    The file is written next to ``path`` first and then moved into place, so a reader never
    sees half a workbook (a rerun simply replaces it).
    """
    writer = _Writer(content, ZoneInfo(timezone))
    workbook = writer.build()
    path = Path(path)
    return save_atomically(path, workbook.save)


# --------------------------------------------------------------------------- internals

CellValue = str | int | float | date | datetime | None


@dataclass(frozen=True)
class _Col:
    header: str
    wrap: bool = False
    width: float | None = None  # fixed width for long, wrapped texts


@dataclass
class _Table:
    """What was written: where, so widths, filters and colours can be set afterwards."""

    header_row: int
    first_row: int
    last_row: int
    columns: Sequence[_Col]
    empty: bool


class _Writer:
    def __init__(self, content: ReportContent, tz: ZoneInfo) -> None:
        self.content = content
        self.tz = tz

    # ------------------------------------------------------------------ workbook

    def build(self) -> Workbook:
        for name in SHEET_NAMES:
            if len(name) > _EXCEL_MAX_SHEET_NAME:  # pragma: no cover - guards future edits
                raise ValueError(f"sheet name longer than 31 characters: {name}")
        workbook = Workbook()
        first = workbook.active
        assert first is not None
        workbook.remove(first)
        workbook.properties.title = clean_text(
            f"{REPORT_TITLE} {self.content.period_label_vi.upper()}"
        )
        workbook.properties.creator = "cchc-report"
        self._summary(workbook.create_sheet(SHEET_SUMMARY))
        self._units(workbook.create_sheet(SHEET_UNITS))
        self._tasks(workbook.create_sheet(SHEET_TASKS))
        self._missing(workbook.create_sheet(SHEET_MISSING))
        self._rejected(workbook.create_sheet(SHEET_REJECTED))
        if self.content.index766_points:
            self._index766(workbook.create_sheet(SHEET_INDEX766))
        if self.content.trend:
            write_trend_sheet(workbook.create_sheet(SHEET_TREND), self.content)
        if self.content.par_index is not None:
            self._par_index(workbook.create_sheet(SHEET_PAR_INDEX), self.content.par_index)
            self._par_detail(workbook.create_sheet(SHEET_PAR_DETAIL), self.content.par_index)
        return workbook

    # ------------------------------------------------------------------ sheets

    def _summary(self, ws: Worksheet) -> None:
        content = self.content
        start, end = content.window
        generated = self._naive(content.generated_at)
        ncols = len(SUMMARY_HEADERS)
        title_lines: list[tuple[str, Font, float]] = [
            (f"{REPORT_TITLE} {content.period_label_vi.upper()}", _FONT_TITLE, 36.0),
            (f"Tỉnh {content.province_name}", _FONT_BOLD, 18.0),
            (f"Kỳ số liệu: từ ngày {_dmy(start)} đến ngày {_dmy(end)}", _FONT_ITALIC, 18.0),
            (
                f"Phiên bản: {content.version} - Thời điểm lập: "
                f"{generated.strftime('%d/%m/%Y %H:%M')}",
                _FONT_ITALIC,
                18.0,
            ),
        ]
        if content.data_gaps:  # the banner: a report lacking data never looks complete
            title_lines.append((INCOMPLETE_VI, _FONT_WARNING, 18.0))
            title_lines += [(f"• {gap}", _FONT_WARNING, 32.0) for gap in content.data_gaps]
        for row, (text, font, height) in enumerate(title_lines, start=1):
            cell = ws.cell(row=row, column=1)
            _put(cell, text)
            cell.font = font
            cell.alignment = _TITLE_ALIGN
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
            ws.row_dimensions[row].height = height

        columns = [
            _Col("Chỉ số", wrap=True),
            _Col("Tử số"),
            _Col("Mẫu số"),
            _Col("Giá trị"),
            _Col("Chỉ tiêu"),
            _Col("Đánh giá"),
        ]
        rows: list[list[_Out]] = []
        for item in self._ordered(v for v in content.indicators if v.unit == PROVINCE):
            rate = self._is_rate(item)
            rows.append(
                [
                    _Out(content.indicator_names.get(item.indicator, item.indicator)),
                    _number(item.numerator),
                    _number(item.denominator),
                    _indicator_value(item.value, rate),
                    _Out(_target_text(item, rate)),
                    _Out(item.status),
                ]
            )
        table = _write_table(ws, len(title_lines) + 2, columns, rows)
        status_col = get_column_letter(len(columns))
        _status_colours(
            ws,
            f"{status_col}{table.first_row}:{status_col}{table.last_row}",
            [(STATUS_MET, _GREEN), (STATUS_NOT_MET, _RED), (STATUS_NO_DATA, _GREY)],
        )
        _finish(ws, table, freeze_column=1)
        # data issues: rates whose province value leaves out units missing a part
        notes = [f"Ghi chú: {note}" for note in content.all_notes()]
        notes += [f"Chênh lệch biểu thống kê – dữ liệu hồ sơ: {line}"
                  for line in content.disagreement_lines()]
        for offset, note in enumerate(notes, start=2):
            cell = ws.cell(row=table.last_row + offset, column=1)
            _put(cell, note)
            cell.font = _FONT_ITALIC

    def _units(self, ws: Worksheet) -> None:
        content = self.content
        values = [v for v in content.indicators if v.unit != PROVINCE]
        indicators = _ordered_keys((v.indicator for v in values), content.indicator_names)
        units = _ordered_keys((v.unit for v in values), content.unit_names)
        by_key = {(v.unit, v.indicator): v for v in values}
        kinds = {code: self._is_rate(_first_of(values, code)) for code in indicators}

        columns = [_Col(UNIT_FIXED_HEADERS[0]), _Col(UNIT_FIXED_HEADERS[1], wrap=True)]
        columns += [
            _Col(
                content.indicator_names.get(code, code),
                wrap=True,
                width=_header_width(content.indicator_names.get(code, code)),
            )
            for code in indicators
        ]
        rows: list[list[_Out]] = []
        for unit in units:
            row = [_Out(unit), _Out(content.unit_names.get(unit, unit))]
            for code in indicators:
                item = by_key.get((unit, code))
                if item is None:
                    row.append(_Out(None))
                else:
                    row.append(_indicator_value(item.value, kinds[code]))
            rows.append(row)
        table = _write_table(ws, 1, columns, rows)
        _finish(ws, table, freeze_column=3)

    def _tasks(self, ws: Worksheet) -> None:
        columns = [
            _Col(TASK_HEADERS[0]),
            _Col(TASK_HEADERS[1], wrap=True),
            _Col(TASK_HEADERS[2], wrap=True, width=60),
            _Col(TASK_HEADERS[3], wrap=True),
            _Col(TASK_HEADERS[4]),
            _Col(TASK_HEADERS[5], wrap=True),
            _Col(TASK_HEADERS[6]),
            _Col(TASK_HEADERS[7]),
            _Col(TASK_HEADERS[8]),
            _Col(TASK_HEADERS[9], wrap=True, width=45),
            _Col(TASK_HEADERS[10], wrap=True, width=45),
        ]
        rows: list[list[_Out]] = []
        for task in self.content.tasks:
            progress = None if task.progress is None else task.progress / 100
            rows.append(
                [
                    _Out(task.task_id),
                    _Out(task.area),
                    _Out(task.text),
                    _Out(task.unit_name or task.unit),
                    _Out(task.deadline, DATE_FORMAT),
                    _Out(task.status),
                    _Out(_finite(progress), PROGRESS_FORMAT),
                    _Out(task.completed_on, DATE_FORMAT),
                    _Out(OVERDUE if task.overdue else None),
                    _Out(task.result),
                    _Out(task.difficulties),
                ]
            )
        table = _write_table(ws, 1, columns, rows)
        overdue_col = get_column_letter(TASK_HEADERS.index("Quá hạn") + 1)
        _status_colours(
            ws,
            f"{overdue_col}{table.first_row}:{overdue_col}{table.last_row}",
            [(OVERDUE, _RED)],
        )
        _finish(ws, table, freeze_column=2)

    def _missing(self, ws: Worksheet) -> None:
        columns = [
            _Col(MISSING_HEADERS[0]),
            _Col(MISSING_HEADERS[1], wrap=True),
            _Col(MISSING_HEADERS[2]),
            _Col(MISSING_HEADERS[3]),
        ]
        waiting = any(row.waiting_files for row in self.content.missing)
        if waiting:  # files still being written when the report was made
            columns.append(_Col(WAITING_HEADER, wrap=True))
        rows = [
            [
                _Out(row.unit),
                _Out(row.unit_name or self.content.unit_names.get(row.unit, row.unit)),
                _Out(row.state),
                _Out(self._naive_or_none(row.submitted_at), DATETIME_FORMAT),
            ] + ([_Out("\n".join(row.waiting_files))] if waiting else [])
            for row in self.content.missing
        ]
        table = _write_table(ws, 1, columns, rows)
        _status_colours(
            ws,
            f"C{table.first_row}:C{table.last_row}",
            [(STATE_MISSING, _RED), (STATE_LATE, _AMBER)]
            + ([(STATE_WAITING, _AMBER)] if waiting else []),
        )
        _finish(ws, table, freeze_column=1)

    def _rejected(self, ws: Worksheet) -> None:
        columns = [
            _Col(REJECTED_HEADERS[0], wrap=True),
            _Col(REJECTED_HEADERS[1], wrap=True),
            _Col(REJECTED_HEADERS[2]),
            _Col(REJECTED_HEADERS[3], wrap=True, width=70),
        ]
        rows = [
            [
                _Out(row.agency_folder),
                _Out(row.file_name),
                _Out(self._naive(row.received_at), DATETIME_FORMAT),
                _Out(row.problems),
            ]
            for row in self.content.rejected
        ]
        rows += [[_Out(ISSUE_SOURCE), _Out(None), _Out(None), _Out(issue)]
                 for issue in self.content.data_issues]
        table = _write_table(ws, 1, columns, rows)
        _finish(ws, table, freeze_column=1)

    def _index766(self, ws: Worksheet) -> None:
        columns = [_Col("Nhóm"), _Col("Tên", wrap=True, width=50), _Col("Điểm"),
                   _Col("Điểm đã tính"), _Col("Điểm tối đa"), _Col("Ghi chú", wrap=True,
                                                                  width=50)]
        rows = [[_Out(row.group if row.group else "Tổng"), _Out(row.name),
                 _number(row.points), _number(row.partial_points), _number(row.max_points),
                 _Out(row.missing)] for row in self.content.index766_points]
        table = _write_table(ws, 1, columns, rows)
        _finish(ws, table, freeze_column=1)

    def _par_index(self, ws: Worksheet, index: ParIndexReport) -> None:
        """One row per unit: its group, rank, total, band, last year, and each area."""
        areas = max((len(g.areas) for g in index.groups), default=0)
        columns = [_Col("Nhóm", wrap=True, width=30), _Col("Xếp hạng"), _Col("Mã đơn vị"),
                   _Col("Đơn vị", wrap=True, width=32), _Col("Thời gian chấm"),
                   _Col("Tổng điểm"), _Col("Điểm tối đa"), _Col("Xếp loại"),
                   _Col("Năm trước"), _Col("Tăng/giảm"),
                   _Col("Đơn vị kế thừa", wrap=True, width=30),
                   *[_Col(f"Lĩnh vực {n}") for n in range(1, areas + 1)]]
        rows = []
        for group in index.groups:
            for unit in group.units:
                by_area = [_number(a.points) for a in unit.areas]
                rows.append([_Out(group.name + (" (bản mẫu)" if group.sample else "")),
                             _Out(unit.rank), _Out(unit.unit), _Out(unit.unit_name),
                             _Out(unit.months_vi()), _number(unit.points),
                             _number(unit.max_points), _Out(unit.band or "chưa xếp loại"),
                             _number(unit.last_year), _number(unit.change),
                             _Out(", ".join(unit.successors)),
                             *by_area, *[_Out(None)] * (areas - len(by_area))])
        table = _write_table(ws, 1, columns, rows)
        _finish(ws, table, freeze_column=4)
        row = table.last_row + 2
        for note in index.notes:
            _put(ws.cell(row=row, column=1), note)
            ws.cell(row=row, column=1).font = _FONT_ITALIC
            row += 1

    def _par_detail(self, ws: Worksheet, index: ParIndexReport) -> None:
        """One row per unit and criterion: points, where they came from and why."""
        columns = [_Col("Mã đơn vị"), _Col("Đơn vị", wrap=True, width=28), _Col("Tiêu chí"),
                   _Col("Tên tiêu chí", wrap=True, width=40), _Col("Cách chấm"),
                   _Col("Điểm tối đa"), _Col("Điểm"), _Col("Nguồn điểm"),
                   _Col("Giá trị chỉ tiêu"), _Col("Tử số"), _Col("Mẫu số"),
                   _Col("Cách tính", wrap=True, width=40),
                   _Col("Lý do", wrap=True, width=50)]
        rows = []
        for group in index.groups:
            for unit in group.units:
                for leaf in unit.leaves:
                    value = leaf.year_value
                    rows.append([
                        _Out(unit.unit), _Out(unit.unit_name), _Out(leaf.criterion_id),
                        _Out(leaf.name), _Out(METHOD_NAMES.get(leaf.method, leaf.method)),
                        _number(leaf.max_points), _number(leaf.points),
                        _Out(SOURCE_NAMES.get(leaf.source, leaf.source)),
                        _number(value.value if value else None),
                        _number(value.numerator if value else None),
                        _number(value.denominator if value else None),
                        _Out(value.how if value else None), _Out(leaf.reason)])
        table = _write_table(ws, 1, columns, rows)
        _finish(ws, table, freeze_column=3)

    # ------------------------------------------------------------------ helpers

    def _naive(self, moment: datetime) -> datetime:
        """Wall-clock time in the province's time zone, without tzinfo (openpyxl needs that)."""
        if moment.tzinfo is None:
            return moment
        return moment.astimezone(self.tz).replace(tzinfo=None)

    def _naive_or_none(self, moment: datetime | None) -> datetime | None:
        return None if moment is None else self._naive(moment)

    def _is_rate(self, item: IndicatorValue | None) -> bool:
        if item is None:
            return True
        kind = self.content.indicator_kinds.get(item.indicator)
        if kind is not None:
            return kind == "rate"
        return item.denominator is not None

    def _ordered(self, items: Iterable[IndicatorValue]) -> list[IndicatorValue]:
        listed = list(items)
        order = {code: i for i, code in enumerate(self.content.indicator_names)}
        return sorted(listed, key=lambda v: order.get(v.indicator, len(order)))


def _first_of(values: Sequence[IndicatorValue], indicator: str) -> IndicatorValue | None:
    """The first value of ``indicator`` (its kind is the same for every unit)."""
    return next((v for v in values if v.indicator == indicator), None)


@dataclass(frozen=True)
class _Out:
    """One cell to write: a value and, for numbers and dates, its number format."""

    value: CellValue
    number_format: str | None = None


def _ordered_keys(seen: Iterable[str], known_order: dict[str, str]) -> list[str]:
    """Distinct codes of ``seen``: those in ``known_order`` first in its order, then the rest."""
    distinct = list(dict.fromkeys(seen))
    order = {code: i for i, code in enumerate(known_order)}
    return sorted(distinct, key=lambda code: order.get(code, len(order)))


def _finite(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return value


def _number(value: float | None) -> _Out:
    value = _finite(value)
    if value is None:
        return _Out(None)
    if float(value).is_integer():
        return _Out(int(value), INTEGER_FORMAT)
    return _Out(float(value), DECIMAL_FORMAT)


def _indicator_value(value: float | None, rate: bool) -> _Out:
    value = _finite(value)
    if value is None:
        return _Out(NOT_AVAILABLE)
    if rate:
        return _Out(value / 100, RATE_FORMAT)
    return _number(value)


def _format_number_vi(value: float) -> str:
    """80 → ``80``, 82.5 → ``82,5`` (Vietnamese decimal comma, at most two decimals)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _target_text(item: IndicatorValue, rate: bool) -> str | None:
    if item.target is None or not math.isfinite(item.target):
        return None
    op = comparison(item.target_op)
    number = _format_number_vi(item.target) + ("%" if rate else "")
    return f"{op} {number}".strip()


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _put(cell: Cell, value: CellValue) -> None:
    """Write ``value``; a text always as a quote-prefixed string cell (never a formula or an
    error, and never turned into one when the cell is edited)."""
    if isinstance(value, str):
        cell.value = clean_text(value)
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        cell.value = value


def _write_table(
    ws: Worksheet, header_row: int, columns: Sequence[_Col], rows: Sequence[Sequence[_Out]]
) -> _Table:
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=header_row, column=index)
        _put(cell, column.header)
        cell.font = _FONT_BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = _HEADER_ALIGN
        cell.border = _BORDER
    first = header_row + 1
    if not rows:
        cell = ws.cell(row=first, column=1)
        _put(cell, EMPTY_TABLE)
        cell.font = _FONT_ITALIC
        cell.alignment = _TOP
        return _Table(header_row, first, first, columns, empty=True)
    # A body cell's style is one of a few combinations: each is set through openpyxl's style
    # descriptors once (which registers the font, border... in the workbook, in the same order
    # as before) and copied to the other cells as the index array openpyxl keeps per cell
    # (what openpyxl's own worksheet copy does); setting the descriptors on every cell
    # (hashing each style object) took most of the workbook's time with 1,000 task rows.
    styles: dict[tuple[bool, str | None, bool, bool], StyleArray] = {}
    for offset, values in enumerate(rows):
        row = first + offset
        for index, (column, out) in enumerate(zip(columns, values, strict=True), start=1):
            cell = ws.cell(row=row, column=index)
            _put(cell, out.value)
            number_format = (out.number_format if out.number_format and out.value is not None
                             and not isinstance(out.value, str) else None)
            key = (column.wrap, number_format, out.value == NOT_AVAILABLE,
                   isinstance(out.value, str))
            style = styles.get(key)
            if style is not None:
                cell._style = copy(style)
                continue
            cell.font = _FONT
            cell.border = _BORDER
            cell.alignment = _TOP_WRAP if column.wrap else _TOP
            if number_format is not None:
                cell.number_format = number_format
            if out.value == NOT_AVAILABLE:
                cell.alignment = Alignment(horizontal="right", vertical="top")
            styles[key] = copy(cell._style)
    return _Table(header_row, first, first + len(rows) - 1, columns, empty=False)


def _display_length(cell: Cell) -> int:
    """About how many characters the longest line of ``cell`` shows."""
    value = cell.value
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16 if cell.number_format == DATETIME_FORMAT else 10
    if isinstance(value, date):
        return 10
    if isinstance(value, float) and "%" in cell.number_format:
        return len(f"{value * 100:.2f}%")
    if isinstance(value, int | float):
        return len(f"{value:,.2f}") if isinstance(value, float) else len(f"{value:,}")
    return max((len(line) for line in str(value).split("\n")), default=0)


def _header_width(header: str) -> float:
    """Width for a numeric column under a long header: the header wraps over up to 3 lines."""
    return max(12.0, min(_MAX_WIDTH, len(header) / 3 + 2))


def _finish(ws: Worksheet, table: _Table, *, freeze_column: int) -> None:
    """Column widths, row heights, header freeze, auto filter and page set-up."""
    last_col = get_column_letter(len(table.columns))
    widths: list[float] = []
    for index, column in enumerate(table.columns, start=1):
        if column.width is not None:
            width = column.width
        else:
            data_len = max(
                (
                    _display_length(ws.cell(row=r, column=index))
                    for r in range(table.first_row, table.last_row + 1)
                ),
                default=0,
            )
            # headers wrap, so they need only their longest word (and some room)
            header_words = max((len(word) for word in column.header.split()), default=0)
            longest = max(data_len, header_words, min(len(column.header), 14))
            width = min(_MAX_WIDTH, max(_MIN_WIDTH, longest + 2))
        widths.append(width)
        ws.column_dimensions[get_column_letter(index)].width = width

    if not table.empty:
        for row in range(table.first_row, table.last_row + 1):
            lines = 1
            for index, width in enumerate(widths, start=1):
                cell = ws.cell(row=row, column=index)
                if isinstance(cell.value, str):
                    if len(cell.value) > width - 1 and not cell.alignment.wrap_text:
                        cell.alignment = Alignment(
                            horizontal=cell.alignment.horizontal, vertical="top", wrap_text=True
                        )
                    if cell.alignment.wrap_text:
                        lines = max(lines, _wrapped_lines(cell.value, width))
            if lines > 1:
                ws.row_dimensions[row].height = min(_EXCEL_MAX_ROW_HEIGHT, 15.0 * lines + 2)

    header_lines = max(
        _wrapped_lines(c.header, w) for c, w in zip(table.columns, widths, strict=True)
    )
    ws.row_dimensions[table.header_row].height = min(_EXCEL_MAX_ROW_HEIGHT, 15.0 * header_lines + 4)
    ws.freeze_panes = ws.cell(row=table.header_row + 1, column=freeze_column).coordinate
    ws.auto_filter.ref = f"A{table.header_row}:{last_col}{table.last_row}"
    ws.print_title_rows = f"{table.header_row}:{table.header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "Trang &P/&N"


def _wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a wrapped cell of ``width`` (a little generous on purpose)."""
    per_line = max(1, int(width) - 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def _status_colours(
    ws: Worksheet, cell_range: str, rules: Sequence[tuple[str, tuple[str, str]]]
) -> None:
    """Conditional formatting: a cell equal to the text gets the (fill, font) colours."""
    for text, (fill, font) in rules:
        ws.conditional_formatting.add(
            cell_range,
            CellIsRule(
                operator="equal",
                formula=[_excel_string(text)],
                fill=PatternFill(fill_type="solid", start_color=fill, end_color=fill),
                font=Font(color=font, bold=True),
            ),
        )


def _excel_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
