"""The year's CCHC index as the report's annex (phụ lục), in words and table rows.

One table per group (departments; communes): rank, unit, the months it was scored over,
its points per area, its total, band, last year's total and the change; a unit closed
during the year names its successors. The Word and HTML renderers lay the annex out after
the signature (Nghị định 30: an annex starts on a new page with «Phụ lục», its title and
the line tying it to the report); the workbook has its own sheet with every criterion
(:mod:`tasks.report.par_sheet`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tasks.model.par_report import IndexGroup, ParIndexReport, UnitIndex
from tasks.report import vietnamese as vi
from tasks.report.text_safety import one_line

ANNEX_NUMBER = "I"
NOT_BANDED_VI = "chưa xếp loại"


@dataclass(frozen=True)
class AnnexTable:
    headers: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass(frozen=True)
class Annex:
    number: str  # "I"
    title: str
    attached_to: str  # "(Kèm theo Báo cáo … năm 2025)"
    paragraphs: list[str]
    tables: list[AnnexTable] = field(default_factory=list)


def change_text(unit: UnitIndex, last_year_found: bool) -> str:
    if unit.change is None:
        return "chưa có" if last_year_found else ""
    return f"+{vi.number(unit.change)}" if unit.change > 0 else vi.number(unit.change)


def _note(unit: UnitIndex) -> str:
    parts = []
    if len(unit.months) < 12:
        parts.append(f"chấm trên {unit.months_vi()}")
    if unit.successors:
        parts.append("đơn vị kế thừa: " + ", ".join(one_line(s) for s in unit.successors))
    return "; ".join(parts)


def group_table(group: IndexGroup, last_year_found: bool) -> AnnexTable:
    headers = ["Xếp hạng", "Đơn vị", "Thời gian chấm",
               *[f"Lĩnh vực {a.area_id} ({vi.number(a.max_points)})" for a in group.areas],
               f"Tổng điểm ({vi.number(group.max_points)})", "Xếp loại", "Năm trước",
               "Tăng/giảm", "Ghi chú"]
    rows = [[str(u.rank), one_line(u.unit_name), u.months_vi(),
             *[vi.number(a.points) for a in u.areas], vi.number(u.points),
             one_line(u.band) if u.band else NOT_BANDED_VI,
             vi.number(u.last_year) if u.last_year is not None else "",
             change_text(u, last_year_found), _note(u)]
            for u in group.units]
    caption = one_line(group.name) + (" (BẢN MẪU)" if group.sample else "")
    return AnnexTable(headers, rows, caption)


def par_annex(index: ParIndexReport, report_phrase: str) -> Annex:
    """The annex of the year's report (``report_phrase``: «năm 2025»)."""
    paragraphs = [
        f"Chỉ số cải cách hành chính năm {index.year} của các sở, ban, ngành và UBND cấp xã: "
        "tổng điểm, điểm từng lĩnh vực, xếp hạng trong từng nhóm, xếp loại và so với năm "
        "trước. Điểm các tiêu chí tính từ số liệu lấy từ các báo cáo tháng đã lập (tỷ lệ = "
        "tổng tử số ÷ tổng mẫu số các tháng đơn vị hoạt động; số đếm là số cuối tháng hoạt "
        "động cuối cùng); điểm tự chấm và thẩm định theo hồ sơ của đơn vị và Sở Nội vụ. "
        "Chi tiết từng tiêu chí: sheet «Chỉ số CCHC chi tiết» của tệp Excel; nguồn của từng điểm: "
        "lệnh cchc trace."]
    for group in index.groups:
        paragraphs.append(f"{one_line(group.name)}: " + "; ".join(
            f"lĩnh vực {a.area_id} — {one_line(a.name)} ({vi.number(a.max_points)} điểm)"
            for a in group.areas) + ".")
    paragraphs.extend(one_line(note) for note in index.notes)
    return Annex(
        number=ANNEX_NUMBER, title=f"CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {index.year}",
        attached_to=f"(Kèm theo Báo cáo kết quả thực hiện công tác cải cách hành chính "
                    f"{report_phrase})",
        paragraphs=paragraphs,
        tables=[group_table(g, index.last_year_found) for g in index.groups])
