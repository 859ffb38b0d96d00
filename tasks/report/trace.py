"""Tracing one published figure back to its inputs: ``cchc trace``.

For a report version (default: the newest of the period) and one (unit, indicator): the
value with its numerator and denominator as stored for that version, each input file the
version's ``manifest.json`` lists for it (name, content hash, first-seen time, archive path)
and the rows that contributed, as the database stored them with their source rows:

- task indicators (``task_completion_rate``, ``tasks_overdue``): the unit's task report rows;
- a reported metric: the unit's metric rows for that code;
- portal indicators: the portal export and the unit's row in it;
- ``TINH``: the same for every unit, and the units summed (with their parts);
- submission indicators (``submission_rate`` …): every submission of the version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from config.errors import CchcError
from config.settings import DEFAULT_TIMEZONE
from tasks.model.portal import PortalUnitStats
from tasks.model.ports import TraceStore
from tasks.model.report import PROVINCE, IndicatorValue
from tasks.model.trace import FileLines
from tasks.model.vocabulary import (
    IDX766_PREFIX,
    PORTAL_INDICATORS,
    SUBMISSION_INDICATORS,
    TASK_INDICATORS,
)


class TraceError(CchcError):
    """The figure cannot be traced (no such version, unit or indicator); in Vietnamese."""


@dataclass(frozen=True)
class TracedInput:
    kind: str  # "submission" or "portal"
    file_name: str
    content_hash: str
    archive_path: str
    agency: str | None
    first_seen: datetime | None
    lines: list[str] = field(default_factory=list)  # the rows that contributed


@dataclass(frozen=True)
class FigureTrace:
    period: str
    version: int
    value: IndicatorValue
    inputs: list[TracedInput]
    summed: list[IndicatorValue] = field(default_factory=list)  # TINH: the units added
    left_out: list[IndicatorValue] = field(default_factory=list)  # TINH: a part missing


def _manifest(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TraceError(f"không đọc được manifest.json của bản báo cáo trong {path}") from exc
    return data


def trace_figure(store: TraceStore, period: str, unit: str, indicator: str,
                 version: int | None = None) -> FigureTrace:
    """The chain behind one figure of a report version (raises :class:`TraceError`)."""
    found = (store.latest_report_version(period) if version is None
             else store.report_version(period, version))
    if found is None:
        raise TraceError(f"kỳ {period} chưa có bản báo cáo"
                         + (f" v{version}" if version is not None else ""))
    values = [v for v in store.indicator_values(found.id) if v.indicator == indicator]
    value = next((v for v in values if v.unit == unit), None)
    if value is None:
        raise TraceError(f"bản v{found.version} kỳ {period} không có chỉ số «{indicator}» "
                         f"của đơn vị {unit}")
    manifest = _manifest(Path(found.path))
    inputs = [_input(store, item, unit, indicator) for item in manifest.get("inputs", [])
              if _relevant(item, unit, indicator)]
    summed: list[IndicatorValue] = []
    left_out: list[IndicatorValue] = []
    if unit == PROVINCE:
        for v in values:
            if v.unit == PROVINCE:
                continue
            rate = value.denominator is not None
            missing = v.numerator is None or (rate and v.denominator is None)
            if not missing:
                summed.append(v)
            elif rate and (v.numerator is None) != (v.denominator is None):
                left_out.append(v)
    return FigureTrace(period, found.version, value, inputs, summed, left_out)


def _relevant(item: dict[str, Any], unit: str, indicator: str) -> bool:
    """Portal indicators come from the portal file; the 766 index lists every input; the
    others come from the unit's submission (TINH: every submission)."""
    kind = item.get("kind")
    if indicator in PORTAL_INDICATORS:
        return bool(kind == "portal")
    if kind != "submission":
        return indicator.startswith(IDX766_PREFIX)
    return unit == PROVINCE or item.get("agency") == unit


