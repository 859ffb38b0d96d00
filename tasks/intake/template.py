"""The agency's pre-filled submission workbook (``cchc template``), also used to write
filled-in files for the demo province."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from config.errors import CchcError
from config.registry import Registry
from tasks.intake.reader import (
    COL_AGENCY,
    COL_COMPLETED,
    COL_DIFFICULTIES,
    COL_METRIC,
    COL_NOTE,
    COL_PERIOD,
    COL_PROGRESS,
    COL_RESULT,
    COL_STATUS,
    COL_TASK_ID,
    COL_VALUE,
    SHEET_INFO,
    SHEET_METRICS,
    SHEET_TASKS,
)
from tasks.model.periods import Period
from tasks.model.rules import ReportingRules
from tasks.model.submission import STATUSES

TASK_HEADER = [COL_TASK_ID, "Nội dung nhiệm vụ", "Thời hạn", COL_STATUS, COL_PROGRESS,
               COL_COMPLETED, COL_RESULT, COL_DIFFICULTIES]
METRIC_HEADER = [COL_METRIC, "Tên chỉ tiêu", "Đơn vị tính", COL_VALUE, COL_NOTE]
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_BOLD = Font(bold=True)


@dataclass(frozen=True)
class TaskEntry:
    task_id: str
    status: str | None = None
    progress: float | None = None
    completed_on: date | None = None
    result: str | None = None
    difficulties: str | None = None


class TemplateRefused(CchcError, ValueError):
    """No template for this unit and period; the message is in Vietnamese."""


def template_file_name(agency_code: str, period: Period) -> str:
    return f"mau-bao-cao-{agency_code}-{period.label}.xlsx"


def build_workbook(registry: Registry, agency_code: str, period: Period,
                   entries: Sequence[TaskEntry] = (),
                   metric_values: dict[str, float] | None = None, *,
                   rules: ReportingRules | None = None) -> Workbook:
    """The submission workbook for one agency and period, its tasks listed.

    ``entries`` fill in task rows (by task id); ``metric_values`` fill in metrics.
    Refused (:class:`TemplateRefused`) for a unit that does not report for ``period``
    under ``rules`` (the default rules when omitted).
    """
    agency = registry.agency(agency_code)
    if agency is None:
        raise TemplateRefused(f"mã đơn vị «{agency_code}» không có trong danh mục")
    in_force = rules or ReportingRules()
    if not in_force.reports_for(agency, period):
        reason = in_force.not_reporting_reason(registry, agency, period)
        raise TemplateRefused(f"không tạo tệp mẫu: {reason}")
    by_id = {e.task_id: e for e in entries}
    values = metric_values or {}
    wb = Workbook()
    info = wb.active
    assert info is not None
    info.title = SHEET_INFO
    info.append(["BÁO CÁO TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH"])
    info.append([])
    info.append([COL_AGENCY, agency.code])
    info.append(["Tên đơn vị", agency.name])
    info.append([COL_PERIOD, period.label])
    info.append([])
    info.append(["Hướng dẫn: điền trang «Nhiệm vụ» và «Chỉ tiêu»; tiến độ ghi 0-100 "
                 "(ví dụ 85 hoặc 85%); ngày ghi dd/mm/yyyy. Tự kiểm tra: cchc validate <tệp>."])
    info["A1"].font = Font(bold=True, size=13)
    for row in (3, 4, 5):
        info.cell(row, 1).font = _BOLD
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 60

    ws = wb.create_sheet(SHEET_TASKS)
    ws.append([f"Nhiệm vụ của {agency.name}, kỳ {period.label_vi}"])
    ws.append(TASK_HEADER)
    tasks = registry.tasks_reportable_by(agency.code, in_force.window(period))
    for task in tasks:
        entry = by_id.get(task.id, TaskEntry(task.id))
        ws.append([task.id, task.text, task.deadline, entry.status, entry.progress,
                   entry.completed_on, entry.result, entry.difficulties])
    status_list = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"',
                                 allow_blank=True, showErrorMessage=True,
                                 errorTitle="Tình trạng",
                                 error="Chọn một tình trạng trong danh sách")
    ws.add_data_validation(status_list)
    status_list.add(f"D3:D{max(3, len(tasks) + 2 + 20)}")
    progress_rule = DataValidation(type="decimal", operator="between", formula1="0",
                                   formula2="100", allow_blank=True, showErrorMessage=True,
                                   error="Tiến độ từ 0 đến 100")
    ws.add_data_validation(progress_rule)
    progress_rule.add(f"E3:E{max(3, len(tasks) + 2 + 20)}")
    for row in ws.iter_rows(min_row=3, min_col=3, max_col=3):
        for cell in row:
            cell.number_format = "dd/mm/yyyy"
    for row in ws.iter_rows(min_row=3, min_col=6, max_col=6):
        for cell in row:
            cell.number_format = "dd/mm/yyyy"
    _style_header(ws, 2, [12, 60, 12, 16, 12, 16, 40, 40])

    ms = wb.create_sheet(SHEET_METRICS)
    ms.append([f"Chỉ tiêu do đơn vị báo cáo, kỳ {period.label_vi}"])
    ms.append(METRIC_HEADER)
    for metric in registry.metrics:
        ms.append([metric.code, metric.name, metric.unit, values.get(metric.code), None])
    _style_header(ms, 2, [26, 50, 14, 12, 40])
    return wb


def _style_header(ws: object, row: int, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(ws, Worksheet)
    ws.cell(1, 1).font = Font(bold=True, size=12)
    for col, width in enumerate(widths, start=1):
        cell = ws.cell(row, col)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(row + 1, 1)


def write_template(registry: Registry, agency_code: str, period: Period, path: Path,
                   entries: Sequence[TaskEntry] = (),
                   metric_values: dict[str, float] | None = None, *,
                   rules: ReportingRules | None = None) -> Path:
    workbook = build_workbook(registry, agency_code, period, entries, metric_values,
                              rules=rules)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
