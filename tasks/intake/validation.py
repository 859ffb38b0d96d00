"""Validating a raw submission against the registries (pydantic), collecting every problem.

Rules: the agency code must equal the inbox folder and the unit must report for the
period (:meth:`ReportingRules.reports_for`, the same rule that lists the units expected
to report); the period must be real and not in the future; task ids must exist and be
assigned to the agency (as lead or coordinating unit); status is one of Chưa thực hiện /
Đang thực hiện / Hoàn thành; progress 0-100; Hoàn thành needs a completion date (not in the future)
and 100 %; metric codes must exist and values be numbers from 0 to
:data:`MAX_METRIC_VALUE`; a file with no task and no metric filled in is not a report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from config.folding import fold
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
    RawSubmission,
)
from tasks.model.periods import Period, PeriodError, parse_period
from tasks.model.problems import Checked, Problem
from tasks.model.rules import ReportingRules
from tasks.model.submission import (
    STATUS_DONE,
    STATUS_NOT_STARTED,
    STATUSES,
    MetricLine,
    Submission,
    TaskLine,
)
from tasks.sheets.cells import (
    CellError,
    clean_text,
    is_blank,
    parse_date,
    parse_number,
    parse_percent,
)

# Every metric an agency reports is a count (inspections, documents, articles …, see
# config/data/indicators.yaml): a billion is far above any real one, and far below what a
# float, a Decimal or a report cell cannot hold.
MAX_METRIC_VALUE = 1_000_000_000
# a completion date before this is a typing slip (01/01/1900 is Excel's day 1)
EARLIEST_COMPLETION = date(2000, 1, 1)


@dataclass(frozen=True)
class Context:
    registry: Registry
    today: date
    folder_agency: str | None  # the inbox folder's code, or None for a self-check
    rules: ReportingRules
    window: tuple[date, date] | None = None  # the file's period's data window, once known


def _ctx(info: ValidationInfo) -> Context:
    context = info.context
    assert isinstance(context, Context)
    return context


def _required_text(value: object) -> str:
    text = clean_text(value)
    if text is None:
        raise ValueError("không được để trống")
    return text


_STATUS_BY_FOLD = {fold(s): s for s in STATUSES}


class TaskRowModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True)

    task_id: str
    status: str
    progress: float | None = None
    completed_on: date | None = None
    result: str | None = None
    difficulties: str | None = None

    @field_validator("task_id", mode="before")
    @classmethod
    def _task_exists(cls, value: object, info: ValidationInfo) -> str:
        ctx = _ctx(info)
        task_id = _required_text(value)
        task = ctx.registry.task(task_id)
        if task is None:
            raise ValueError(f"mã nhiệm vụ «{task_id}» không có trong danh mục nhiệm vụ")
        if ctx.window is not None and task.applies_from is not None \
                and task.applies_from > ctx.window[1]:
            raise ValueError(f"nhiệm vụ «{task_id}» được giao từ {task.applies_from:%d/%m/%Y}, "
                             "sau kỳ báo cáo của tệp")
        if ctx.folder_agency and not ctx.registry.is_assigned(task, ctx.folder_agency,
                                                              ctx.window):
            raise ValueError(f"nhiệm vụ «{task_id}» không được giao cho đơn vị "
                             f"{ctx.folder_agency}")
        return task_id

    @field_validator("status", mode="before")
    @classmethod
    def _known_status(cls, value: object) -> str:
        text = _required_text(value)
        status = _STATUS_BY_FOLD.get(fold(text))
        if status is None:
            raise ValueError(f"tình trạng «{text}» không hợp lệ; chỉ nhận: "
                             + ", ".join(STATUSES))
        return status

    @field_validator("progress", mode="before")
    @classmethod
    def _progress(cls, value: object, info: ValidationInfo) -> float | None:
        if is_blank(value):
            return None
        try:
            number = parse_percent(value)
        except CellError as exc:
            raise ValueError(str(exc)) from exc
        if not 0 <= number <= 100:
            raise ValueError(f"tiến độ phải từ 0 đến 100%, không phải {number:g}")
        return number

    @field_validator("completed_on", mode="before")
    @classmethod
    def _completed(cls, value: object, info: ValidationInfo) -> date | None:
        if is_blank(value):
            return None
        try:
            day = parse_date(value)
        except CellError as exc:
            raise ValueError(str(exc)) from exc
        if day > _ctx(info).today:
            raise ValueError(f"ngày hoàn thành {day:%d/%m/%Y} ở tương lai")
        if day < EARLIEST_COMPLETION:
            raise ValueError(f"ngày hoàn thành {day:%d/%m/%Y} không hợp lý (trước năm "
                             f"{EARLIEST_COMPLETION.year}); hãy ghi ngày hoàn thành thật")
        return day

    @field_validator("result", "difficulties", mode="before")
    @classmethod
    def _text(cls, value: object) -> str | None:
        return clean_text(value)


class MetricRowModel(BaseModel):
    model_config = ConfigDict(frozen=True)

    metric_code: str
    value: float
    note: str | None = None

    @field_validator("metric_code", mode="before")
    @classmethod
    def _metric_exists(cls, value: object, info: ValidationInfo) -> str:
        code = _required_text(value)
        if _ctx(info).registry.metric(code) is None:
            raise ValueError(f"mã chỉ tiêu «{code}» không có trong danh mục chỉ tiêu")
        return code

    @field_validator("value", mode="before")
    @classmethod
    def _non_negative(cls, value: object) -> float:
        if is_blank(value):
            raise ValueError("không được để trống")
        try:
            number = parse_number(value)
        except CellError as exc:
            raise ValueError(str(exc)) from exc
        if number < 0:
            raise ValueError(f"giá trị phải lớn hơn hoặc bằng 0, không phải {number:g}")
        if number > MAX_METRIC_VALUE:
            raise ValueError(f"giá trị {number:g} quá lớn, không phải số liệu có thật (tối đa "
                             f"{MAX_METRIC_VALUE:,})".replace(",", "."))
        return number

    @field_validator("note", mode="before")
    @classmethod
    def _text(cls, value: object) -> str | None:
        return clean_text(value)


TASK_FIELDS = {COL_TASK_ID: "task_id", COL_STATUS: "status", COL_PROGRESS: "progress",
               COL_COMPLETED: "completed_on", COL_RESULT: "result",
               COL_DIFFICULTIES: "difficulties"}
METRIC_FIELDS = {COL_METRIC: "metric_code", COL_VALUE: "value", COL_NOTE: "note"}


def _problems_of(error: ValidationError, sheet: str, row: int,
                 columns: dict[str, str]) -> list[Problem]:
    by_field = {v: k for k, v in columns.items()}
    problems = []
    for item in error.errors():
        field_name = str(item["loc"][0]) if item["loc"] else ""
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "không được để trống"
        problems.append(Problem(message, sheet, row, by_field.get(field_name, field_name)))
    return problems


def _check_header(raw: RawSubmission, ctx: Context) -> tuple[str | None, Period | None,
                                                              list[Problem]]:
    problems: list[Problem] = []
    agency_value, agency_row = raw.info.get(COL_AGENCY, (None, None))
    period_value, period_row = raw.info.get(COL_PERIOD, (None, None))
    agency_code = clean_text(agency_value)
    period: Period | None = None
    if COL_PERIOD in raw.info:
        try:
            period = parse_period(period_value)
        except PeriodError as exc:
            problems.append(Problem(str(exc), SHEET_INFO, period_row, COL_PERIOD))
    if period is not None and ctx.rules.window(period)[0] > ctx.today:
        problems.append(Problem(f"kỳ báo cáo {period.label} ở tương lai", SHEET_INFO,
                                period_row, COL_PERIOD))
        period = None
    if COL_AGENCY not in raw.info:
        return None, period, problems
    if agency_code is None:
        problems.append(Problem("không được để trống", SHEET_INFO, agency_row, COL_AGENCY))
        return None, period, problems
    agency_code = agency_code.upper()
    agency = ctx.registry.agency(agency_code)
    if agency is None:
        problems.append(Problem(f"mã đơn vị «{agency_code}» không có trong danh mục đơn vị",
                                SHEET_INFO, agency_row, COL_AGENCY))
        return None, period, problems
    if ctx.folder_agency is not None and agency_code != ctx.folder_agency:
        problems.append(Problem(
            f"mã đơn vị trong tệp là {agency_code} nhưng tệp được nộp vào thư mục của "
            f"{ctx.folder_agency}; đơn vị chỉ nộp vào thư mục mang mã của mình",
            SHEET_INFO, agency_row, COL_AGENCY))
    if period is not None and not ctx.rules.reports_for(agency, period):
        problems.append(Problem(ctx.rules.not_reporting_reason(ctx.registry, agency, period),
                                SHEET_INFO, agency_row, COL_AGENCY))
    return agency_code, period, problems


EMPTY_REPORT = ("tệp không có dòng nhiệm vụ hay chỉ tiêu nào được điền; một tệp trống không "
                "được tính là đã báo cáo, hãy điền tình hình các nhiệm vụ, chỉ tiêu của kỳ rồi "
                "nộp lại")


def _reports_nothing(raw: RawSubmission) -> bool:
    """No task row and no metric row with anything beside its code (the rows skipped as not
    reported): an empty file would count the unit as having reported. Checked once nothing
    else is wrong: a wrong header or a wrong row is what the agency must see first."""
    rows = ((raw.tasks, COL_TASK_ID), (raw.metrics, COL_METRIC))
    return all(is_blank(v) for lines, key in rows for line in lines
               for k, v in line.cells.items() if k != key)


def validate_submission(raw: RawSubmission, registry: Registry, *, today: date,
                        rules: ReportingRules,
                        folder_agency: str | None = None) -> Checked[Submission]:
    """The valid submission, or every problem found (never only the first).

    ``rules`` are the reporting rules built from the settings: they decide whether the
    unit reports for the file's period.
    """
    folder = folder_agency.upper() if folder_agency else None
    header_ctx = Context(registry, today, folder, rules)
    agency_code, period, problems = _check_header(raw, header_ctx)
    problems = [*raw.problems, *problems]
    row_ctx = Context(registry, today, folder or agency_code, rules,
                      rules.window(period) if period is not None else None)

    tasks: list[TaskLine] = []
    seen_tasks: dict[str, int] = {}
    for raw_row in raw.tasks:
        if all(is_blank(v) for k, v in raw_row.cells.items() if k != COL_TASK_ID):
            continue  # a listed task the agency did not report on this period
        data: dict[str, Any] = {TASK_FIELDS[k]: v for k, v in raw_row.cells.items()
                                if k in TASK_FIELDS}
        try:
            model = TaskRowModel.model_validate(data, context=row_ctx)
        except ValidationError as exc:
            problems += _problems_of(exc, SHEET_TASKS, raw_row.row, TASK_FIELDS)
            continue
        if model.task_id in seen_tasks:
            problems.append(Problem(f"nhiệm vụ «{model.task_id}» đã khai ở dòng "
                                    f"{seen_tasks[model.task_id]}", SHEET_TASKS, raw_row.row,
                                    COL_TASK_ID))
            continue
        seen_tasks[model.task_id] = raw_row.row
        progress = model.progress
        if model.status == STATUS_DONE:
            if model.completed_on is None:
                problems.append(Problem("nhiệm vụ «Hoàn thành» phải có ngày hoàn thành",
                                        SHEET_TASKS, raw_row.row, COL_COMPLETED))
            if progress is not None and progress != 100:
                problems.append(Problem(f"nhiệm vụ «Hoàn thành» phải có tiến độ 100%, không "
                                        f"phải {progress:g}%", SHEET_TASKS, raw_row.row,
                                        COL_PROGRESS))
            progress = 100.0
        elif model.status == STATUS_NOT_STARTED and progress:
            problems.append(Problem(f"nhiệm vụ «{STATUS_NOT_STARTED}» phải có tiến độ 0% hoặc "
                                    f"để trống, không phải {progress:g}%", SHEET_TASKS,
                                    raw_row.row, COL_PROGRESS))
        elif progress == 100:
            problems.append(Problem(f"tiến độ 100% nhưng tình trạng «{model.status}»; nếu đã "
                                    f"xong hãy chọn «{STATUS_DONE}» và ghi ngày hoàn thành",
                                    SHEET_TASKS, raw_row.row, COL_STATUS))
        tasks.append(TaskLine(model.task_id, model.status, progress, model.completed_on,
                              model.result, model.difficulties, raw_row.row))

    metrics: list[MetricLine] = []
    seen_metrics: dict[str, int] = {}
    for raw_row in raw.metrics:
        if all(is_blank(v) for k, v in raw_row.cells.items() if k != COL_METRIC):
            continue  # a listed metric the agency left empty: not reported
        data = {METRIC_FIELDS[k]: v for k, v in raw_row.cells.items() if k in METRIC_FIELDS}
        try:
            metric = MetricRowModel.model_validate(data, context=row_ctx)
        except ValidationError as exc:
            problems += _problems_of(exc, SHEET_METRICS, raw_row.row, METRIC_FIELDS)
            continue
        if metric.metric_code in seen_metrics:
            problems.append(Problem(f"chỉ tiêu «{metric.metric_code}» đã khai ở dòng "
                                    f"{seen_metrics[metric.metric_code]}", SHEET_METRICS,
                                    raw_row.row, COL_METRIC))
            continue
        seen_metrics[metric.metric_code] = raw_row.row
        metrics.append(MetricLine(metric.metric_code, metric.value, metric.note, raw_row.row))

    if not problems and _reports_nothing(raw):
        problems.append(Problem(EMPTY_REPORT))
    if problems or agency_code is None or period is None:
        return Checked.failed(
            problems or [Problem("tệp thiếu mã đơn vị hoặc kỳ báo cáo", SHEET_INFO)])
    return Checked.passed(Submission(agency_code, period, tuple(tasks), tuple(metrics)))


def claimed_period(raw: RawSubmission) -> str | None:
    """The period a file names, if it can be read (even when the file is rejected)."""
    try:
        return parse_period(raw.info.get(COL_PERIOD, (None, None))[0]).label
    except PeriodError:
        return None