def _input(store: TraceStore, item: dict[str, Any], unit: str, indicator: str) -> TracedInput:
    content_hash = str(item.get("content_hash", ""))
    stored = store.file_lines(content_hash)
    first_seen = stored.first_seen if stored else None
    if first_seen is None and item.get("arrived_at"):
        first_seen = datetime.fromisoformat(str(item["arrived_at"]))
    agency = item.get("agency")
    return TracedInput(kind=str(item.get("kind")), file_name=str(item.get("file_name", "")),
                       content_hash=content_hash, archive_path=str(item.get("path", "")),
                       agency=str(agency) if agency else None, first_seen=first_seen,
                       lines=_lines(stored, unit, indicator) if stored else
                       ["(cơ sở dữ liệu không còn các dòng của tệp này)"])


def _num(value: float | int | None) -> str:
    if value is None:
        return "không có"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _portal_line(s: PortalUnitStats) -> str:
    return (f"dòng {s.source_row} ({s.unit}): tiếp nhận trực tuyến {_num(s.received_online)}, "
            f"trực tiếp {_num(s.received_in_person)}, BCCI {_num(s.received_post)}, kỳ trước "
            f"chuyển qua {_num(s.carried_over)}; đã giải quyết {s.resolved_total} (đúng hạn "
            f"{s.resolved_on_time}, quá hạn {s.resolved_late}); đang giải quyết "
            f"{_num(s.in_progress_total)} (quá hạn {_num(s.in_progress_overdue)})")


def _lines(stored: FileLines, unit: str, indicator: str) -> list[str]:
    if indicator in PORTAL_INDICATORS:
        return [_portal_line(s) for s in stored.portal if unit in (PROVINCE, s.unit)]
    if indicator in TASK_INDICATORS:
        return [f"trang «Nhiệm vụ», dòng {t.source_row}: {t.task_id} — {t.status}"
                + (f" ({_num(t.progress)}%)" if t.progress is not None else "")
                + (f", hoàn thành {t.completed_on:%d/%m/%Y}" if t.completed_on else "")
                for t in stored.tasks]
    if indicator in SUBMISSION_INDICATORS:
        return []
    return [f"trang «Chỉ tiêu», dòng {m.source_row}: {m.metric_code} = {_num(m.value)}"
            for m in stored.metrics if m.metric_code == indicator]


def _value_text(v: IndicatorValue) -> str:
    if v.value is None:
        return "không có số liệu"
    if v.denominator is not None:
        return f"{v.value:.2f}%"
    return _num(v.value)


def trace_lines(trace: FigureTrace, timezone: str = DEFAULT_TIMEZONE) -> list[str]:
    """The chain as text lines for the terminal (Vietnamese)."""
    tz = ZoneInfo(timezone)
    v = trace.value
    lines = [f"Kỳ {trace.period}, bản v{trace.version}: chỉ số «{v.indicator}» của {v.unit}",
             f"Giá trị: {_value_text(v)}"
             + (f" = tử số {_num(v.numerator)} / mẫu số {_num(v.denominator)} × 100"
                if v.denominator is not None else f" (số đếm {_num(v.numerator)})")]
    if v.unit == PROVINCE and (trace.summed or trace.left_out):
        lines.append("Cộng từ các đơn vị:")
        lines += [f"  {u.unit}: {_num(u.numerator)}"
                  + (f" / {_num(u.denominator)}" if u.denominator is not None else "")
                  for u in trace.summed]
        lines += [f"  {u.unit}: không tính (thiếu tử số hoặc mẫu số)" for u in trace.left_out]
    lines.append(f"Tệp đầu vào ({len(trace.inputs)}):")
    for item in trace.inputs:
        seen = (f"{item.first_seen.astimezone(tz):%d/%m/%Y %H:%M:%S}"
                if item.first_seen else "không rõ")
        source = "cổng dịch vụ công" if item.kind == "portal" else item.agency
        lines += [f"- {item.file_name} ({source})",
                  f"  mã băm SHA-256: {item.content_hash}",
                  f"  thấy lần đầu: {seen}",
                  f"  lưu tại: {item.archive_path}"]
        lines += [f"  {line}" for line in item.lines]
    if not trace.inputs:
        lines.append("  (không có tệp nào)")
    return lines
