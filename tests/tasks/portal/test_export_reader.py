"""Reading the portals' one-stop statistics exports (tasks/portal/export_reader.py)."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import openpyxl
import pytest

from config.registry import Agency, Registry, load_unit_kinds
from config.settings import REGISTRY_DIR
from tasks.model.periods import Period, month_period
from tasks.model.portal import PortalExport, PortalUnitStats
from tasks.model.problems import Problem, RejectedInput
from tasks.portal.export_reader import read_portal_export
from tasks.sheets.workbook_limits import MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS
from tests import paths

SHEET = "Thống kê"
RECEIVED = "Số hồ sơ nhận giải quyết"
RESOLVED = "Kết quả giải quyết / Số hồ sơ đã giải quyết"
PENDING = "Kết quả giải quyết / Số hồ sơ đang giải quyết"


@pytest.fixture
def registry() -> Registry:
    return Registry(
        agencies=(
            Agency(code="STP", name="Sở Tư pháp", kind="so-ban-nganh"),
            Agency(
                code="UBND-LX",
                name="UBND thành phố Long Xuyên",
                kind="ubnd-huyen",
                aliases=("Long Xuyên",),
            ),
            Agency(code="SYT", name="Sở Y tế", kind="so-ban-nganh"),
        ),
        tasks=(),
        indicators=(),
        metrics=(),
        targets=(),
        kinds=load_unit_kinds(REGISTRY_DIR),
    )


# --- variant A --------------------------------------------------------------------------------
# 14 numbers per row: received total, online, in person, BCCI, carried over; resolved total,
# on time, late; in progress total, not yet due, overdue; waiting, returned, satisfaction.
STP_A: list[object] = ["1.234", 1000, 200, 10, 24, 1100, 1090, 10, 134, 130, 4, 3, 1, "98,5%"]
LX_A: list[object] = [100, 50, 30, 0, 20, 80, 75, 5, 20, 18, 2, 0, 0, 0.95]
TOTAL_A: list[object] = [1334, 1050, 230, 10, 44, 1180, 1165, 15, 154, 148, 6, 3, 1, None]
HEADER_ROWS_A = 3
FIRST_DATA_ROW_A = 4 + HEADER_ROWS_A  # title, period, blank line, then the header at row 4


def write_variant_a(
    path: Path,
    units: list[tuple[str, str, list[object]]],
    *,
    with_code: bool = False,
    title: str | None = "Kỳ báo cáo: 03/2025",
    total: list[object] | None = TOTAL_A,
) -> Path:
    """An export as the portal writes it: merged header cells, line breaks, double spaces."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws["A1"] = "BIỂU THỐNG KÊ TÌNH HÌNH GIẢI QUYẾT TTHC"
    if title:
        ws["A2"] = title
    o = 4 if with_code else 3  # first numeric column (1-based)

    def put(row: int, col: int, text: str, *, right: int = 0, down: int = 0) -> None:
        ws.cell(row=row, column=col, value=text)
        if right or down:
            ws.merge_cells(start_row=row, start_column=col, end_row=row + down,
                           end_column=col + right)

    put(4, 1, "STT", down=2)
    put(4, 2, "Tên\nđơn vị", down=2)
    if with_code:
        put(4, 3, "Mã  đơn vị", down=2)
    put(4, o, "Số hồ sơ nhận  giải quyết", right=4)
    put(4, o + 5, "Kết quả\ngiải quyết", right=5)
    put(4, o + 11, "Chờ bổ sung\n(lũy kế cả kì trước)", down=2)
    put(4, o + 12, "Trả lại/Rút HS", down=2)
    put(4, o + 13, "Tỷ lệ hài lòng", down=2)
    put(5, o, "Tổng số", down=1)
    put(5, o + 1, "Trong đó", right=3)
    put(5, o + 5, "Số hồ sơ\nđã giải quyết", right=2)
    put(5, o + 8, "Số hồ sơ  đang giải quyết", right=2)
    leaves = [
        "Số mới tiếp nhận\ntrực tuyến", "Số mới tiếp nhận trực tiếp", "Số mới tiếp nhận qua BCCI",
        "Số kỳ trước\nchuyển qua", "Tổng số", "Trả đúng\nthời hạn", "Trả quá hạn", "Tổng số",
        "Chưa đến hạn", "Quá hạn",
    ]
    for i, text in enumerate(leaves):
        put(6, o + 1 + i, text)
    rows = [
        [n, name, *([code] if with_code else []), *values]
        for n, (name, code, values) in enumerate(units, start=1)
    ]
    rows.insert(1, [])  # a blank line between units is skipped
    if total is not None:
        rows.append([None, "Tổng cộng", *([None] if with_code else []), *total])
    for r, values in enumerate(rows, start=FIRST_DATA_ROW_A):
        for c, value in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=value)
    ws.cell(row=FIRST_DATA_ROW_A + len(rows) + 1, column=2, value="Người lập biểu")
    wb.save(path)
    return path


