"""The figures of an accepted portal export as the file states them, read again for checks.

The stored figures of a unit (:class:`tasks.model.portal.PortalUnitStats`) keep only what
the indicators use; the export also states wholes (received total, in-progress total) and
its own «Tổng cộng» row. :func:`export_figures` reads them back from the archived file so a
report run can check the stored parts against those wholes (:mod:`tasks.report.checks`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tasks.portal.export_layout import (
    Table,
    _cell,
    _count,
    _is_total,
    _text,
    find_header_row,
)
from tasks.portal.export_reader import _read_rows
from tasks.sheets.cells import CellError, is_blank


@dataclass(frozen=True)
class ExportFigures:
    """Counts by field name (``received_total``, ``resolved_on_time`` …, or the variant B
    names ``total``, ``resolved`` …), per spreadsheet row, and of the «Tổng cộng» row."""

    variant: str
    rows: dict[int, dict[str, int]]
    total: dict[str, int] | None
    total_row: int | None


def export_figures(path: Path) -> ExportFigures | None:
    """The export's stated figures; None when its table cannot be found again.

    Raises :class:`tasks.model.problems.RejectedInput` or ``OSError`` when the file cannot
    be read.
    """
    sheet, rows = _read_rows(path)
    table = Table.locate(rows, find_header_row(rows), sheet).value
    if table is None:  # its layout problem was told when the file was taken in
        return None
    figures: dict[int, dict[str, int]] = {}
    for index in range(table.first_data_row, len(rows)):
        row, number = rows[index], index + 1
        counts: dict[str, int] = {}
        for field, col in table.columns.items():
            value = _cell(row, col)
            if is_blank(value):
                continue
            try:
                counts[field] = _count(value)
            except CellError:
                continue
        label = _text(row, table.unit_col) or _text(row, table.stt_col)
        if _is_total(label):
            return ExportFigures(table.layout.variant, figures, counts, number)
        if counts:
            figures[number] = counts
    return ExportFigures(table.layout.variant, figures, None, None)
