"""The Word report: Nghị định 30/2020 layout, content in Vietnamese, wiring, PDF export.

The content below is written by hand (not by the code under test); ``sample_content`` is
also used by tests/tasks/report/test_charts.py and tests/tasks/report/test_html.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Mm, Pt

from config.settings import load_settings
from connectors.database import Database
from tasks.model.report import (
    PROVINCE,
    STATUS_MET,
    STATUS_NOT_MET,
    IndicatorValue,
    MissingUnitRow,
    RejectedFileRow,
    ReportContent,
    TaskProgressRow,
)
from tasks.report import vietnamese as vi
from tasks.report.documents import write_documents
from tasks.report.letterhead import Letterhead, letterhead_from
from tasks.report.publish import publish_version
from tasks.report.view import build_view
from tasks.report.word import column_widths, write_word
from tests import scenario
from tests.paths import REPO
from tests.tasks.indicators.test_compute import built_report

HOSTILE_UNIT = '<script>alert("x")</script> & Co'
HOSTILE_TASK = "Rà soát <img src=http://evil.example/x.png> {{ v.signer_name }} & báo cáo"


def sample_content(units: int = 6) -> ReportContent:
    """A month with portal figures, tasks in three areas, missing units and a rejection."""
    names = {
        "online_filing_rate": "Tỷ lệ hồ sơ tiếp nhận trực tuyến",
        "on_time_rate": "Tỷ lệ hồ sơ giải quyết đúng hạn",
        "overdue_in_progress": "Số hồ sơ đang giải quyết quá hạn",
        "task_completion_rate": "Tỷ lệ hoàn thành nhiệm vụ đến hạn",
        "submission_rate": "Tỷ lệ đơn vị nộp báo cáo",
        "submission_on_time_rate": "Tỷ lệ đơn vị nộp báo cáo đúng hạn",
        "idx766_2_1": "Chỉ số 766 - 2.1 Tiến độ giải quyết",
    }
    kinds = {code: "rate" for code in names} | {"overdue_in_progress": "count"}
    unit_names = {"SNV": "Sở Nội vụ", "STC": "Sở Tài chính", "HOSTILE": HOSTILE_UNIT}
    unit_names |= {f"X{i:03d}": f"UBND xã Vĩnh Hòa Hưng Nam số {i}" for i in range(units)}
    indicators = [
        IndicatorValue(PROVINCE, "online_filing_rate", 4321, 10000, 43.21, 80, ">=",
                       STATUS_NOT_MET),
        IndicatorValue(PROVINCE, "on_time_rate", 1900, 2000, 95.0, 95, ">=", STATUS_MET),
        IndicatorValue(PROVINCE, "overdue_in_progress", 1234, None, 1234, 0, "<=",
                       STATUS_NOT_MET),
        IndicatorValue(PROVINCE, "task_completion_rate", 1, 3, 33.33, 100, ">=",
                       STATUS_NOT_MET),
        IndicatorValue(PROVINCE, "submission_rate", 7, 9, 77.78, 100, ">=", STATUS_NOT_MET),
        IndicatorValue(PROVINCE, "submission_on_time_rate", 6, 9, 66.67, 100, ">=",
                       STATUS_NOT_MET),
        IndicatorValue(PROVINCE, "idx766_2_1", None, None, 88.5),
        IndicatorValue("SNV", "idx766_2_1", None, None, 91.25),
        IndicatorValue("STC", "idx766_2_1", None, None, 72.0),
        IndicatorValue("HOSTILE", "online_filing_rate", 10, 100, 10.0, 80, ">=", STATUS_NOT_MET),
    ]
    for i in range(units):
        online = float((i * 37) % 101)
        on_time = float(60 + (i * 13) % 41)
        indicators += [
            IndicatorValue(f"X{i:03d}", "online_filing_rate", online, 100, online, 80, ">=",
                           STATUS_MET if online >= 80 else STATUS_NOT_MET),
            IndicatorValue(f"X{i:03d}", "on_time_rate", on_time, 100, on_time, 95, ">=",
                           STATUS_MET if on_time >= 95 else STATUS_NOT_MET),
        ]

    def task(task_id: str, area: str, text: str, unit: str, status: str | None,
             overdue: bool) -> TaskProgressRow:
        return TaskProgressRow(task_id, area, text, unit, unit_names[unit],
                               date(2025, 3, 1) if overdue else None, status,
                               100.0 if status == "Hoàn thành" else 40.0, None, overdue)

    tasks = [
        task("III.1.b", "chỉ đạo điều hành", "Cụ thể hóa chỉ đạo của Thủ tướng", "SNV",
             "Hoàn thành", False),
        task("IV.2.1", "thể chế", "Rà soát văn bản quy phạm pháp luật", "STC",
             "Đang thực hiện", True),
        task("IV.5.3", "chính quyền điện tử/số", HOSTILE_TASK, "HOSTILE", None, True),
    ]
    return ReportContent(
        period="2025-03", period_label_vi="tháng 03/2025", version=2,
        generated_at=datetime(2025, 4, 16, 1, 30, tzinfo=UTC),
        window=(date(2025, 2, 15), date(2025, 3, 14)),
        indicators=indicators, indicator_names=names, indicator_kinds=kinds,
        unit_names=unit_names, tasks=tasks,
        missing=[MissingUnitRow("STC", "Sở Tài chính", "chưa nộp"),
                 MissingUnitRow("SNV", "Sở Nội vụ", "nộp muộn",
                                datetime(2025, 3, 20, 2, 0, tzinfo=UTC))],
        rejected=[RejectedFileRow("HOSTILE", "bao_cao<1>.xlsx", datetime(2025, 3, 18, 9, 15),
                                  "Dòng 5: «abc» không phải là số\nDòng 7: thiếu Mã nhiệm vụ")],
    )


PREVIOUS = [IndicatorValue(PROVINCE, "online_filing_rate", 40, 100, 40.0),
            IndicatorValue(PROVINCE, "on_time_rate", 97, 100, 97.5)]


@pytest.fixture(scope="module")
def docx_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("word")
    head = Letterhead(signer_capacity="KT. GIÁM ĐỐC", signer_title="PHÓ GIÁM ĐỐC",
                      signer_name="Nguyễn Văn An")
    write_documents(sample_content(), folder, letterhead=head, previous=PREVIOUS)
    return folder / "bao-cao-cchc-2025-03.docx"


def _texts(path: Path) -> list[str]:
    document = Document(str(path))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return texts


# ------------------------------------------------------------------ Vietnamese wording


@pytest.mark.parametrize(("op", "expected"), [
    (">=", "≥"), ("<=", "≤"), (" > ", ">"), ("==", "="), (None, ""), ("~", "~"),
])
def test_target_comparisons_the_report_way(op: str | None, expected: str) -> None:
    assert vi.comparison(op) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (1234, "1.234"), (1234.5, "1.234,5"), (1234567.891, "1.234.567,89"), (0.125, "0,13"),
    (-1234.5, "-1.234,5"), (-0.001, "0"), (80.0, "80"), (None, "không có số liệu"),
    (float("nan"), "không có số liệu"),
])
def test_numbers_the_vietnamese_way(value: float | None, expected: str) -> None:
    assert vi.number(value) == expected


def test_percent_rounds_half_up_with_a_space_before_the_sign() -> None:
    assert vi.percent(43.214) == "43,21 %"
    assert vi.percent(43.215) == "43,22 %"  # binary 43.215 is below; half up on the decimal
    assert vi.percent(100) == "100 %"
    assert vi.percent(None) == "không có số liệu"


def test_dates_with_the_leading_zeros_of_decree_30() -> None:
    assert vi.long_date(date(2025, 4, 16)) == "ngày 16 tháng 4 năm 2025"
    assert vi.long_date(date(2025, 2, 5)) == "ngày 05 tháng 02 năm 2025"
    assert vi.long_date(date(2025, 12, 1)) == "ngày 01 tháng 12 năm 2025"
    assert vi.place_and_date("An Giang", date(2025, 4, 16)) == (
        "An Giang, ngày 16 tháng 4 năm 2025")


@pytest.mark.parametrize(("period", "expected"), [
    ("2025-03", "tháng 3/2025"), ("2025-12", "tháng 12/2025"), ("2025-Q1", "quý I/2025"),
    ("2025-Q4", "quý IV/2025"), ("2025-H1", "6 tháng đầu năm 2025"),
    ("2025-9M", "9 tháng đầu năm 2025"), ("2025", "năm 2025"),
])
def test_period_phrases(period: str, expected: str) -> None:
    assert vi.period_phrase(period) == expected


def test_changes_in_points_and_counts() -> None:
    assert vi.change_in_points(43.21, 40.0) == "tăng 3,21 điểm %"
    assert vi.change_in_points(95.0, 97.5) == "giảm 2,5 điểm %"
    assert vi.change_in_points(95.0, 95.0) == "không đổi"
    assert vi.change_in_points(95.0, None) is None
    assert vi.change_in_count(1234, 2434) == "giảm 1.200"


# ------------------------------------------------------------------ layout


def test_a4_margins_and_times_new_roman(docx_path: Path) -> None:
    document = Document(str(docx_path))
    section = document.sections[0]

    def mm(length: int | None) -> float:
        assert length is not None
        return length / Mm(1)

    assert round(mm(section.page_width)) == 210 and round(mm(section.page_height)) == 297
    # Word stores margins in twips: allow 0.1 mm
    assert 19.9 <= mm(section.top_margin) <= 25.1
    assert 19.9 <= mm(section.bottom_margin) <= 25.1
    assert 29.9 <= mm(section.left_margin) <= 35.1
    assert 14.9 <= mm(section.right_margin) <= 20.1
    for name in ("Normal", "CCHC Body", "CCHC Heading", "CCHC Title"):
        style = document.styles[name]
        font = style.font
        size = font.size or document.styles["Normal"].font.size
        assert (font.name or document.styles["Normal"].font.name) == "Times New Roman", name
        assert Pt(13) <= size <= Pt(14), name
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    ) == "Times New Roman"


def test_body_is_justified_with_first_line_indent(docx_path: Path) -> None:
    document = Document(str(docx_path))
    body = [p for p in document.paragraphs if p.style.name == "CCHC Body" and p.text]
    assert len(body) >= 8
    fmt = document.styles["CCHC Body"].paragraph_format
    assert fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert Cm(1.0) <= fmt.first_line_indent <= Cm(1.3)


def test_letterhead_motto_title_and_signature(docx_path: Path) -> None:
    document = Document(str(docx_path))
    left, right = document.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs if p.text][:2] == ["UBND TỈNH AN GIANG",
                                                               "SỞ NỘI VỤ"]
    assert left.paragraphs[1].style.font.bold
    number = [p.text for p in left.paragraphs if p.text.startswith("Số:")]
    assert number and number[0].endswith("/BC-SNV")
    right_texts = [p for p in right.paragraphs if p.text]
    assert right_texts[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert right_texts[1].text == "Độc lập - Tự do - Hạnh phúc"
    assert right_texts[2].text == "An Giang, ngày 16 tháng 4 năm 2025"
    assert right_texts[2].style.font.italic
    title = next(p for p in document.paragraphs if p.text == "BÁO CÁO")
    assert title.style.font.bold
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert any(p.text == "Kết quả thực hiện công tác cải cách hành chính tháng 3/2025"
               for p in document.paragraphs)
    left, right = document.tables[-1].rows[0].cells
    assert left.paragraphs[0].text == "Nơi nhận:"
    recipients = [p.text for p in left.paragraphs[1:] if p.text]
    assert recipients[0].startswith("- Bộ Nội vụ") and recipients[0].endswith(";")
    assert recipients[-1] == "- Lưu: VT, CCHC."
    signature = [p.text for p in right.paragraphs if p.text]
    assert signature == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn An"]


def test_page_number_field_in_the_header_from_page_two(docx_path: Path) -> None:
    document = Document(str(docx_path))
    section = document.sections[0]
    assert section.different_first_page_header_footer
    header = section.header._element.xml
    assert "PAGE" in "".join(section.header._element.itertext())
    assert "fldChar" in header or "fldSimple" in header
    assert "PAGE" not in "".join(section.first_page_header._element.itertext())
    assert section.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER


# ------------------------------------------------------------------ content


def test_sections_name_overdue_tasks_missing_units_and_data_issues(docx_path: Path) -> None:
    texts = "\n".join(_texts(docx_path))
    for heading in ("I. KẾT QUẢ CHUNG", "II. TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ THEO LĨNH VỰC",
                    "III. TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC ĐƠN VỊ",
                    "IV. CHỈ SỐ TRÊN CỔNG DỊCH VỤ CÔNG", "V. VẤN ĐỀ VỀ SỐ LIỆU"):
        assert heading in texts
    assert "43,21 %" in texts and "1.234" in texts
    assert "tăng 3,21 điểm %" in texts and "So với kỳ trước" in texts  # previous period
    assert "Rà soát văn bản quy phạm pháp luật" in texts  # overdue task, named
    assert "thuộc 2 đơn vị chủ trì: " in texts and "Sở Tài chính" in texts
    assert "Đơn vị chưa gửi báo cáo (1): Sở Tài chính." in texts
    assert "Đơn vị gửi báo cáo muộn (1): Sở Nội vụ." in texts
    assert "Thể chế" in texts and "Chính quyền điện tử/số" in texts  # areas
    assert "Chỉ số 766 - 2.1 Tiến độ giải quyết" in texts and "88,5 %" in texts
    assert "Sở Tài chính (72 %)" in texts and "Sở Nội vụ (91,25 %)" in texts
    assert "Có 1 tệp báo cáo bị từ chối" in texts
    assert "Dòng 5: «abc» không phải là số; Dòng 7: thiếu Mã nhiệm vụ" in texts


def test_agency_text_is_kept_literally_never_run_as_a_tag(docx_path: Path) -> None:
    texts = "\n".join(_texts(docx_path))
    assert HOSTILE_TASK in texts  # escaped into XML, shown as written
    assert HOSTILE_UNIT in texts
    assert "{%" not in texts and "{{ v." not in texts.replace(HOSTILE_TASK, "")
    assert "Nguyễn Văn An" not in texts.split("Nơi nhận:")[0]  # no template injection


def test_charts_are_embedded(docx_path: Path) -> None:
    document = Document(str(docx_path))
    images = [r for r in document.part.rels.values() if "image" in r.reltype]
    assert len(images) >= 4  # trend, areas, online, on time


def test_no_trend_chart_without_a_previous_period(tmp_path: Path) -> None:
    written = write_documents(sample_content(), tmp_path)
    assert not (tmp_path / "bieu-do-trend.png").exists()
    assert (tmp_path / "bieu-do-tasks_by_area.png") in written
    texts = "\n".join(_texts(tmp_path / "bao-cao-cchc-2025-03.docx"))
    assert "chưa vẽ biểu đồ xu hướng" in texts
    assert "So với kỳ trước" not in texts  # no empty change column


def test_letterhead_comes_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCHC_DOC_ISSUING_BODY", "VĂN PHÒNG UBND TỈNH")
    monkeypatch.setenv("CCHC_DOC_NUMBER_PREFIX", "BC-VP")
    monkeypatch.setenv("CCHC_DOC_RECIPIENTS", '["Bộ Nội vụ", "Lưu: VT"]')
    view = build_view(sample_content(), letterhead_from(load_settings()))
    assert view.issuing_body == "VĂN PHÒNG UBND TỈNH"
    assert view.number_line.endswith("/BC-VP")
    assert view.recipients == ["- Bộ Nội vụ;", "- Lưu: VT."]
    assert view.issuing_parent == "UBND TỈNH AN GIANG"  # a default


def test_column_widths_keep_numbers_whole_and_fill_the_width() -> None:
    rows = [["STT", "Chỉ tiêu", "Kết quả"],
            ["1", "Tỷ lệ hồ sơ tiếp nhận trực tuyến trên Cổng dịch vụ công " * 3, "43,21 %"]]
    widths = column_widths(rows, 9070)
    assert sum(widths) <= 9070 and sum(widths) > 9000
    assert widths[0] >= 3 * 115 + 300  # "STT" on one line
    assert widths[2] >= 7 * 115 + 300  # "43,21 %" on one line
    assert widths[1] > widths[0] + widths[2]


# ------------------------------------------------------------------ wiring and template


def test_template_is_reproducible_by_the_script(tmp_path: Path) -> None:
    template = tmp_path / "mau.docx"
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_word_template.py"),
                    str(template)], check=True, capture_output=True)
    view = build_view(sample_content())
    rebuilt = write_word(view, [], tmp_path / "a.docx", template=template)
    shipped = write_word(view, [], tmp_path / "b.docx")
    assert _texts(rebuilt) == _texts(shipped)


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                    reason="LibreOffice (soffice) or poppler-utils (pdftoppm) not installed")
def test_converts_to_pdf_and_page_one_is_not_blank(docx_path: Path, tmp_path: Path) -> None:
    from PIL import Image

    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx_path)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "bao-cao-cchc-2025-03.pdf"
    assert pdf.exists()
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(tmp_path / "page1")], check=True, timeout=60)
    with Image.open(tmp_path / "page1.png") as page:
        grey = page.convert("L")
        width, height = grey.size
        assert 0.69 < width / height < 0.72  # A4 portrait
        dark = sum(grey.histogram()[:128])
        assert dark > 0.01 * width * height  # text on the page
        top_left = grey.crop((0, 0, width // 2, height // 5))
        assert sum(top_left.histogram()[:128]) > 0  # the letterhead


def test_published_version_compares_with_the_period_before(
        workspace: Path, db: Database, tmp_path: Path) -> None:
    """publish_version hands the previous period's stored values and the letterhead down."""
    registry = scenario.write_registry(tmp_path / "registry")
    scenario.build_workspace(workspace, registry)
    april = db.claim_report_version("2025-04", "april", None, reports_dir=workspace / "reports")
    db.save_indicator_values(april.version.id, [
        IndicatorValue(PROVINCE, "online_filing_rate", 1, 4, 25.0),
        IndicatorValue(PROVINCE, "on_time_rate", 1, 2, 50.0)])
    outcome = publish_version(db, built_report(workspace, db, registry), workspace / "reports",
                              force=False, run_id="r", now=datetime.now(UTC),
                              timezone="Asia/Ho_Chi_Minh",
                              letterhead=Letterhead(number_prefix="BC-THU"))
    assert (outcome.folder / "bieu-do-trend.png").exists()
    texts = "\n".join(_texts(outcome.folder / "bao-cao-cchc-2025-05.docx"))
    assert "So với kỳ trước" in texts and "/BC-THU" in texts
    html = (outcome.folder / "bao-cao-cchc-2025-05.html").read_text(encoding="utf-8")
    assert "/BC-THU" in html
