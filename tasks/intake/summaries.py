"""What a collection did, for people: the table and Markdown shown in the Prefect UI."""

from __future__ import annotations

from tasks.intake.collect import CollectSummary
from tasks.report.markdown import escape

OUTCOME_VI = {"accepted": "đã nhận", "duplicate": "trùng, bỏ qua", "rejected": "bị từ chối"}


def collect_table(summary: CollectSummary) -> list[dict[str, str]]:
    return [{
        "Tệp": f.file,
        "Kết quả": OUTCOME_VI[f.outcome],
        "Kỳ": f.period or "",
        "Thay thế tệp trước": str(f.superseded) if f.superseded else "",
        "Lỗi": "; ".join(p.line_vi() for p in f.problems),
        "Ghi chú": "; ".join(f.notes),
    } for f in summary.files]


def collect_markdown(summary: CollectSummary, title: str) -> str:
    lines = [
        f"# {title}",
        "",
        "| Đã nhận | Trùng | Thay thế bản trước | Bị từ chối |",
        "| --- | --- | --- | --- |",
        f"| {summary.accepted} | {summary.duplicate} | {summary.superseded} "
        f"| {summary.rejected} |",
    ]
    rejected = [f for f in summary.files if f.outcome == "rejected"]
    if rejected:
        lines += ["", "## Tệp bị từ chối (phiếu báo lỗi nằm cạnh tệp trong quarantine/)", ""]
        for f in rejected:
            lines.append(f"- {escape(f.file)}: "
                         + "; ".join(escape(p.line_vi()) for p in f.problems[:5])
                         + (f" … (+{len(f.problems) - 5} lỗi)" if len(f.problems) > 5 else ""))
    noted = [f for f in summary.files if f.notes]
    if noted:
        lines += ["", "## Ghi chú (đã chuyển bảng mã cũ sang Unicode)", ""]
        lines += [f"- {escape(f.file)}: " + "; ".join(escape(n) for n in f.notes)
                  for f in noted]
    return "\n".join(lines) + "\n"
