"""A report run checking itself: parts against wholes, and the province against the
portal export's own «Tổng cộng» row.

Nothing found here stops a report; every disagreement becomes a line of the report's data
issues (``ReportContent.data_issues``: indicators.json, the workbook's «Lỗi dữ liệu» sheet,
section V of the Word and HTML reports), in Vietnamese, naming the unit or the province,
the figures and the file row, so it is never silently ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from tasks.indicators.compute import PeriodInputs
from tasks.indicators.rollup import portal_files_used
from tasks.model.portal import PortalUnitStats
from tasks.model.problems import RejectedInput
from tasks.model.records import StoredPortalFile
from tasks.model.report import PROVINCE, IndicatorValue
from tasks.model.vocabulary import ON_TIME, ONLINE_FILING, OVERDUE_IN_PROGRESS
from tasks.portal.export_figures import ExportFigures, export_figures

_LOG = logging.getLogger(__name__)
_EXPORT_VARIANTS = ("A", "B")


def _n(value: float | int | None) -> str:
    return "không có" if value is None else f"{value:,.0f}".replace(",", ".")


def unit_part_issues(units: Sequence[PortalUnitStats]) -> list[str]:
    """Stored figures of each unit whose parts do not add up to their whole."""
    issues = []
    for s in units:
        where = f"Đơn vị {s.unit} (dòng {s.source_row} của tệp cổng dịch vụ công)"
        if s.resolved_total != s.resolved_on_time + s.resolved_late:
            issues.append(f"{where}: số hồ sơ đã giải quyết {_n(s.resolved_total)} khác trả "
                          f"đúng hạn {_n(s.resolved_on_time)} + trả quá hạn "
                          f"{_n(s.resolved_late)}")
        if (s.in_progress_total is not None and s.in_progress_overdue is not None
                and s.in_progress_overdue > s.in_progress_total):
            issues.append(f"{where}: số hồ sơ đang giải quyết quá hạn "
                          f"{_n(s.in_progress_overdue)} lớn hơn tổng số đang giải quyết "
                          f"{_n(s.in_progress_total)}")
    return issues


def _stored_row_issues(units: Sequence[PortalUnitStats], figures: ExportFigures,
                       file_name: str) -> list[str]:
    """Each stored unit against the wholes its export row states."""
    issues = []
    for s in units:
        row = figures.rows.get(s.source_row)
        where = f"Đơn vị {s.unit} (dòng {s.source_row} của tệp «{file_name}»)"
        if row is None:
            issues.append(f"{where}: không tìm lại được dòng số liệu trong tệp đã lưu")
            continue
        if figures.variant == "A":
            parts = (s.received_online, s.received_in_person, s.received_post, s.carried_over)
            if "received_total" in row and None not in parts:
                added = sum(p for p in parts if p is not None)
                if row["received_total"] != added:
                    issues.append(
                        f"{where}: tổng số hồ sơ nhận giải quyết {_n(row['received_total'])} "
                        f"khác trực tuyến + trực tiếp + BCCI + kỳ trước chuyển qua đã lưu "
                        f"= {_n(added)}")
            if ("in_progress_within" in row and s.in_progress_overdue is not None
                    and s.in_progress_total is not None
                    and s.in_progress_total != row["in_progress_within"]
                    + s.in_progress_overdue):
                issues.append(
                    f"{where}: số hồ sơ đang giải quyết đã lưu {_n(s.in_progress_total)} khác "
                    f"chưa đến hạn {_n(row['in_progress_within'])} + quá hạn "
                    f"{_n(s.in_progress_overdue)}")
        elif "total" in row and s.in_progress_total is not None:
            added = s.resolved_total + s.in_progress_total
            if row["total"] != added:
                issues.append(f"{where}: tổng số hồ sơ {_n(row['total'])} khác đã xử lý + "
                              f"chưa xử lý đã lưu = {_n(added)}")
    return issues


def _province_comparisons(figures: ExportFigures, units: Sequence[PortalUnitStats],
                          province: dict[str, IndicatorValue]
                          ) -> list[tuple[str, int | None, float | None]]:
    """(what, the export's total row, the report's province figure)."""
    total = figures.total or {}

    def part(indicator: str, numerator: bool) -> float | None:
        value = province.get(indicator)
        if value is None:
            return None
        return value.numerator if numerator else value.denominator

    def stated(*fields: str) -> int | None:
        return sum(total[f] for f in fields) if all(f in total for f in fields) else None

    in_progress = sum(s.in_progress_total or 0 for s in units)
    if figures.variant == "A":
        received = sum((s.received_online or 0) + (s.received_in_person or 0)
                       + (s.received_post or 0) + (s.carried_over or 0) for s in units)
        return [
            ("số hồ sơ nhận giải quyết (tổng số)", stated("received_total"), received),
            ("số hồ sơ mới tiếp nhận trực tuyến", stated("received_online"),
             part(ONLINE_FILING, True)),
            ("số hồ sơ mới tiếp nhận (trực tuyến + trực tiếp + BCCI)",
             stated("received_online", "received_in_person", "received_post"),
             part(ONLINE_FILING, False)),
            ("số hồ sơ đã giải quyết", stated("resolved_total"), part(ON_TIME, False)),
            ("số hồ sơ trả đúng hạn", stated("resolved_on_time"), part(ON_TIME, True)),
            ("số hồ sơ đang giải quyết (tổng số)", stated("in_progress_total"), in_progress),
            ("số hồ sơ đang giải quyết quá hạn", stated("in_progress_overdue"),
             part(OVERDUE_IN_PROGRESS, True)),
        ]
    return [
        ("số hồ sơ đã xử lý", stated("resolved"), part(ON_TIME, False)),
        ("số hồ sơ trả trước hạn và đúng hạn", stated("before", "on_time"),
         part(ON_TIME, True)),
        ("số hồ sơ chưa xử lý", stated("pending"), in_progress),
    ]


def export_total_issues(figures: ExportFigures, units: Sequence[PortalUnitStats],
                        indicators: Sequence[IndicatorValue], file_name: str) -> list[str]:
    """The report's province figures against the export's own «Tổng cộng» row."""
    if figures.total is None:
        return [f"Tệp số liệu cổng dịch vụ công «{file_name}» không có dòng «Tổng cộng»: "
                "không đối chiếu được số liệu toàn tỉnh với tổng của tệp"]
    province = {v.indicator: v for v in indicators if v.unit == PROVINCE}
    issues = []
    for what, stated, computed in _province_comparisons(figures, units, province):
        if stated is None or computed is None or float(stated) == float(computed):
            continue
        issues.append(f"Toàn tỉnh, {what}: báo cáo tính {_n(computed)} nhưng dòng «Tổng cộng» "
                      f"(dòng {figures.total_row}) của tệp «{file_name}» ghi {_n(stated)}")
    return issues


def data_issues(inputs: PeriodInputs, portal_file: StoredPortalFile | None,
                indicators: Sequence[IndicatorValue]) -> list[str]:
    """Every disagreement this run finds in its own inputs and figures."""
    units = list(inputs.portal or ())
    issues = unit_part_issues(units)
    if portal_file is None or portal_file.variant not in _EXPORT_VARIANTS:
        return issues
    if len(portal_files_used(inputs, portal_file)) > 1:
        # A roll-up of several months' exports: each export's rows and «Tổng cộng» state one
        # month, not the rolled-up figures; each was checked in its own month's report.
        return issues
    try:
        figures = export_figures(Path(portal_file.archive_path))
    except (RejectedInput, OSError) as exc:
        _LOG.warning("không đọc lại được %s: %s", portal_file.archive_path, exc)
        return [*issues, f"Không đọc lại được tệp số liệu cổng dịch vụ công "
                         f"«{portal_file.file_name}» đã lưu để đối chiếu dòng «Tổng cộng»"]
    if figures is None:
        return [*issues, f"Không tìm lại được bảng số liệu trong tệp «{portal_file.file_name}» "
                         "đã lưu để đối chiếu dòng «Tổng cộng»"]
    issues += _stored_row_issues(units, figures, portal_file.file_name)
    issues += export_total_issues(figures, units, indicators, portal_file.file_name)
    for issue in issues:
        _LOG.warning("kỳ %s: %s", inputs.period.label, issue)
    return issues
