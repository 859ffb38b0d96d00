"""Build the Word template of the CCHC report (docxtpl tags, Nghị định 30/2020/NĐ-CP layout).

    python scripts/make_word_template.py [output.docx]

Writes ``tasks/report/templates/bao-cao-cchc.docx`` by default. An operator may restyle
that file in Word or LibreOffice instead (styles "CCHC …", margins, the letterhead tables)
as long as the ``{{ … }}`` / ``{%p … %}`` / ``{%tr … %}`` / ``{%tc … %}`` tags stay, each
within one run. The context the tags use is built in ``tasks/report/word.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION_START
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

DEFAULT_OUTPUT = (Path(__file__).resolve().parent.parent / "tasks" / "report" / "templates"
                  / "bao-cao-cchc.docx")
FONT = "Times New Roman"
TEXT_WIDTH_CM = 16.5  # 210 mm - 30 mm - 15 mm


def _fonts(style: ParagraphStyle, size: float, *, bold: bool = False,
           italic: bool = False) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def _style(document: DocumentObject, name: str, size: float, *, bold: bool = False,
           italic: bool = False, align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT,
           indent: float | None = None, before: float = 0, after: float = 0,
           line: float = 1.0, keep_next: bool = False) -> ParagraphStyle:
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    _fonts(style, size, bold=bold, italic=italic)
    fmt = style.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = Cm(indent) if indent is not None else Cm(0)
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.line_spacing = line
    fmt.keep_with_next = keep_next
    fmt.widow_control = True
    return style  # type: ignore[no-any-return]


def _rule(paragraph: Paragraph, inset_cm: float) -> None:
    """A short horizontal rule: the paragraph's bottom border, inset on both sides."""
    paragraph.paragraph_format.left_indent = Cm(inset_cm)
    paragraph.paragraph_format.right_indent = Cm(inset_cm)
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"),
                       ("w:color", "auto")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p_pr.append(borders)
    paragraph.paragraph_format.space_after = Pt(4)
    run = paragraph.add_run()
    run.font.size = Pt(2)


def _page_field(paragraph: Paragraph) -> None:
    """A PAGE field (complex field, shown as "2" until the viewer updates it)."""
    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    char("begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    paragraph.add_run()._r.append(instruction)
    char("separate")
    paragraph.add_run("2")
    char("end")


def _cell_paragraph(cell: _Cell, text: str, style: str, first: bool = False) -> Paragraph:
    paragraph: Paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.style = style
    if text:
        paragraph.add_run(text)
    return paragraph


def _widths(table: Table, widths_cm: list[float]) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)  # the grid, which LibreOffice follows
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def _grid_table(document: DocumentObject) -> None:
    """The data table every section repeats: header columns and rows from the context."""
    table = document.add_table(rows=4, cols=3)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header, loop_start, body, loop_end = table.rows
    for cell, text in zip(header.cells, ("{%tc for h in t.headers %}", "{{ h }}",
                                          "{%tc endfor %}"), strict=True):
        _cell_paragraph(cell, text, "CCHC Table Header", first=True)
    _cell_paragraph(loop_start.cells[0], "{%tr for row in t.rows %}", "CCHC Table", first=True)
    for cell, text in zip(body.cells, ("{%tc for c in row %}", "{{ c }}", "{%tc endfor %}"),
                          strict=True):
        _cell_paragraph(cell, text, "CCHC Table", first=True)
    _cell_paragraph(loop_end.cells[0], "{%tr endfor %}", "CCHC Table", first=True)
    # repeat the header row on every page
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)


