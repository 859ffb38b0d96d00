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
:func:`config.folding.fold`. A row of column numbers (``(1) (2) (3)``) under the header is
skipped. Rows whose label starts with "Cấp …" or "Khối …" (optionally numbered ``I.``)
are section headings; when they carry numbers they are subtotals of the units below them.
The "Tổng cộng" row ends the table and must equal the sum of the units.
Every problem found is returned at once (:class:`tasks.model.problems.Checked`); a file
that cannot be read at all raises :class:`RejectedInput`.
"""

from __future__ import annotations

import csv
import logging
import re
from datetime import date
from pathlib import Path

from config.folding import fold
from config.registry import Registry
from tasks.model.periods import Period, PeriodError, month_period, parse_period, period_in_name
from tasks.model.portal import PortalExport, PortalUnitStats
from tasks.model.problems import Checked, Problem, RejectedInput
from tasks.portal.export_layout import HEADER_SEARCH_ROWS, Table, find_header_row
from tasks.sheets.cells import CellError, parse_date
from tasks.sheets.delimited import iter_delimited
from tasks.sheets.text_limits import TextLimitError, check_size, csv_line_within_limits
from tasks.sheets.workbook_limits import WorkbookError, read_workbook

logger = logging.getLogger(__name__)


# --- entry point --------------------------------------------------------------------------


def read_portal_export(
    path: Path, registry: Registry, *, period: Period | None = None
) -> Checked[PortalExport]:
    """Read one portal export: its figures, or every problem found. Raises
    :class:`RejectedInput` (or ``OSError``) when the file cannot be read at all."""
    sheet, rows = _read_rows(path)
    header_at = find_header_row(rows)
    title_rows = rows[: HEADER_SEARCH_ROWS if header_at is None else header_at]
    resolved, problems = _resolve_period(path, title_rows, period, sheet)
    located = Table.locate(rows, header_at, sheet)
    problems += located.problems
    table = located.value
    units: tuple[PortalUnitStats, ...] = ()
    if table is not None:
        # names are looked up among the units of the export's period (an old district's
        # name may be a commune's today)
        read = table.read(rows, registry, resolved.window() if resolved is not None else None)
        problems += read.problems
        units = read.value or ()
    if problems or resolved is None or table is None:
        return Checked.failed(sorted(problems, key=lambda p: p.row or 0))
    return Checked.passed(PortalExport(period=resolved, variant=table.layout.variant,
                                       units=units))


# --- reading cells ----------------------------------------------------------------------------


def _read_rows(path: Path) -> tuple[str | None, list[list[object]]]:
    """The first sheet's name and cells; a missing file raises :class:`FileNotFoundError`.

    Workbooks are read within :mod:`tasks.sheets.workbook_limits`, CSV files within the same
    limits (:mod:`tasks.sheets.text_limits`); problems name what is wrong and what to do,
    the technical detail is logged.
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
            check_size(path)
            return None, _read_csv(path.read_text(encoding="utf-8-sig"))
        except TextLimitError as exc:
            raise RejectedInput([Problem(_sentence(str(exc)))]) from exc
        except UnicodeDecodeError:
            problem = Problem("Tệp CSV phải được lưu với bảng mã UTF-8")
            raise RejectedInput([problem]) from None
        except (OSError, csv.Error) as exc:
            logger.warning("không đọc được biểu thống kê cổng %s: %s: %s", path,
                           type(exc).__name__, exc)
            raise RejectedInput([Problem(
                f"Không đọc được tệp CSV «{path.name}»; hãy xuất lại biểu thống kê từ cổng "
                "dịch vụ công (hoặc mở bằng Excel và lưu dưới dạng CSV UTF-8) rồi nộp lại"
            )]) from exc
    raise RejectedInput([Problem(f"Chỉ nhận tệp .xlsx hoặc .csv, không nhận «{path.name}»")])


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def _read_csv(text: str) -> list[list[object]]:
    """Rows of a CSV file, split by the shared rule of :mod:`tasks.sheets.delimited` and
    held line by line to the workbook's limits, as an agency's CSV file is
    (:mod:`tasks.sheets.text_limits`): reading stops at the first value past a limit."""
    rows: list[list[object]] = []
    for number, line in enumerate(iter_delimited(text), start=1):
        kept = csv_line_within_limits(line, number, number=number)
        if kept is not None:
            rows.append(list(kept))
    return rows


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
) -> tuple[Period | None, list[Problem]]:
    """The explicit period, else the one in the file name, else the one in a title row;
    and its problems: none found, or a title row naming another period than the explicit one
    or the file name's (the period is still the one given: the units are looked up in it).
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
        return None, [Problem(
            "Không xác định được kỳ báo cáo: ghi kỳ vào tên tệp (ví dụ thong-ke-2025-03.xlsx) "
            "hoặc vào dòng tiêu đề (ví dụ «Kỳ báo cáo: 03/2025»)",
            sheet=sheet,
        )]
    if title is not None and title[1] != resolved:
        source = "kỳ được yêu cầu" if explicit else "kỳ ghi trong tên tệp"
        return resolved, [Problem(
            f"Tiêu đề ghi kỳ {title[1].label_vi} nhưng {source} là {resolved.label_vi}",
            sheet=sheet,
            row=title[0],
        )]
    return resolved, []


