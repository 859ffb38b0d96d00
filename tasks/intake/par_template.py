"""The CCHC index's workbooks for people to fill in (``cchc template --tu-cham`` and
``--tham-dinh``): a unit's self-assessment, one row per criterion it scores itself, and
Sở Nội vụ's appraisal, one row per criterion Sở Nội vụ scores for each unit. Also used to
write filled-in files for the demo province. What makes the intake recognise them is the
sheet «Tự chấm điểm» or «Thẩm định» (:mod:`tasks.intake.par_reader`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from config.par_criteria import ParCriteria
from config.registry import Registry
from tasks.intake.par_reader import (
    COL_APPRAISED,
    COL_CLAIMED,
    COL_CRITERION,
    COL_CRITERION_NAME,
    COL_EVIDENCE,
    COL_MAX,
    COL_NOTE,
    COL_REASON,
    COL_UNIT,
    COL_UNIT_NAME,
    LABEL_UNIT,
    LABEL_YEAR,
    SHEET_APPRAISAL,
    SHEET_INFO,
    SHEET_SELF,
)
from tasks.intake.par_validation import APPRAISER, scored_set
from tasks.intake.template import TemplateRefused

SELF_HEADER = [COL_CRITERION, COL_CRITERION_NAME, COL_MAX, COL_CLAIMED, COL_EVIDENCE, COL_NOTE]
APPRAISAL_HEADER = [COL_UNIT, COL_UNIT_NAME, COL_CRITERION, COL_CRITERION_NAME, COL_MAX,
                    COL_CLAIMED, COL_APPRAISED, COL_REASON]
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_BOLD = Font(bold=True)
_TEXT = "@"


@dataclass(frozen=True)
class Claim:
    """A filled-in self-assessment row (the demo's files)."""

    points: float
    evidence: str | None = None


@dataclass(frozen=True)
class AppraisalEntry:
    """A filled-in appraisal row."""

    unit: str
    criterion_id: str
    points: float
    reason: str | None = None
    claimed: float | None = None


def self_assessment_file_name(unit: str, year: int) -> str:
    return f"tu-cham-chi-so-cchc-{unit}-{year}.xlsx"


def appraisal_file_name(year: int) -> str:
    return f"tham-dinh-chi-so-cchc-{year}.xlsx"


def _info_sheet(wb: Workbook, title: str, rows: Sequence[tuple[str, object]],
                guide: str) -> None:
    info = wb.active
    assert info is not None
    info.title = SHEET_INFO
    info.append([title])
    info.append([])
    for label, value in rows:
        info.append([label, value])
    info.append([])
    info.append([guide])
    info["A1"].font = Font(bold=True, size=13)
    for row in range(3, 3 + len(rows)):
        info.cell(row, 1).font = _BOLD
    info.column_dimensions["A"].width = 20
    info.column_dimensions["B"].width = 70


def _style(ws: Worksheet, widths: Sequence[int]) -> None:
    ws.cell(1, 1).font = Font(bold=True, size=12)
    for col, width in enumerate(widths, start=1):
        cell = ws.cell(2, col)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(3, 1)


def _points_rule(ws: Worksheet, column: str, last_row: int) -> None:
    rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                          allow_blank=True, showErrorMessage=True,
                          error="Điểm là số từ 0 đến điểm tối đa của tiêu chí")
    ws.add_data_validation(rule)
    rule.add(f"{column}3:{column}{max(3, last_row)}")