def expected_a(
    stp_row: int = FIRST_DATA_ROW_A, lx_row: int = FIRST_DATA_ROW_A + 2
) -> tuple[PortalUnitStats, ...]:
    return (
        PortalUnitStats(
            unit="STP", source_row=stp_row, carried_over=24, received_online=1000,
            received_in_person=200, received_post=10, resolved_total=1100,
            resolved_on_time=1090, resolved_late=10, in_progress_total=134,
            in_progress_overdue=4,
        ),
        PortalUnitStats(
            unit="UBND-LX", source_row=lx_row, carried_over=20, received_online=50,
            received_in_person=30, received_post=0, resolved_total=80, resolved_on_time=75,
            resolved_late=5, in_progress_total=20, in_progress_overdue=2,
        ),
    )


UNITS_A = [("Sở Tư pháp", "STP", STP_A), ("Long Xuyên", "UBND-LX", LX_A)]


Location = tuple[int | None, str | None]


def read(path: Path, registry: Registry, **kwargs: Period) -> PortalExport:
    """The export read from ``path``, which must have no problem."""
    checked = read_portal_export(path, registry, **kwargs)
    assert checked.value is not None, checked.problems
    return checked.value


def refused(path: Path, registry: Registry, **kwargs: Period) -> tuple[Problem, ...]:
    """Every problem of a refused export: returned when the file could be read, raised
    when it could not be read at all (as the intake sees both)."""
    try:
        checked = read_portal_export(path, registry, **kwargs)
    except RejectedInput as unreadable:
        return tuple(unreadable.problems)
    assert checked.value is None and checked.problems
    return checked.problems


def rejected(path: Path, registry: Registry, **kwargs: Period) -> list[Location]:
    """The (row, column) of each problem found, after checking every problem has a message."""
    problems = refused(path, registry, **kwargs)
    for problem in problems:
        assert problem.message  # every problem says what is wrong
    return [(p.row, p.column) for p in problems]


def test_variant_a_reads_every_value_with_period_from_title(
    tmp_path: Path, registry: Registry
) -> None:
    path = write_variant_a(tmp_path / "bieu-thong-ke.xlsx", UNITS_A)
    export = read(path, registry)
    assert export == PortalExport(period=month_period(2025, 3), variant="A", units=expected_a())


def test_variant_a_with_code_column_and_period_from_file_name(
    tmp_path: Path, registry: Registry
) -> None:
    units = [("Sở Tư pháp tỉnh An Giang", "STP", STP_A), ("TP. Long Xuyên", "UBND-LX", LX_A)]
    path = write_variant_a(tmp_path / "thong-ke-2025-03.xlsx", units, with_code=True, title=None)
    export = read(path, registry)
    assert export == PortalExport(period=month_period(2025, 3), variant="A", units=expected_a())


