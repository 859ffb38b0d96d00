"""Text and tables for people: the run summaries shown in the Prefect UI and the CLI."""

from __future__ import annotations

from tasks.model.report import INCOMPLETE_VI, PROVINCE, IndicatorValue
from tasks.model.vocabulary import STATE_LATE, STATE_MISSING
from tasks.report.publish import ReportOutcome
from tasks.report.text_safety import escape_markdown as escape


def format_value(value: float | None, kind: str) -> str:
    if value is None:
        return "N/A"
    if kind == "rate":
        return f"{value:.2f}%".replace(".", ",")
    return f"{value:g}"


def province_table(outcome: ReportOutcome) -> list[dict[str, str]]:
    content = outcome.content
    kinds, names = content.indicator_kinds, content.indicator_names
    rows = []
    for v in content.indicators:
        if v.unit != PROVINCE:
            continue
        rows.append({
            "Chỉ số": names.get(v.indicator, v.indicator),
            "Tử số": format_value(v.numerator, "count"),
            "Mẫu số": format_value(v.denominator, "count"),
            "Giá trị": format_value(v.value, kinds.get(v.indicator, "count")),
            "Chỉ tiêu": f"{v.target_op} {v.target:g}" if v.target is not None else "",
            "Đánh giá": v.status,
        })
    return rows


def _province(values: list[IndicatorValue]) -> dict[str, float | None]:
    return {v.indicator: v.value for v in values if v.unit == PROVINCE}


def _changes(now: dict[str, float | None], before: dict[str, float | None],
             names: dict[str, str], kinds: dict[str, str]) -> list[str]:
    lines = []
    for indicator, value in now.items():
        if indicator not in before or before[indicator] == value:
            continue
        old = before[indicator]
        kind = kinds.get(indicator, "count")
        delta = ""
        if value is not None and old is not None:
            unit = " điểm %" if kind == "rate" else ""
            delta = f" ({value - old:+.2f}{unit})".replace(".", ",")
        lines.append(f"- {escape(names.get(indicator, indicator))}: {format_value(old, kind)} → "
                     f"{format_value(value, kind)}{delta}")
    return lines


def report_markdown(outcome: ReportOutcome) -> str:
    """The run summary for the Prefect UI: what changed, and who is missing."""
    content = outcome.content
    names, kinds = content.indicator_names, content.indicator_kinds
    now = _province(content.indicators)
    state = outcome.state_vi
    lines = [f"# Báo cáo CCHC {content.period_label_vi} — v{outcome.version} ({state})", "",
             f"Thư mục báo cáo: {escape(str(outcome.folder))}", ""]
    if content.data_gaps:
        lines += [f"> **⚠ {INCOMPLETE_VI}**", ">"]
        lines += [f"> - {escape(gap)}" for gap in content.data_gaps]
        lines.append("")
    if outcome.previous_version:
        changed = _changes(now, _province(outcome.previous_version), names, kinds)
        lines += [f"## Thay đổi so với v{outcome.version - 1}", ""]
        lines += changed or ["- Không có chỉ số cấp tỉnh nào thay đổi."]
        lines.append("")
    if outcome.previous_period:
        changed = _changes(now, _province(outcome.previous_period), names, kinds)
        lines += ["## Thay đổi so với kỳ trước", ""]
        lines += changed or ["- Không có chỉ số cấp tỉnh nào thay đổi."]
        lines.append("")
    else:
        lines += ["## Thay đổi so với kỳ trước", "", "- Chưa có báo cáo kỳ trước để so sánh.",
                  ""]
    missing = [m for m in content.missing if m.state == STATE_MISSING]
    late = [m for m in content.missing if m.state == STATE_LATE]
    lines += [f"## Đơn vị chưa nộp ({len(missing)})", ""]
    lines += [f"- {escape(m.unit)} — {escape(m.unit_name)}" for m in missing] or ["- Không có."]
    lines += ["", f"## Đơn vị nộp muộn ({len(late)})", ""]
    lines += [f"- {escape(m.unit)} — {escape(m.unit_name)}" for m in late] or ["- Không có."]
    waiting = [m for m in content.missing if m.waiting_files]
    if waiting:
        lines += ["", f"## Tệp đang chờ thu nhận ({sum(len(m.waiting_files) for m in waiting)})"
                  " — đang được ghi, thu nhận ở lần chạy sau", ""]
        lines += [f"- {escape(m.unit)} — {escape(m.unit_name)} ({escape(m.state)}): "
                  + ", ".join(escape(f) for f in m.waiting_files) for m in waiting]
    if content.rejected:
        lines += ["", f"## Tệp bị từ chối ({len(content.rejected)})", ""]
        lines += [f"- {escape(f'{r.agency_folder}/{r.file_name}')}" for r in content.rejected]
    return "\n".join(lines) + "\n"
