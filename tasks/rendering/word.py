"""The report as a Word document, rendered with docxtpl from the template in ``templates/``.

The template (``templates/bao-cao-cchc.docx``, rebuilt by ``scripts/make_word_template.py``)
holds the layout of Nghị định 30/2020/NĐ-CP: A4, margins, Times New Roman, letterhead,
page numbers from page 2, recipients and signature. Its tags read ``v`` (a
:class:`~tasks.rendering.view.ReportView`) and ``charts`` (section number → images).
Texts are XML-escaped on rendering (``autoescape``).
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from tasks.rendering.charts import Chart
from tasks.rendering.view import ReportView

TEMPLATE = Path(__file__).resolve().parent / "templates" / "bao-cao-cchc.docx"
CHART_WIDTH_MM = 160
_TEXT_WIDTH_TWIPS = 9070  # 16 cm
_MIN_WEIGHT, _MAX_WEIGHT = 3, 40
_UNBROKEN = 12
_PADDING = 2


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
    _fit_data_tables(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".docx", dir=path.parent)
    os.close(handle)
    try:
        document.save(temp_name)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path


def _fit_data_tables(document: object) -> None:
    """Column widths from the texts (docxtpl splits the width evenly after a column loop)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    docx = document.docx  # type: ignore[attr-defined]
    for table in docx.tables:
        if table.style is None or table.style.name != "Table Grid":
            continue
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        columns = max((len(r) for r in rows), default=0)
        if columns == 0:
            continue
        weights = []
        for index in range(columns):
            longest = max((_weight(r[index]) for r in rows if index < len(r)), default=1)
            weights.append(min(_MAX_WEIGHT, max(_MIN_WEIGHT, longest)))
        total = sum(weights)
        widths = [int(_TEXT_WIDTH_TWIPS * w / total) for w in weights]
        grid = table._tbl.tblGrid
        for col in list(grid):
            grid.remove(col)
        for width in widths:
            col = OxmlElement("w:gridCol")
            col.set(qn("w:w"), str(width))
            grid.append(col)
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=False):
                cell._tc.get_or_add_tcPr()
                cell.width = width * 635  # twips → EMU


def _weight(text: str) -> int:
    """About how wide a column wants to be for ``text`` (long texts wrap)."""
    longest_word = max((len(word) for word in text.split()), default=1)
    if len(text) <= _UNBROKEN:  # numbers, dates, short states: kept on one line
        return len(text) + _PADDING
    return max(longest_word, min(len(text), _MAX_WEIGHT)) + _PADDING
