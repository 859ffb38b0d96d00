"""What a collection did, for people: the table and Markdown shown in the Prefect UI."""

from __future__ import annotations

from collections.abc import Sequence

from tasks.intake.collect import CollectSummary
from tasks.model.problems import vi_count
from tasks.model.records import WaitingFile
from tasks.report.text_safety import escape_markdown as escape

OUTCOME_VI = {"accepted": "đã nhận", "duplicate": "trùng, bỏ qua", "rejected": "bị từ chối"}
WAITING_VI = "đang chờ thu nhận (tệp đang được ghi)"


def waiting_summary(files: Sequence[WaitingFile]) -> list[dict[str, str]]:
    """Each waiting file for a run's result: where it is, its unit, when it may be taken."""
    return [{"file": f.shown_path, "unit": f.unit, "size": str(f.size),
             "modified_at": f.modified_at.isoformat(), "first_seen": f.first_seen.isoformat(),
             "ready_at": f.ready_at.isoformat()} for f in files]


def collect_table(summary: CollectSummary) -> list[dict[str, str]]:
    return [{
        "Tệp": f.file,
        "Kết quả": OUTCOME_VI[f.outcome],
        "Kỳ": f.period or "",
        "Thay thế tệp trước": str(f.superseded) if f.superseded else "",
        "Lỗi": "; ".join(p.line_vi() for p in f.problems),
        "Ghi chú": "; ".join(f.notes),
        "Cảnh báo": "; ".join(f.warnings),
    } for f in summary.files] + [{
        "Tệp": w.relative_name,
        "Kết quả": WAITING_VI,
        "Kỳ": "",
        "Thay thế tệp trước": "",
        "Lỗi": "",
        "Ghi chú": f"đơn vị {w.unit}; {w.size} byte; thu nhận ở lần chạy sau",
        "Cảnh báo": "",
    } for w in summary.waiting]


def collect_markdown(summary: CollectSummary, title: str) -> str:
    lines = [
        f"# {title}",
        "",
        "| Đã nhận | Trùng | Thay thế bản trước | Bị từ chối | Đang chờ thu nhận |",
        "| --- | --- | --- | --- | --- |",
        f"| {summary.accepted} | {summary.duplicate} | {summary.superseded} "
        f"| {summary.rejected} | {len(summary.waiting)} |",
    ]
    if summary.waiting:
        lines += ["", "## Tệp đang chờ thu nhận (đang được ghi; thu nhận ở lần chạy sau, "
                  "không phải đơn vị chưa nộp)", ""]
        lines += [f"- {escape(w.shown_path)} — đơn vị {escape(w.unit)}"
                  for w in summary.waiting]
    rejected = [f for f in summary.files if f.outcome == "rejected"]
    if rejected:
        lines += ["", "## Tệp bị từ chối (phiếu báo lỗi nằm cạnh tệp trong quarantine/)", ""]
        for f in rejected:
            lines.append(f"- {escape(f.file)}: "
                         + "; ".join(escape(p.line_vi()) for p in f.problems[:5])
                         + (f" … (+{vi_count(f.total_problems - 5)} lỗi)"
                            if f.total_problems > 5 else ""))
    noted = [f for f in summary.files if f.notes]
    if noted:
        lines += ["", "## Ghi chú (đã chuyển bảng mã cũ sang Unicode)", ""]
        lines += [f"- {escape(f.file)}: " + "; ".join(escape(n) for n in f.notes)
                  for f in noted]
    warned = [f for f in summary.files if f.warnings]
    if warned:
        lines += ["", "## Số liệu bất thường (đã nhận tệp; cảnh báo để đơn vị kiểm tra lại)",
                  ""]
        lines += [f"- {escape(f.file)}: " + "; ".join(escape(w) for w in f.warnings)
                  for f in warned]
    return "\n".join(lines) + "\n"