def test_variant_a_from_csv(tmp_path: Path, registry: Registry) -> None:
    """A CSV export: merged cells come out as empty cells, ';' separates the columns."""
    blank = [""] * 14
    header = [
        ["STT", "Tên\nđơn vị", "Mã đơn vị", "Số hồ sơ nhận giải quyết", "", "", "", "",
         "Kết quả giải quyết", "", "", "", "", "", "Chờ bổ sung", "Trả lại/Rút HS",
         "Tỷ lệ hài lòng"],
        ["", "", "", "Tổng số", "Trong đó", "", "", "", "Số hồ sơ đã giải quyết", "", "",
         "Số hồ sơ đang giải quyết", "", "", "", "", ""],
        ["", "", "", "", "Số mới tiếp nhận trực tuyến", "Số mới tiếp nhận trực tiếp",
         "Số mới tiếp nhận qua BCCI", "Số kỳ trước chuyển qua", "Tổng số",
         "Trả đúng thời hạn", "Trả quá hạn", "Tổng số", "Chưa đến hạn", "Quá hạn", "", "", ""],
        ["(1)", "(2)", "(3)", *[f"({n})" for n in range(4, 18)]],
    ]
    rows = [
        ["Kỳ báo cáo: 03/2025", *blank],
        *header,
        ["1", "Sở Tư pháp", "STP", *(str(v) for v in STP_A)],
        ["2", "UBND thành phố Long Xuyên", "", *(str(v) for v in LX_A)],
        ["", "Tổng cộng", "", *("" if v is None else str(v) for v in TOTAL_A)],
    ]
    path = tmp_path / "thong_ke_03-2025.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    export = read(path, registry)
    assert export == PortalExport(
        period=month_period(2025, 3), variant="A", units=expected_a(stp_row=6, lx_row=7)
    )


# --- variant B --------------------------------------------------------------------------------


