"""The report as a Word document, rendered with docxtpl from the template in ``templates/``.

The template (``templates/bao-cao-cchc.docx``, rebuilt by ``scripts/make_word_template.py``)
holds the layout of Nghị định 30/2020/NĐ-CP: A4, margins, Times New Roman, letterhead,
page numbers from page 2, recipients and signature. Its tags read ``v`` (a
:class:`~tasks.report.view.ReportView`) and ``charts`` (section number → images).
Texts are XML-escaped on rendering (``autoescape``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from tasks.report.atomic_file import save_atomically
from tasks.report.charts import Chart
from tasks.report.par_annex import Annex
from tasks.report.view import ReportView

TEMPLATE = Path(__file__).resolve().parent / "templates" / "bao-cao-cchc.docx"
CHART_WIDTH_MM = 160
_TEXT_WIDTH_TWIPS = 9350  # 16.5 cm
_LANDSCAPE_TEXT_WIDTH_TWIPS = 13900  # 24.5 cm: A4 landscape less the margins
_CHAR = 115  # twips per character at 12 pt (about 0.45 em, a little more for bold)
_HEADER_FACTOR = 1.4  # bold headers, often capitals ("STT")
_PAD = 300  # cell margins and a little room, twips
_SHORT = 12  # texts up to this long (numbers, dates, states) are not wrapped
_LONG = 60  # a long text is given at most this many characters per line
_SHORT_COLUMN = 16  # a column whose texts are all this short is not wrapped if it can be
_LONGEST_WORD = 12  # a longer word (a file name) may be broken


def word_name(period: str) -> str:
    return f"bao-cao-cchc-{period}.docx"


def write_word(view: ReportView, charts: Sequence[Chart], path: Path,
               template: Path = TEMPLATE) -> Path:
    """Render ``view`` (with ``charts`` under their sections) into ``path``; return it."""
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    document = DocxTemplate(str(template))
    by_key: dict[str, list[Chart]] = {}
    for chart in charts:
        by_key.setdefault(chart.key, []).append(chart)
    images = {
        section.number: [InlineImage(document, io.BytesIO(chart.png), width=Mm(CHART_WIDTH_MM))
                         for key in section.charts for chart in by_key.get(key, [])]
        for section in view.sections
    }
    document.render({"v": view, "charts": images}, autoescape=True)
    wide: list[object] = []  # the annexes' table elements, kept alive to compare by identity
    for annex in view.annexes:
        wide.extend(_append_annex(document, annex))
    _fit_data_tables(document, wide)
    return save_atomically(path, document.save)


def _append_annex(document: object, annex: Annex) -> list[object]:
    """An annex after the signature, as Nghị định 30 lays one out: a new page (landscape:
    its tables have a column per area), «Phụ lục I» and its title centred in bold, the line
    tying it to the report in italics, then its text and tables (grid tables, fitted with
    the report's own). Returns its tables' elements (fitted to the landscape width)."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    docx = document.docx  # type: ignore[attr-defined]
    section = docx.add_section(WD_SECTION.NEW_PAGE)
    if section.orientation != WD_ORIENT.LANDSCAPE:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    tables: list[object] = []
    for text, bold, italic in ((f"Phụ lục {annex.number}", True, False),
                               (annex.title, True, False), (annex.attached_to, False, True)):
        paragraph = docx.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
    for text in annex.paragraphs:
        paragraph = docx.add_paragraph(text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Cm(1.27)
    for table in annex.tables:
        if table.caption:
            caption = docx.add_paragraph()
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
            caption.add_run(table.caption).italic = True
        grid = docx.add_table(rows=1 + len(table.rows), cols=len(table.headers))
        grid.style = "Table Grid"
        tables.append(grid._tbl)
        for row_cells, texts, bold in ((grid.rows[0].cells, table.headers, True),
                                       *((grid.rows[i + 1].cells, row, False)
                                         for i, row in enumerate(table.rows))):
            for cell, text in zip(row_cells, texts, strict=False):
                run = cell.paragraphs[0].add_run(text)
                run.bold = bold
                run.font.size = Pt(10)
    return tables


def _fit_data_tables(document: object, wide: Sequence[object] = ()) -> None:
    """Column widths from the texts (docxtpl splits the width evenly after a column loop).

    Each column gets at least its longest unbreakable text (a number, a date, a short state,
    the longest word); what is left of the text width goes to the columns with long texts.
    """
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    docx = document.docx  # type: ignore[attr-defined]
    for table in docx.tables:
        if table.style is None or table.style.name != "Table Grid":
            continue
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        landscape = any(table._tbl is element for element in wide)
        widths = column_widths(rows, _LANDSCAPE_TEXT_WIDTH_TWIPS if landscape
                               else _TEXT_WIDTH_TWIPS)
        if not widths:
            continue
        grid = table._tbl.tblGrid
        for col in list(grid):
            grid.remove(col)
        for width in widths:
            col = OxmlElement("w:gridCol")
            col.set(qn("w:w"), str(width))
            grid.append(col)
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=False):
                cell.width = width * 635  # twips → EMU


def column_widths(rows: Sequence[Sequence[str]], total: int) -> list[int]:
    """Widths in twips for a table of ``rows`` (header first) filling ``total`` twips.

    Columns of short texts (numbers, dates, codes) keep their texts on one line; the columns
    of long texts share the rest in proportion to their length. When that does not fit,
    every column gets its longest unbreakable text and the rest is shared.
    """
    columns = max((len(r) for r in rows), default=0)
    if not columns:
        return []
    least, natural = [], []
    for index in range(columns):
        texts = [r[index] for r in rows if index < len(r)]
        header = texts[0] if texts else ""
        longest_word = max((len(word) for word in header.split()), default=1)
        body = max((_unbroken(t) for t in texts[1:]), default=1) * _CHAR
        least.append(max(int(longest_word * _CHAR * _HEADER_FACTOR), body) + _PAD)
        natural.append(max((min(len(t), _LONG) for t in texts), default=1) * _CHAR + _PAD)
        natural[-1] = max(natural[-1], least[-1])
    if sum(natural) <= total:
        scale = total / sum(natural)
        return [int(w * scale) for w in natural]
    short = [w <= _SHORT_COLUMN * _CHAR + _PAD for w in natural]
    rest = total - sum(w for w, s in zip(natural, short, strict=True) if s)
    long_natural = sum(w for w, s in zip(natural, short, strict=True) if not s)
    shared = [w if s else int(rest * w / long_natural) if long_natural else w
              for w, s in zip(natural, short, strict=True)]
    if rest > 0 and all(w >= lo for w, lo in zip(shared, least, strict=True)):
        return shared
    if sum(least) >= total:
        return [int(total * w / sum(least)) for w in least]
    spare = (total - sum(least)) / (sum(natural) - sum(least))
    return [int(lo + (na - lo) * spare) for lo, na in zip(least, natural, strict=True)]


def _unbroken(text: str) -> int:
    """Characters of ``text`` that must stay on one line (a short text is kept whole)."""
    if len(text) <= _SHORT:
        return len(text)
    return min(_LONGEST_WORD, max((len(word) for word in text.split()), default=1))
