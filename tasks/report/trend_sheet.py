"""The workbook's «Xu hướng» sheet: the province's series as reported and rebased.

One row per period and indicator: the value as reported then, the value rebased on today's
units (with the moved numerator and denominator), and the series break marked in its own
column and coloured, with a note under the table.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from tasks.model.periods import parse_period
from tasks.model.report import ReportContent

SHEET_TREND = "Xu hướng"
HEADERS = ("Kỳ", "Chỉ số", "Như đã báo cáo", "Tử số quy đổi", "Mẫu số quy đổi",
           "Quy về đơn vị hiện nay", "Gián đoạn chuỗi")
BREAK_VI = "Gián đoạn: địa giới tỉnh thay đổi"
NOTE_VI = ("Quy về đơn vị hiện nay: số liệu của đơn vị cũ chuyển sang đơn vị kế thừa theo "
           "bảng chuyển đổi (tử số và mẫu số chuyển theo trọng số, tỷ lệ tính lại, không lấy "
           "trung bình). Kỳ có đánh dấu gián đoạn: số liệu toàn tỉnh như đã báo cáo trước và "
           "sau kỳ này không so sánh trực tiếp được.")
_FONT = Font(name="Times New Roman", size=11)
_BOLD = Font(name="Times New Roman", size=11, bold=True)
_BREAK_FILL = PatternFill(fill_type="solid", start_color="FFFFEB9C", end_color="FFFFEB9C")
_HEADER_FILL = PatternFill(fill_type="solid", start_color="FFDDEBF7", end_color="FFDDEBF7")
_WIDTHS = (12, 48, 16, 16, 16, 20, 32)


def _value(value: float | None, rate: bool) -> float | str:
    if value is None:
        return "N/A"
    return value / 100 if rate else value


def write_trend_sheet(ws: Worksheet, content: ReportContent) -> None:
    """Fill ``ws`` with ``content.trend`` (rates as Excel percentages)."""
    ws.cell(row=1, column=1, value=f"Xu hướng chỉ số toàn tỉnh đến {content.period_label_vi}"
            ).font = _BOLD
    for col, header in enumerate(HEADERS, start=1):
        cell = ws.cell(row=3, column=col, value=header)
        cell.font, cell.fill = _BOLD, _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    row_number = 3
    for row in content.trend:
        row_number += 1
        rate = content.indicator_kinds.get(row.indicator) == "rate"
        values: list[object] = [
            parse_period(row.period).label, content.indicator_names.get(row.indicator,
                                                                        row.indicator),
            _value(row.reported, rate), row.rebased_numerator if row.rebased_numerator
            is not None else "N/A", row.rebased_denominator if row.rebased_denominator
            is not None else "N/A", _value(row.rebased, rate),
            BREAK_VI if row.series_break else ""]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row_number, column=col, value=value)
            cell.font = _FONT
            if rate and col in (3, 6) and isinstance(value, float):
                cell.number_format = "0.00%"
            if row.series_break:
                cell.fill = _BREAK_FILL
    note = ws.cell(row=row_number + 2, column=1, value=NOTE_VI)
    note.font = Font(name="Times New Roman", size=11, italic=True)
    for col, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[chr(64 + col)].width = width
    ws.freeze_panes = "C4"
    ws.auto_filter.ref = f"A3:G{row_number}"