def write_variant_b(path: Path, body: list[list[object]], *, title: str | None = None) -> Path:
    """Variant B: a group row "Số hồ sơ" merged over the six counts, units grouped by level."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws["A1"] = "THỐNG KÊ HỒ SƠ THEO CẤP"
    if title:
        ws["A2"] = title
    ws["A3"], ws["B3"], ws["C3"] = "STT", "Đơn  vị", "Số hồ sơ"
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    ws.merge_cells("C3:H3")
    for col, text in enumerate(
        ["Tổng", "Đã\nxử lý", "Chưa xử lý", "Trước hạn", "Đúng  hạn", "Trễ hạn"], start=3
    ):
        ws.cell(row=4, column=col, value=text)
    for r, values in enumerate(body, start=5):
        for c, value in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=value)
    wb.save(path)
    return path


B_BODY: list[list[object]] = [
    ["I", "Cấp tỉnh", 500, 450, 50, 100, 340, 10],  # a level heading with its subtotal
    [1, "Sở Tư pháp", 500, 450, 50, 100, 340, 10],
    ["II", "Cấp huyện"],  # a level heading without numbers
    [2, "UBND thành phố Long Xuyên", "1.300", "1.280", 20, 80, "1.190", 10],
    [None, "Tổng cộng", "1.800", "1.730", 70, 180, "1.530", 20],
]


def test_variant_b_reads_every_value_with_period_from_file_name(
    tmp_path: Path, registry: Registry
) -> None:
    path = write_variant_b(tmp_path / "thong_ke_theo_cap_03-2025.xlsx", B_BODY)
    export = read(path, registry)
    assert export == PortalExport(
        period=month_period(2025, 3),
        variant="B",
        units=(
            PortalUnitStats(
                unit="STP", source_row=6, carried_over=None, received_online=None,
                received_in_person=None, received_post=None, resolved_total=450,
                resolved_on_time=440, resolved_late=10, in_progress_total=50,
                in_progress_overdue=None,
            ),
            PortalUnitStats(
                unit="UBND-LX", source_row=8, carried_over=None, received_online=None,
                received_in_person=None, received_post=None, resolved_total=1280,
                resolved_on_time=1270, resolved_late=10, in_progress_total=20,
                in_progress_overdue=None,
            ),
        ),
    )


def test_variant_b_sums_and_subtotals_are_checked(tmp_path: Path, registry: Registry) -> None:
    body = [list(r) for r in B_BODY]
    body[0][2] = 501  # subtotal of "Cấp tỉnh" ≠ its one unit
    body[3][3] = "1.281"  # Đã xử lý ≠ Trước hạn + Đúng hạn + Trễ hạn, and Tổng ≠ Đã + Chưa
    path = write_variant_b(tmp_path / "thong-ke-2025-03.xlsx", body)
    assert rejected(path, registry) == [
        (5, "Số hồ sơ / Tổng"),
        (8, "Số hồ sơ / Tổng"),
        (8, "Số hồ sơ / Đã xử lý"),
        (9, "Số hồ sơ / Đã xử lý"),
    ]


# --- period -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "period"),
    [
        ("Kỳ báo cáo: 03/2025", month_period(2025, 3)),
        ("BÁO CÁO THÁNG 3 NĂM 2025", month_period(2025, 3)),
        ("(Từ ngày 15/02/2025 đến ngày 14/03/2025)", month_period(2025, 3)),
        ("Từ ngày 01/03/2025 đến ngày 31/03/2025", month_period(2025, 3)),
        ("Từ ngày 15/12/2024 đến ngày 14/03/2025", Period(2025, 1, 3, "quarter")),
        ("Kỳ báo cáo: Quý I năm 2025", Period(2025, 1, 3, "quarter")),
        ("Kỳ báo cáo: Tháng 03 năm 2025 - Đơn vị tính: hồ sơ", month_period(2025, 3)),
    ],
)
def test_period_from_title_row(
    tmp_path: Path, registry: Registry, title: str, period: Period
) -> None:
    path = write_variant_a(tmp_path / "bieu.xlsx", UNITS_A, title=title)
    assert read(path, registry).period == period


def test_explicit_period_wins_over_file_name(tmp_path: Path, registry: Registry) -> None:
    path = write_variant_a(tmp_path / "thong-ke-2025-02.xlsx", UNITS_A, title=None)
    assert read(path, registry).period == month_period(2025, 2)
    export = read(path, registry, period=month_period(2025, 4))
    assert export.period == month_period(2025, 4)


def test_title_contradicting_the_file_name_is_a_problem(
    tmp_path: Path, registry: Registry
) -> None:
    path = write_variant_a(tmp_path / "thong-ke-2025-02.xlsx", UNITS_A)  # title says 03/2025
    assert rejected(path, registry) == [(2, None)]


def test_no_period_anywhere_is_a_problem(tmp_path: Path, registry: Registry) -> None:
    path = write_variant_a(tmp_path / "bieu.xlsx", UNITS_A, title=None)
    assert rejected(path, registry) == [(None, None)]


# --- problems ---------------------------------------------------------------------------------


def test_parts_that_do_not_add_up(tmp_path: Path, registry: Registry) -> None:
    stp = list(STP_A)
    stp[1] = 990  # online: received total 1234 ≠ 990 + 200 + 10 + 24
    lx = list(LX_A)
    lx[9] = 17  # not yet due: in progress 20 ≠ 17 + 2
    units = [("Sở Tư pháp", "STP", stp), ("Long Xuyên", "UBND-LX", lx)]
    path = write_variant_a(tmp_path / "thong-ke-2025-03.xlsx", units)
    total_row = FIRST_DATA_ROW_A + 3
    assert rejected(path, registry) == [
        (FIRST_DATA_ROW_A, f"{RECEIVED} / Tổng số"),
        (FIRST_DATA_ROW_A + 2, f"{PENDING} / Tổng số"),
        (total_row, f"{RECEIVED} / Trong đó / Số mới tiếp nhận trực tuyến"),
        (total_row, f"{PENDING} / Chưa đến hạn"),
    ]


def test_wrong_total_row(tmp_path: Path, registry: Registry) -> None:
    total = list(TOTAL_A)
    total[10] = 7  # overdue in progress: 4 + 2 = 6
    total[12] = 9  # returned/withdrawn is not read, so not checked
    path = write_variant_a(tmp_path / "thong-ke-2025-03.xlsx", UNITS_A, total=total)
    problems = refused(path, registry)
    [problem] = problems
    assert (problem.sheet, problem.row, problem.column) == (
        SHEET, FIRST_DATA_ROW_A + 3, f"{PENDING} / Quá hạn"
    )
    assert "7" in problem.message and "6" in problem.message


def test_unknown_and_repeated_units(tmp_path: Path, registry: Registry) -> None:
    units = [
        ("Sở Tư pháp", "STP", STP_A),
        ("UBND huyện Chợ Mới", "", LX_A),
        ("SỞ TƯ PHÁP", "", STP_A),
    ]
    path = write_variant_a(tmp_path / "thong-ke-2025-03.xlsx", units, total=None)
    assert rejected(path, registry) == [
        (FIRST_DATA_ROW_A + 2, "Tên đơn vị"),
        (FIRST_DATA_ROW_A + 3, "Tên đơn vị"),
    ]


def test_unknown_code(tmp_path: Path, registry: Registry) -> None:
    units = [("Sở Tư pháp", "STP", STP_A), ("Long Xuyên", "LX-000", LX_A)]
    path = write_variant_a(tmp_path / "thong-ke-2025-03.xlsx", units, with_code=True)
    assert rejected(path, registry) == [(FIRST_DATA_ROW_A + 2, "Mã đơn vị")]


def test_cells_that_are_not_counts(tmp_path: Path, registry: Registry) -> None:
    stp = list(STP_A)
    stp[2] = -200  # negative
    stp[3] = "mười"  # not a number
    lx = list(LX_A)
    lx[6] = 4.5  # not an integer
    lx[7] = None  # blank
    units = [("Sở Tư pháp", "STP", stp), ("Long Xuyên", "UBND-LX", lx)]
    path = write_variant_a(tmp_path / "thong-ke-2025-03.xlsx", units, total=None)
    assert rejected(path, registry) == [
        (FIRST_DATA_ROW_A, f"{RECEIVED} / Trong đó / Số mới tiếp nhận trực tiếp"),
        (FIRST_DATA_ROW_A, f"{RECEIVED} / Trong đó / Số mới tiếp nhận qua BCCI"),
        (FIRST_DATA_ROW_A + 2, f"{RESOLVED} / Trả đúng thời hạn"),
        (FIRST_DATA_ROW_A + 2, f"{RESOLVED} / Trả quá hạn"),
    ]


def test_unrecognised_layout_is_one_problem(tmp_path: Path, registry: Registry) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Kỳ báo cáo: 03/2025"])
    ws.append(["STT", "Tên đơn vị", "Tiếp nhận", "Đã giải quyết", "Tỷ lệ"])
    ws.append([1, "Sở Tư pháp", 10, 8, "80%"])
    path = tmp_path / "khac.xlsx"
    wb.save(path)
    problems = refused(path, registry)
    [problem] = problems
    assert (problem.sheet, problem.row, problem.column) == ("Sheet", None, None)
    # neither layout fits: what each one lacks is named
    assert "Số hồ sơ nhận giải quyết / Tổng số" in problem.message
    assert "Kết quả giải quyết / Số hồ sơ đang giải quyết / Quá hạn" in problem.message
    assert "«Đã xử lý»" in problem.message and "«Trễ hạn»" in problem.message


def test_layout_missing_one_column_names_that_column(tmp_path: Path, registry: Registry) -> None:
    path = write_variant_a(tmp_path / "thong-ke-2025-03.xlsx", UNITS_A)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    ws.cell(row=6, column=6, value="Số mới tiếp nhận qua bưu điện")  # not the BCCI wording
    wb.save(path)
    problems = refused(path, registry)
    [problem] = problems
    assert f"«{RECEIVED} / Trong đó / Số mới tiếp nhận qua BCCI»" in problem.message
    assert "Tổng số»" not in problem.message and "mẫu B" not in problem.message


def test_code_and_name_of_different_units(tmp_path: Path, registry: Registry) -> None:
    units = [("Sở Tư pháp", "STP", STP_A), ("Sở Y tế", "UBND-LX", LX_A)]
    path = write_variant_a(tmp_path / "thong-ke-2025-03.xlsx", units, with_code=True)
    assert rejected(path, registry) == [(FIRST_DATA_ROW_A + 2, "Tên đơn vị")]


def test_unit_row_without_numbers(tmp_path: Path, registry: Registry) -> None:
    units = [("Sở Tư pháp", "STP", STP_A), ("Long Xuyên", "UBND-LX", LX_A), ("Sở Y tế", "", [])]
    path = write_variant_a(tmp_path / "thong-ke-2025-03.xlsx", units)
    assert rejected(path, registry) == [(FIRST_DATA_ROW_A + 3, "Tên đơn vị")]


def test_other_file_types_are_refused(tmp_path: Path, registry: Registry) -> None:
    path = tmp_path / "thong-ke-2025-03.xls"
    path.write_bytes(b"")
    assert rejected(path, registry) == [(None, None)]
    broken = tmp_path / "thong-ke-2025-03.xlsx"
    broken.write_bytes(b"not a workbook")
    assert rejected(broken, registry) == [(None, None)]


# --- edges: files from outside are read within limits -------------------------------------

NOT_XLSX = "Tệp không phải là tệp Excel .xlsx hợp lệ; hãy lưu lại bằng Excel dưới dạng .xlsx"
FIXTURES = paths.FIXTURES / "csv"


def test_far_formatted_empty_cell_is_not_data(tmp_path: Path, registry: Registry) -> None:
    path = write_variant_a(tmp_path / "bieu-thong-ke.xlsx", UNITS_A)
    wb = openpyxl.load_workbook(path)
    wb[SHEET]["XFD1048576"].number_format = "0%"
    wb.save(path)
    export = read(path, registry)
    assert export == PortalExport(period=month_period(2025, 3), variant="A", units=expected_a())


@pytest.mark.parametrize("ref", ["A5001", "BI1", "XFD1048576"])
def test_value_outside_the_limits_is_one_problem(
    tmp_path: Path, registry: Registry, ref: str
) -> None:
    path = write_variant_a(tmp_path / "bieu-thong-ke.xlsx", UNITS_A)
    wb = openpyxl.load_workbook(path)
    wb[SHEET][ref] = "ghi chú"
    wb.save(path)
    problems = refused(path, registry)
    [problem] = problems
    assert problem.message.startswith(f"Trang «{SHEET}» có dữ liệu ở ô {ref}")
    assert "5.000 dòng và 60 cột" in problem.message


def test_zip_bomb_is_refused_before_it_is_opened(tmp_path: Path, registry: Registry) -> None:
    import zipfile

    path = write_variant_a(tmp_path / "bieu-thong-ke.xlsx", UNITS_A)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", bytes(8 * 1024 * 1024))
    problems = refused(path, registry)
    [problem] = problems
    assert "nén bất thường" in problem.message


def test_text_file_named_xlsx_gets_a_sentence_not_an_exception(
    tmp_path: Path, registry: Registry
) -> None:
    path = tmp_path / "thong-ke-2025-03.xlsx"
    path.write_text("Biểu thống kê", encoding="utf-8")
    problems = refused(path, registry)
    assert [p.message for p in problems] == [NOT_XLSX]


def test_csv_separator_from_the_header_lines(registry: Registry) -> None:
    """';' separated, with a note line that is wider than the table when split on ','."""
    export = read(FIXTURES / "portal-semicolon-commas.csv", registry)
    assert export == PortalExport(
        period=month_period(2025, 3),
        variant="B",
        units=(
            PortalUnitStats(
                unit="STP", source_row=5, carried_over=None, received_online=None,
                received_in_person=None, received_post=None, resolved_total=100,
                resolved_on_time=90, resolved_late=10, in_progress_total=20,
                in_progress_overdue=None,
            ),
            PortalUnitStats(
                unit="UBND-LX", source_row=6, carried_over=None, received_online=None,
                received_in_person=None, received_post=None, resolved_total=40,
                resolved_on_time=35, resolved_late=5, in_progress_total=10,
                in_progress_overdue=None,
            ),
        ),
    )


# --- CSV exports within the workbook's limits (as agency CSV files) ---------------------------
# A portal export written by hand, as the portal's CSV download looks: title lines, the
# two header rows of variant B, the units, the total, then the portal's closing note.
CSV_TABLE = (
    "THỐNG KÊ HỒ SƠ THEO CẤP\n"
    "Kỳ báo cáo: 03/2025\n"
    "STT;Đơn vị;Số hồ sơ;;;;;\n"
    ";;Tổng;Đã xử lý;Chưa xử lý;Trước hạn;Đúng hạn;Trễ hạn\n"
    "1;Sở Tư pháp;120;100;20;30;60;10\n"
    "2;UBND thành phố Long Xuyên;50;40;10;10;25;5\n"
    ";Tổng cộng;170;140;30;40;85;15\n"
)
CSV_TABLE_LINES = CSV_TABLE.count("\n")
LIMIT_WORDS = "tối đa 5.000 dòng và 60 cột"  # as every refusal past a limit says them


def _export_csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "thong-ke-2025-03.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _one_refusal(path: Path, registry: Registry) -> str:
    with pytest.raises(RejectedInput) as caught:
        read_portal_export(path, registry)
    [problem] = caught.value.problems
    assert problem.message[:1].isupper(), problem  # a sentence, as every receipt line
    return problem.message


def _note_on_line(number: int, note: str = "Người lập biểu: Nguyễn Văn A") -> str:
    """Blank lines after the table, then the portal's note on line ``number`` of the file."""
    return ";;;;;;;\n" * (number - CSV_TABLE_LINES - 1) + note + "\n"


