"""Tracing one point of the yearly CCHC index: ``cchc trace --period 2025 --unit CODE
--criterion 1.5.1``.

The year's report version keeps every point with its sources in ``indicators.json``
(``par_index``): the final points and where they came from; for a computed criterion the
indicator's value for the year, how it was derived and each month's figure with the
published month version it was read from, and for each of those months the input files of
that figure (:func:`~tasks.report.trace.trace_figure`); for a self-assessed or appraised
criterion the file and the evidence or reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tasks.model.par_report import SOURCE_NAMES
from tasks.model.ports import TraceStore
from tasks.report.trace import TraceError, trace_figure


def _num(value: object) -> str:
    if value is None:
        return "không có"
    if isinstance(value, int | float):
        return f"{round(float(value), 2):g}".replace(".", ",")
    return str(value)


def _index(store: TraceStore, period: str, version: int | None) -> tuple[int, dict[str, Any]]:
    found = (store.latest_report_version(period) if version is None
             else store.report_version(period, version))
    if found is None:
        raise TraceError(f"kỳ {period} chưa có bản báo cáo"
                         + (f" v{version}" if version is not None else ""))
    try:
        document = json.loads((Path(found.path) / "indicators.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise TraceError(f"không đọc được indicators.json của bản v{found.version} kỳ "
                         f"{period} ({found.path})") from exc
    index = document.get("par_index") if isinstance(document, dict) else None
    if not isinstance(index, dict):
        raise TraceError(f"bản v{found.version} kỳ {period} không có Chỉ số CCHC (chỉ báo "
                         "cáo năm, khi có bộ tiêu chí áp dụng cho năm đó, mới có)")
    return found.version, index


def _month_inputs(store: TraceStore, month: dict[str, Any], unit: str, indicator: str
                  ) -> list[str]:
    """The input files of one month's figure, from that month's version."""
    try:
        traced = trace_figure(store, str(month["period"]), unit, indicator,
                              int(month["version"]))
    except TraceError as exc:
        return [f"      (không truy tiếp được: {exc})"]
    if not traced.inputs:
        return ["      (không có tệp đầu vào)"]
    return [f"      tệp {item.file_name} (SHA-256 {item.content_hash[:12]}…, lưu tại "
            f"{item.archive_path})" for item in traced.inputs]


def trace_points(store: TraceStore, period: str, unit: str, criterion: str,
                 version: int | None = None) -> list[str]:
    """The lines (Vietnamese) that trace ``unit``'s points for ``criterion`` in the year's
    report ``period`` (raises :class:`TraceError`)."""
    number, index = _index(store, period, version)
    scored = next((u for g in index.get("groups", []) for u in g.get("units", [])
                   if u.get("unit") == unit), None)
    if scored is None:
        raise TraceError(f"Chỉ số CCHC năm {period} (bản v{number}) không chấm đơn vị {unit}")
    leaf = next((x for x in scored.get("leaves", []) if x.get("criterion_id") == criterion),
                None)
    if leaf is None:
        raise TraceError(f"bộ tiêu chí của đơn vị {unit} không có tiêu chí {criterion}")
    lines = [f"Năm {period}, bản v{number}: Chỉ số CCHC của {scored['unit_name']} ({unit}), "
             f"tiêu chí {criterion} «{leaf['name']}»",
             f"Điểm: {_num(leaf['points'])}/{_num(leaf['max_points'])} — "
             f"{SOURCE_NAMES.get(leaf['source'], leaf['source'])}",
             f"Lý do: {leaf['reason']}",
             f"Đơn vị được chấm trên các tháng: "
             f"{', '.join(f'{m:02d}' for m in scored.get('months', []))}"]
    value = leaf.get("year_value")
    if value:
        lines += [f"Điểm tính từ số liệu: {_num(leaf.get('computed_points'))}",
                  f"Chỉ tiêu {value['indicator']} của năm: {_num(value['value'])} "
                  f"(tử số {_num(value['numerator'])}, mẫu số {_num(value['denominator'])})",
                  f"Cách tính: {value['how']}", "Số liệu từng tháng (bản báo cáo tháng):"]
        for month in value.get("used", []):
            lines.append(f"  {month['period']} bản v{month['version']}: tử số "
                         f"{_num(month['numerator'])}, mẫu số {_num(month['denominator'])}, "
                         f"giá trị {_num(month['value'])}")
            lines += _month_inputs(store, month, unit, str(value["indicator"]))
        if value.get("lacking"):
            lines.append("  không có số liệu tháng: "
                         + ", ".join(f"{m:02d}" for m in value["lacking"]))
    if leaf.get("self_points") is not None:
        lines.append(f"Tự chấm: {_num(leaf['self_points'])} điểm, tài liệu kiểm chứng: "
                     f"{leaf.get('evidence') or 'không ghi'}, tệp: "
                     f"{leaf.get('self_source') or 'không rõ'}")
    if leaf.get("appraised_points") is not None:
        lines.append(f"Thẩm định: {_num(leaf['appraised_points'])} điểm, lý do: "
                     f"{leaf.get('appraisal_reason') or 'không ghi'}, tệp: "
                     f"{leaf.get('appraisal_source') or 'không rõ'}")
    return lines