def build_template() -> DocumentObject:
    document = Document()
    normal = document.styles["Normal"]
    _fonts(normal, 14)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    _style(document, "CCHC Body", 14, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=1.27, after=6,
           line=1.15)
    _style(document, "CCHC Heading", 14, bold=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
           indent=1.27, before=6, after=6, keep_next=True)
    _style(document, "CCHC Caption", 13, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER,
           before=6, after=3, keep_next=True)
    _style(document, "CCHC Table", 12)
    _style(document, "CCHC Table Header", 12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _style(document, "CCHC Chart", 12, align=WD_ALIGN_PARAGRAPH.CENTER, before=6, after=6)
    _style(document, "CCHC Agency", 13, align=WD_ALIGN_PARAGRAPH.CENTER)
    _style(document, "CCHC Agency Bold", 13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _style(document, "CCHC Motto", 12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _style(document, "CCHC Motto Line", 13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _style(document, "CCHC Place Date", 13, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER,
           before=6)
    _style(document, "CCHC Title", 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
           keep_next=True)
    _style(document, "CCHC Recipients Title", 12, bold=True, italic=True)
    _style(document, "CCHC Recipients", 11)
    _style(document, "CCHC Signer", 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)

    document.core_properties.title = "Báo cáo công tác cải cách hành chính"
    document.core_properties.author = "cchc-report"

    section = document.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    section.different_first_page_header_footer = True
    page = section.header.paragraphs[0]
    page.alignment = WD_ALIGN_PARAGRAPH.CENTER
    page.style = document.styles["Normal"]
    _page_field(page)
    section.first_page_header.is_linked_to_previous = False
    section.first_page_header.paragraphs[0].text = ""

    # Letterhead: issuing body and number (left); motto, place and date (right).
    head = document.add_table(rows=1, cols=2)
    left, right = head.rows[0].cells
    _cell_paragraph(left, "{{ v.issuing_parent }}", "CCHC Agency", first=True)
    _cell_paragraph(left, "{{ v.issuing_body }}", "CCHC Agency Bold")
    _rule(_cell_paragraph(left, "", "CCHC Agency"), 1.8)
    _cell_paragraph(left, "{{ v.number_line }}", "CCHC Agency")
    _cell_paragraph(right, "{{ v.motto }}", "CCHC Motto", first=True)
    _cell_paragraph(right, "{{ v.motto_subtitle }}", "CCHC Motto Line")
    _rule(_cell_paragraph(right, "", "CCHC Motto Line"), 2.0)
    _cell_paragraph(right, "{{ v.place_date }}", "CCHC Place Date")
    _widths(head, [5.6, TEXT_WIDTH_CM - 5.6])  # the motto needs 10.9 cm

    document.add_paragraph("", style="Normal")
    document.add_paragraph("{{ v.document_type }}", style="CCHC Title")
    document.add_paragraph("{{ v.summary_line }}", style="CCHC Title")
    _rule(document.add_paragraph("", style="CCHC Title"), 6.5)

    # Sections I-V: heading, paragraphs, tables, charts.
    add = document.add_paragraph
    add("{%p for s in v.sections %}", style="CCHC Body")
    add("{{ s.number }}. {{ s.title }}", style="CCHC Heading")
    add("{%p for p in s.paragraphs %}", style="CCHC Body")
    add("{{ p }}", style="CCHC Body")
    add("{%p endfor %}", style="CCHC Body")
    add("{%p for p in s.notes %}", style="CCHC Body")
    add("{{ p }}", style="CCHC Body")
    add("{%p endfor %}", style="CCHC Body")
    add("{%p for t in s.tables %}", style="CCHC Body")
    add("{{ t.caption }}", style="CCHC Caption")
    _grid_table(document)
    add("{%p endfor %}", style="CCHC Body")
    add("{%p for image in charts[s.number] %}", style="CCHC Chart")
    add("{{ image }}", style="CCHC Chart")
    add("{%p endfor %}", style="CCHC Chart")
    add("{%p endfor %}", style="CCHC Body")

    # Recipients (left) and signature (right).
    document.add_paragraph("", style="Normal")
    end = document.add_table(rows=1, cols=2)
    left, right = end.rows[0].cells
    _cell_paragraph(left, "Nơi nhận:", "CCHC Recipients Title", first=True)
    _cell_paragraph(left, "{%p for r in v.recipients %}", "CCHC Recipients")
    _cell_paragraph(left, "{{ r }}", "CCHC Recipients")
    _cell_paragraph(left, "{%p endfor %}", "CCHC Recipients")
    _cell_paragraph(right, "{{ v.signer_capacity }}", "CCHC Signer", first=True)
    _cell_paragraph(right, "{%p if v.signer_title %}", "CCHC Signer")
    _cell_paragraph(right, "{{ v.signer_title }}", "CCHC Signer")
    _cell_paragraph(right, "{%p endif %}", "CCHC Signer")
    for _ in range(4):
        _cell_paragraph(right, "", "CCHC Signer")
    _cell_paragraph(right, "{{ v.signer_name }}", "CCHC Signer")
    _widths(end, [8.0, TEXT_WIDTH_CM - 8.0])
    return document


def main(argv: list[str]) -> int:
    output = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    build_template().save(str(output))
    print(output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