def test_a_csv_export_ending_on_the_last_row_is_read(tmp_path: Path,
                                                     registry: Registry) -> None:
    path = _export_csv(tmp_path, CSV_TABLE + _note_on_line(MAX_ROWS))
    assert [u.unit for u in read(path, registry).units] == ["STP", "UBND-LX"]


def test_a_csv_export_with_more_rows_than_a_sheet_is_refused_at_the_limit(
        tmp_path: Path, registry: Registry) -> None:
    # 5,001 unit lines: a sheet holds 5,000 rows. A quote left open at the very end would
    # make the whole file unreadable: the refusal names the limit, so reading stopped there.
    units = "1;Sở Tư pháp;120;100;20;30;60;10\n" * (MAX_ROWS + 1)
    path = _export_csv(tmp_path, CSV_TABLE[:CSV_TABLE.index("1;Sở")] + units
                       + 'x;"never closed\n')
    message = _one_refusal(path, registry)
    assert LIMIT_WORDS in message and f"dòng {MAX_ROWS + 1:,}".replace(",", ".") in message, \
        message
    assert "CSV" in message and "dấu nháy" not in message, message
    # a blank line past the limit costs nothing (Excel writes some), a note there is refused
    path = _export_csv(tmp_path, CSV_TABLE + _note_on_line(MAX_ROWS + 1, ";;;;;;;"))
    assert [u.unit for u in read(path, registry).units] == ["STP", "UBND-LX"]
    path = _export_csv(tmp_path, CSV_TABLE + _note_on_line(MAX_ROWS + 1))
    assert LIMIT_WORDS in _one_refusal(path, registry)


