"""Checking a self-assessment or an appraisal of the provincial CCHC index against the
registry and the criteria, collecting every problem (the :class:`Checked` convention of
:mod:`tasks.model.problems`).

A self-assessment: the unit is the folder's own, exists in the year and is scored by a
criteria set that year; each row names a ``self_assessed`` leaf of that set, once; its
points are a number from 0 to the criterion's maximum; a criterion given points above 0
names its evidence (tài liệu kiểm chứng). A row whose points are blank claims nothing.

An appraisal comes only from Sở Nội vụ's folder (:data:`APPRAISER`). Each row names a
unit scored that year and a leaf of its set (of any method), once; points from 0 to the
maximum; a reason wherever the row changes the points: always for a ``computed``
criterion (the appraisal overrides the system's figure), for a ``self_assessed`` one
when the points differ from the unit's current claim (no claim counts as 0); an
``appraised`` or ``survey`` criterion's points are Sở Nội vụ's own, so a reason is not
required.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from config.par_criteria import METHOD_NAMES, Leaf, ParCriteria, ParCriteriaSet
from config.registry import Registry
from tasks.intake.par_reader import (
    COL_APPRAISED,
    COL_CLAIMED,
    COL_CRITERION,
    COL_EVIDENCE,
    COL_REASON,
    COL_UNIT,
    LABEL_UNIT,
    LABEL_YEAR,
    SHEET_INFO,
    RawParFile,
)
from tasks.model.par_files import Appraisal, AppraisedLine, SelfAssessedLine, SelfAssessment
from tasks.model.problems import Checked, Problem
from tasks.sheets.cells import CellError, clean_text, is_blank, parse_number

# the unit whose folder takes appraisal files: Sở Nội vụ (agencies.yaml)
APPRAISER = "SNV"
EARLIEST_YEAR = 2000
_EPSILON = 1e-9

Claims = Mapping[tuple[str, str], float]  # (unit, criterion id) -> the points claimed


def _year(raw: RawParFile, today: date) -> tuple[int | None, list[Problem]]:
    value, row = raw.info.get(LABEL_YEAR, (None, None))
    if LABEL_YEAR not in raw.info:
        return None, []  # the reader said the label is missing
    text = clean_text(value)
    if text is None:
        return None, [Problem("không được để trống", SHEET_INFO, row, LABEL_YEAR)]
    if not text.isdigit() or not EARLIEST_YEAR <= int(text) <= today.year:
        return None, [Problem(f"năm đánh giá «{text}» không hợp lệ; ghi năm bằng bốn chữ số, "
                              f"từ {EARLIEST_YEAR} đến {today.year} (ví dụ {today.year})",
                              SHEET_INFO, row, LABEL_YEAR)]
    return int(text), []


def criterion_text(value: object) -> str | None:
    """A criterion id as written: text, or a number Excel made of «1.2» (``1.2`` → ``1.2``)."""
    if isinstance(value, float) and not value.is_integer():
        return format(value, "g")
    return clean_text(value)


def scored_set(registry: Registry, criteria: ParCriteria, unit: str,
               year: int) -> tuple[ParCriteriaSet | None, str | None]:
    """The unit's criteria set of ``year``, or why there is none (Vietnamese)."""
    agency = registry.agency(unit)
    if agency is None:
        return None, f"mã đơn vị «{unit}» không có trong danh mục đơn vị"
    if not agency.valid_between(date(year, 1, 1), date(year, 12, 31)):
        return None, f"đơn vị {unit} ({agency.name}) không hoạt động trong năm {year}"
    found = criteria.set_for(agency.kind, year)
    if found is None:
        return None, (f"đơn vị {unit} ({agency.name}) không được chấm Chỉ số CCHC năm {year} "
                      "(không có bộ chỉ số cho loại đơn vị này)")
    return found, None


def _leaf(criteria_set: ParCriteriaSet, criterion: str) -> tuple[Leaf | None, str | None]:
    for leaf in criteria_set.leaves():
        if leaf.id == criterion:
            return leaf, None
    if any(leaf.id.startswith(criterion + ".") for leaf in criteria_set.leaves()):
        return None, (f"tiêu chí {criterion} có các tiêu chí thành phần; hãy chấm từng tiêu "
                      f"chí thành phần ({criterion}.1, {criterion}.2…)")
    return None, f"mã tiêu chí «{criterion}» không có trong {criteria_set.name}"