def build_self_assessment(registry: Registry, criteria: ParCriteria, unit: str, year: int,
                          claims: Mapping[str, Claim] | None = None) -> Workbook:
    """The self-assessment workbook of ``unit`` for ``year``: one row per ``self_assessed``
    criterion of its set (id, name, maximum), ``claims`` filled in by criterion id.
    Refused (:class:`TemplateRefused`) for a unit not scored that year."""
    criteria_set, why = scored_set(registry, criteria, unit, year)
    if criteria_set is None:
        raise TemplateRefused(f"không tạo bảng tự chấm: {why}")
    agency = registry.agency(unit)
    assert agency is not None
    filled = claims or {}
    wb = Workbook()
    _info_sheet(wb, f"BẢNG TỰ CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year}",
                [(LABEL_UNIT, agency.code), ("Tên đơn vị", agency.name), (LABEL_YEAR, year),
                 ("Bộ chỉ số", criteria_set.name)],
                "Hướng dẫn: ở trang «Tự chấm điểm», ghi điểm tự chấm (từ 0 đến điểm tối đa) "
                "và tài liệu kiểm chứng (số, ngày văn bản hoặc đường dẫn; bắt buộc khi điểm "
                "lớn hơn 0) của từng tiêu chí; để trống tiêu chí chưa chấm. Nộp vào thư mục "
                f"inbox/{agency.code}/ hoặc trên trang web; nộp lại tệp đã sửa sẽ thay tệp "
                "trước.")
    ws = wb.create_sheet(SHEET_SELF)
    ws.append([f"Tự chấm điểm Chỉ số CCHC năm {year} của {agency.name}"])
    ws.append(SELF_HEADER)
    leaves = [leaf for leaf in criteria_set.leaves() if leaf.method.kind == "self_assessed"]
    for leaf in leaves:
        claim = filled.get(leaf.id)
        ws.append([leaf.id, leaf.name, leaf.max_points, claim.points if claim else None,
                   claim.evidence if claim else None, None])
        ws.cell(ws.max_row, 1).number_format = _TEXT
    _points_rule(ws, "D", len(leaves) + 2)
    _style(ws, [12, 60, 12, 14, 50, 30])
    return wb


def write_self_assessment(registry: Registry, criteria: ParCriteria, unit: str, year: int,
                          path: Path, claims: Mapping[str, Claim] | None = None) -> Path:
    workbook = build_self_assessment(registry, criteria, unit, year, claims)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def build_appraisal(registry: Registry, criteria: ParCriteria, year: int,
                    entries: Sequence[AppraisalEntry] = ()) -> Workbook:
    """Sở Nội vụ's appraisal workbook for ``year``: one row per ``appraised`` or
    ``survey`` criterion of each unit scored that year, then ``entries`` (points filled
    in; an entry for a listed row fills that row). Rows for changing a self-assessed or
    computed criterion are added below, with the reason."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    by_key = {(e.unit, e.criterion_id): e for e in entries}
    rows: list[list[object]] = []
    for agency in registry.agencies:
        if not agency.valid_between(start, end):
            continue
        criteria_set = criteria.set_for(agency.kind, year)
        if criteria_set is None:
            continue
        for leaf in criteria_set.leaves():
            entry = by_key.pop((agency.code, leaf.id), None)
            if leaf.method.kind in ("appraised", "survey") or entry is not None:
                rows.append([agency.code, agency.name, leaf.id, leaf.name, leaf.max_points,
                             entry.claimed if entry else None,
                             entry.points if entry else None, entry.reason if entry else None])
    if by_key:
        unknown = ", ".join(f"{u} {c}" for u, c in by_key)
        raise TemplateRefused(f"không tạo tệp thẩm định: không có tiêu chí {unknown}")
    wb = Workbook()
    _info_sheet(wb, f"KẾT QUẢ THẨM ĐỊNH CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year}",
                [(LABEL_YEAR, year), ("Cơ quan thẩm định", "Sở Nội vụ")],
                "Hướng dẫn: ở trang «Thẩm định», ghi điểm thẩm định (từ 0 đến điểm tối đa) "
                "của các tiêu chí Sở Nội vụ chấm; thêm dòng cho tiêu chí đơn vị tự chấm hoặc "
                "tiêu chí tính từ số liệu mà Sở Nội vụ điều chỉnh, ghi rõ lý do (bắt buộc khi "
                f"điểm thay đổi). Nộp vào thư mục inbox/{APPRAISER}/; tệp nộp sau thay toàn "
                "bộ tệp trước của cùng năm.")
    ws = wb.create_sheet(SHEET_APPRAISAL)
    ws.append([f"Thẩm định Chỉ số CCHC năm {year}"])
    ws.append(APPRAISAL_HEADER)
    for row in rows:
        ws.append(row)
        ws.cell(ws.max_row, 3).number_format = _TEXT
    _points_rule(ws, "G", len(rows) + 2 + 50)
    _style(ws, [12, 36, 12, 50, 12, 12, 14, 50])
    return wb


def write_appraisal(registry: Registry, criteria: ParCriteria, year: int, path: Path,
                    entries: Sequence[AppraisalEntry] = ()) -> Path:
    workbook = build_appraisal(registry, criteria, year, entries)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