def test_a_csv_export_with_a_value_past_the_last_column_is_refused(
        tmp_path: Path, registry: Registry) -> None:
    in_last = "Ghi chú" + ";" * (MAX_COLUMNS - 1) + "x"  # a value in column 60
    path = _export_csv(tmp_path, CSV_TABLE + in_last + "\n")
    assert [u.unit for u in read(path, registry).units] == ["STP", "UBND-LX"]
    path = _export_csv(tmp_path, CSV_TABLE + "Ghi chú;" + in_last + "\n")  # column 61
    message = _one_refusal(path, registry)
    assert "cột thứ 61" in message and LIMIT_WORDS in message, message
    # separators padding a line beyond the last column cost nothing
    path = _export_csv(tmp_path, CSV_TABLE + "Ghi chú" + ";" * 200 + "\n")
    assert [u.unit for u in read(path, registry).units] == ["STP", "UBND-LX"]


def test_a_csv_export_too_large_on_disk_is_refused_without_being_read(
        tmp_path: Path, registry: Registry) -> None:
    # within the rows and columns (4,000 notes of 5,500 characters), but 22 MB
    notes = (";Ghi chú: " + "hồ sơ liên thông, " * 300 + "\n") * 4_000
    path = _export_csv(tmp_path, CSV_TABLE + notes)
    assert path.stat().st_size > MAX_FILE_BYTES
    started = time.monotonic()
    message = _one_refusal(path, registry)
    assert time.monotonic() - started < 5, "the size alone decides"
    assert "quá lớn" in message and "20 MB" in message and LIMIT_WORDS in message, message