def _points(value: object, leaf: Leaf, what: str) -> tuple[float | None, str | None]:
    try:
        number = parse_number(value)
    except CellError as exc:
        return None, str(exc)
    if number < 0:
        return None, f"{what} phải lớn hơn hoặc bằng 0, không phải {number:g}"
    if number > leaf.max_points + _EPSILON:
        return None, (f"{what} {number:g} vượt điểm tối đa {leaf.max_points:g} của tiêu chí "
                      f"{leaf.id}")
    return number, None


def validate_self_assessment(raw: RawParFile, registry: Registry, criteria: ParCriteria, *,
                             today: date, folder_agency: str | None
                             ) -> Checked[SelfAssessment]:
    """The unit's claims, or every problem found."""
    sheet = raw.sheet
    problems = list(raw.problems)
    year, found = _year(raw, today)
    problems += found
    unit_value, unit_row = raw.info.get(LABEL_UNIT, (None, None))
    unit = clean_text(unit_value)
    criteria_set: ParCriteriaSet | None = None
    if unit is None:
        if LABEL_UNIT in raw.info:
            problems.append(Problem("không được để trống", SHEET_INFO, unit_row, LABEL_UNIT))
    else:
        unit = unit.upper()
        folder = folder_agency.upper() if folder_agency else None
        if folder is not None and unit != folder:
            problems.append(Problem(
                f"mã đơn vị trong tệp là {unit} nhưng tệp được nộp vào thư mục của {folder}; "
                "đơn vị chỉ nộp bảng tự chấm của mình, vào thư mục mang mã của mình",
                SHEET_INFO, unit_row, LABEL_UNIT))
        if year is not None:
            criteria_set, why = scored_set(registry, criteria, unit, year)
            if why is not None:
                problems.append(Problem(why, SHEET_INFO, unit_row, LABEL_UNIT))

    lines: list[SelfAssessedLine] = []
    seen: dict[str, int] = {}
    for row in raw.rows:
        cells = row.cells
        if is_blank(cells.get(COL_CLAIMED)) and is_blank(cells.get(COL_EVIDENCE)):
            continue  # a listed criterion the unit did not score
        criterion = criterion_text(cells.get(COL_CRITERION))
        if criterion is None:
            problems.append(Problem("thiếu mã tiêu chí", sheet, row.row, COL_CRITERION))
            continue
        if criterion in seen:
            problems.append(Problem(f"tiêu chí {criterion} đã chấm ở dòng {seen[criterion]}",
                                    sheet, row.row, COL_CRITERION))
            continue
        seen[criterion] = row.row
        if criteria_set is None:
            continue  # the unit or year is wrong: said above, the rows cannot be judged
        leaf, why = _leaf(criteria_set, criterion)
        if leaf is None:
            problems.append(Problem(why or "", sheet, row.row, COL_CRITERION))
            continue
        if leaf.method.kind != "self_assessed":
            problems.append(Problem(
                f"tiêu chí {criterion} do {METHOD_NAMES[leaf.method.kind]}, đơn vị không tự "
                "chấm; hãy để trống điểm của dòng này", sheet, row.row, COL_CLAIMED))
            continue
        if is_blank(cells.get(COL_CLAIMED)):
            problems.append(Problem(f"có tài liệu kiểm chứng nhưng chưa ghi điểm tự chấm của "
                                    f"tiêu chí {criterion}", sheet, row.row, COL_CLAIMED))
            continue
        points, why = _points(cells.get(COL_CLAIMED), leaf, "điểm tự chấm")
        if points is None:
            problems.append(Problem(why or "", sheet, row.row, COL_CLAIMED))
            continue
        evidence = clean_text(cells.get(COL_EVIDENCE))
        if points > 0 and evidence is None:
            problems.append(Problem(
                f"tiêu chí {criterion} tự chấm {points:g} điểm nên phải ghi tài liệu kiểm "
                "chứng (số, ngày văn bản hoặc đường dẫn tới tài liệu)", sheet, row.row,
                COL_EVIDENCE))
            continue
        lines.append(SelfAssessedLine(criterion, points, evidence, row.row))

    if not problems and not lines:
        problems.append(Problem("tệp không chấm tiêu chí nào; hãy ghi điểm tự chấm và tài "
                                "liệu kiểm chứng của các tiêu chí rồi nộp lại", sheet))
    if problems or unit is None or year is None:
        return Checked.failed(problems or [Problem("tệp thiếu mã đơn vị hoặc năm đánh giá",
                                                   SHEET_INFO)])
    return Checked.passed(SelfAssessment(unit, year, tuple(lines)))


