"""What a consolidated report contains, independent of how it is rendered."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from tasks.model.par_report import ParIndexReport

PROVINCE = "TINH"

STATUS_MET = "đạt"
STATUS_NOT_MET = "chưa đạt"
STATUS_NO_DATA = "không có số liệu"
STATUS_NO_TARGET = "không có chỉ tiêu"

PORTAL_MISSING_VI = ("Chưa có số liệu cổng dịch vụ công của kỳ này: các chỉ số về hồ sơ "
                     "(trực tuyến, đúng hạn, quá hạn) chưa được tính, báo cáo chưa đầy đủ")
INCOMPLETE_VI = "BÁO CÁO CHƯA ĐẦY ĐỦ SỐ LIỆU"


@dataclass(frozen=True)
class IndicatorValue:
    """One indicator for one unit (agency code or ``TINH``).

    ``value`` is a percentage 0-100 for rates (numerator / denominator × 100) or the
    count itself; ``None`` when there is no data (a zero denominator is never 0 % or 100 %).
    """

    unit: str
    indicator: str
    numerator: float | None
    denominator: float | None
    value: float | None
    target: float | None = None
    target_op: str | None = None
    status: str = STATUS_NO_TARGET


@dataclass(frozen=True)
class TaskProgressRow:
    task_id: str
    area: str
    text: str
    unit: str
    unit_name: str
    deadline: date | None
    status: str | None
    progress: float | None
    completed_on: date | None
    overdue: bool
    result: str | None = None
    difficulties: str | None = None


@dataclass(frozen=True)
class MissingUnitRow:
    unit: str
    unit_name: str
    state: str  # "chưa nộp", "nộp muộn", "tệp đang chờ thu nhận", …
    submitted_at: datetime | None = None
    # the unit's files still being written in the drop folder when the report was made
    waiting_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class RejectedFileRow:
    agency_folder: str
    file_name: str
    received_at: datetime
    problems: str


@dataclass(frozen=True)
class Points766Row:
    """One group of the 766 index (or the total, ``group`` 0): points scored from the
    period's dossier file. ``points`` is None when a criterion of the group has no value;
    ``partial_points`` then counts the criteria that have one, ``missing`` says why."""

    group: int
    name: str
    max_points: float
    points: float | None
    partial_points: float
    missing: str = ""


@dataclass(frozen=True)
class SourceDisagreement:
    """A unit whose aggregated statistics and dossier records disagree on one count."""

    unit: str
    measure: str  # in Vietnamese: "tiếp nhận trong kỳ", "đã giải quyết", …
    statistics: int | None  # None: the unit has no row in the statistics
    dossiers: int

    def line_vi(self, unit_name: str) -> str:
        stats = "không có dòng" if self.statistics is None else f"{self.statistics}"
        return (f"{unit_name}: số hồ sơ {self.measure} theo biểu thống kê {stats}, theo dữ "
                f"liệu hồ sơ {self.dossiers}")


@dataclass(frozen=True)
class TrendRow:
    """One province indicator in one period of the trend: as reported then, and rebased on
    today's units (their moved numerators and denominators, the rate computed again).
    ``series_break``: the province's boundaries changed in this period."""

    period: str
    indicator: str
    reported: float | None
    rebased: float | None
    rebased_numerator: float | None
    rebased_denominator: float | None
    series_break: bool = False


@dataclass(frozen=True)
class ReportContent:
    period: str
    period_label_vi: str
    version: int
    generated_at: datetime
    window: tuple[date, date]
    indicators: list[IndicatorValue]
    indicator_names: dict[str, str]
    indicator_kinds: dict[str, str]  # "rate" or "count"
    unit_names: dict[str, str]
    tasks: list[TaskProgressRow] = field(default_factory=list)
    missing: list[MissingUnitRow] = field(default_factory=list)
    rejected: list[RejectedFileRow] = field(default_factory=list)
    province_name: str = "An Giang"
    # rate indicator -> units left out of the province's sum (numerator or denominator
    # missing): the province takes both parts from the same units
    left_out: dict[str, list[str]] = field(default_factory=dict)
    # other things a reader must know about the period (no task register in force, a
    # series break in the province's boundaries), in Vietnamese
    notes: list[str] = field(default_factory=list)
    # what the report lacks, for a visible banner: no portal figures, a failed fetch, …
    portal_missing: bool = False
    data_gaps: list[str] = field(default_factory=list)
    # disagreements the run found checking itself (parts against wholes, the province
    # against the portal export's «Tổng cộng» row), in Vietnamese
    data_issues: list[str] = field(default_factory=list)
    # the 766 index's points per group (then the total, group 0) from the dossier file
    index766_points: list[Points766Row] = field(default_factory=list)
    # aggregated statistics vs dossier records, per unit: never one picked silently
    source_disagreements: list[SourceDisagreement] = field(default_factory=list)

    # the province's series over the last months, oldest first (see tasks.report.trend_history)
    trend: list[TrendRow] = field(default_factory=list)
    # a year's report: the provincial CCHC index of the year (tasks.report.par_year_report)
    par_index: ParIndexReport | None = None

    def left_out_notes(self) -> list[str]:
        """One line per rate whose province value leaves units out, in Vietnamese."""
        return [f"{self.indicator_names.get(indicator, indicator)} (cấp tỉnh): không tính "
                f"{', '.join(units)} vì thiếu tử số hoặc mẫu số"
                for indicator, units in self.left_out.items()]

    def disagreement_lines(self) -> list[str]:
        """One Vietnamese line per disagreement between the two portal sources."""
        return [d.line_vi(self.unit_names.get(d.unit, d.unit))
                for d in self.source_disagreements]

    def all_notes(self) -> list[str]:
        """Every note of the report: the period's notes, then the units left out."""
        return [*self.notes, *self.left_out_notes()]