def test_an_xlsx_export_too_large_on_disk_is_refused(tmp_path: Path,
                                                     registry: Registry) -> None:
    path = write_variant_a(tmp_path / "bieu-thong-ke.xlsx", UNITS_A)
    with path.open("ab") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # the size alone decides: never opened
    [problem] = refused(path, registry)
    assert "quá lớn" in problem.message and "20 MB" in problem.message, problem


# --- names of their time ----------------------------------------------------------------------
CHAU_THANH = [("Sở Tư pháp", "STP", STP_A), ("Châu Thành", "", LX_A)]


@pytest.fixture
def chau_thanh_registry() -> Registry:
    """The district closed on 30/6/2025 and the commune opened on 1/7/2025, both known in
    exports by the bare name «Châu Thành» (written by hand, not from the YAML)."""
    from datetime import date

    from config.crosswalk import Crosswalk, UnitChange

    return Registry(
        agencies=(
            Agency(code="STP", name="Sở Tư pháp", kind="so-ban-nganh"),
            Agency(code="UBND-CT", name="UBND huyện Châu Thành", kind="ubnd-huyen",
                   valid_to=date(2025, 6, 30), aliases=("Châu Thành",)),
            Agency(code="X30880", name="Xã Châu Thành", kind="ubnd-xa",
                   valid_from=date(2025, 7, 1), aliases=("Châu Thành",)),
        ),
        tasks=(), indicators=(), metrics=(), targets=(),
        kinds=load_unit_kinds(REGISTRY_DIR),
        crosswalk=Crosswalk(changes=(UnitChange.model_validate(
            {"from": "UBND-CT", "effective": date(2025, 7, 1), "to": {"X30880": 1}}),)),
    )


@pytest.mark.parametrize(("label", "title", "unit"), [
    ("2025-05", "Kỳ báo cáo: 05/2025", "UBND-CT"),
    ("2026-10", "Kỳ báo cáo: 10/2026", "X30880"),
])
def test_a_name_means_the_unit_of_the_exports_period(
    tmp_path: Path, chau_thanh_registry: Registry, label: str, title: str, unit: str
) -> None:
    path = write_variant_a(tmp_path / f"thong-ke-{label}.xlsx", CHAU_THANH, title=title)
    export = read(path, chau_thanh_registry)
    assert [u.unit for u in export.units] == ["STP", unit]