def validate_appraisal(raw: RawParFile, registry: Registry, criteria: ParCriteria, *,
                       today: date, folder_agency: str | None,
                       claims_of: Callable[[int], Claims] | None) -> Checked[Appraisal]:
    """Sở Nội vụ's points, or every problem found. ``claims_of(year)``: the units' current
    claims of the year (``None``: not known, as in a self-check: then a changed
    self-assessed criterion is not told from a confirmed one, and no reason is asked)."""
    sheet = raw.sheet
    problems = list(raw.problems)
    folder = folder_agency.upper() if folder_agency else None
    if folder is not None and folder != APPRAISER:
        problems.append(Problem(
            f"tệp thẩm định Chỉ số CCHC chỉ do Sở Nội vụ nộp, vào thư mục {APPRAISER}; đơn "
            f"vị {folder} nộp bảng tự chấm (trang «Tự chấm điểm»)", sheet))
    year, found = _year(raw, today)
    problems += found
    claims = claims_of(year) if claims_of is not None and year is not None else None
    lines: list[AppraisedLine] = []
    seen: dict[tuple[str, str], int] = {}
    sets: dict[str, tuple[ParCriteriaSet | None, str | None]] = {}
    for row in raw.rows:
        cells = row.cells
        if is_blank(cells.get(COL_APPRAISED)) and is_blank(cells.get(COL_REASON)):
            continue  # a listed criterion not appraised (yet)
        unit = clean_text(cells.get(COL_UNIT))
        criterion = criterion_text(cells.get(COL_CRITERION))
        if unit is None:
            problems.append(Problem("thiếu mã đơn vị", sheet, row.row, COL_UNIT))
        if criterion is None:
            problems.append(Problem("thiếu mã tiêu chí", sheet, row.row, COL_CRITERION))
        if unit is None or criterion is None or year is None:
            continue
        unit = unit.upper()
        if (unit, criterion) in seen:
            problems.append(Problem(f"tiêu chí {criterion} của đơn vị {unit} đã thẩm định ở "
                                    f"dòng {seen[unit, criterion]}", sheet, row.row,
                                    COL_CRITERION))
            continue
        seen[unit, criterion] = row.row
        if unit not in sets:
            sets[unit] = scored_set(registry, criteria, unit, year)
        criteria_set, why = sets[unit]
        if criteria_set is None:
            problems.append(Problem(why or "", sheet, row.row, COL_UNIT))
            continue
        leaf, why = _leaf(criteria_set, criterion)
        if leaf is None:
            problems.append(Problem(why or "", sheet, row.row, COL_CRITERION))
            continue
        if is_blank(cells.get(COL_APPRAISED)):
            problems.append(Problem(f"có lý do nhưng chưa ghi điểm thẩm định của tiêu chí "
                                    f"{criterion}", sheet, row.row, COL_APPRAISED))
            continue
        points, why = _points(cells.get(COL_APPRAISED), leaf, "điểm thẩm định")
        if points is None:
            problems.append(Problem(why or "", sheet, row.row, COL_APPRAISED))
            continue
        reason = clean_text(cells.get(COL_REASON))
        needed = _reason_needed(leaf, unit, points, claims)
        if needed is not None and reason is None:
            problems.append(Problem(needed, sheet, row.row, COL_REASON))
            continue
        lines.append(AppraisedLine(unit, criterion, points, reason, row.row))

    if not problems and not lines:
        problems.append(Problem("tệp không thẩm định tiêu chí nào; hãy ghi điểm thẩm định "
                                "rồi nộp lại", sheet))
    if problems or year is None:
        return Checked.failed(problems or [Problem("tệp thiếu năm đánh giá", SHEET_INFO)])
    return Checked.passed(Appraisal(year, tuple(lines)))


def _reason_needed(leaf: Leaf, unit: str, points: float, claims: Claims | None) -> str | None:
    """Why this row needs a reason (Vietnamese), or ``None`` when it does not."""
    if leaf.method.kind == "computed":
        return (f"tiêu chí {leaf.id} tính từ số liệu của hệ thống; thẩm định thay đổi điểm "
                "của tiêu chí này phải ghi lý do")
    if leaf.method.kind == "self_assessed" and claims is not None:
        claimed = claims.get((unit, leaf.id), 0.0)
        if abs(points - claimed) > _EPSILON:
            return (f"điểm thẩm định {points:g} khác điểm đơn vị {unit} tự chấm "
                    f"({claimed:g}) ở tiêu chí {leaf.id}; phải ghi lý do điều chỉnh")
    return None


def claimed_year(raw: RawParFile) -> str | None:
    """The year a file names, when it can be read (even when the file is rejected)."""
    text = clean_text(raw.info.get(LABEL_YEAR, (None, None))[0])
    return text if text is not None and text.isdigit() and len(text) == 4 else None
