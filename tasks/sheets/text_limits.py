"""CSV and JSON files held to the workbook's limits (:mod:`tasks.sheets.workbook_limits`).

One rule for every text file that comes from outside, agency submissions and portal
exports alike, so that no file format is a way around the limits a workbook is read
within: at most :data:`MAX_FILE_BYTES` on disk, checked before the file is read; in a CSV
sheet (a whole file, or one block of a submission), at most :data:`MAX_ROWS` rows, counted
as a sheet counts them (title and header rows included, blank lines past the limit cost
nothing, as empty formatted rows), and :data:`MAX_COLUMNS` columns, counted up to the last
non-blank cell (the separators Excel pads a line with cost nothing). A reader checks each
line as it splits it, so it stops at the first value past a limit without splitting the
rest of the file.

Every refusal is a Vietnamese phrase (the caller makes it a sentence or a receipt line)
naming the limit, the line and what to do; the technical detail goes to the log.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from config.errors import CchcError
from tasks.model.problems import vi_count
from tasks.sheets.workbook_limits import LIMITS_VI, MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS

logger = logging.getLogger(__name__)


class TextLimitError(CchcError):
    """A CSV or JSON file past one of the workbook's limits (message in Vietnamese)."""


def check_size(path: Path) -> None:
    """Refuse a CSV or JSON file larger than a workbook may be, before reading it.

    Raises :class:`TextLimitError`, or ``OSError`` when the file cannot be looked at.
    """
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        logger.warning("%s: %d byte, quá mức %d byte cho phép", path, size, MAX_FILE_BYTES)
        raise TextLimitError(
            f"tệp quá lớn ({size / 1024 / 1024:.1f} MB, tối đa "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB, như tệp Excel); mỗi trang chỉ được "
            f"{LIMITS_VI}; hãy xoá các dòng, cột không cần thiết rồi nộp lại")


def csv_line_within_limits(line: Sequence[str], row: int, *, number: int,
                           block: str | None = None) -> Sequence[str] | None:
    """``line``'s cells up to the last column read, or ``None`` for a blank line past the
    last row (left out, as an empty formatted row of a sheet is).

    ``row`` is the line's 1-based row in its sheet, ``number`` its line in the file and
    ``block`` the name of the submission block it belongs to (``None``: the file is one
    sheet), both for the message. Raises :class:`TextLimitError` at a value past a limit.
    """
    if row > MAX_ROWS:
        if any(cell.strip() for cell in line):
            raise TextLimitError(_too_many_rows(block, number))
        return None
    width = max((i + 1 for i, cell in enumerate(line) if cell.strip()), default=0)
    if width > MAX_COLUMNS:
        raise TextLimitError(_too_many_columns(block, number, width))
    return line[:MAX_COLUMNS]


def _too_many_rows(block: str | None, number: int) -> str:
    where = (f"khối «{block}» của tệp CSV còn dữ liệu ở dòng {vi_count(number)} của tệp, "
             f"quá {vi_count(MAX_ROWS)} dòng của khối" if block is not None else
             f"tệp CSV còn dữ liệu ở dòng {vi_count(number)}, quá {vi_count(MAX_ROWS)} dòng")
    return (f"{where} ({LIMITS_VI}); hãy xoá các dòng thừa hoặc kiểm tra tệp có bị chép "
            "lặp dữ liệu không")


def _too_many_columns(block: str | None, number: int, column: int) -> str:
    where = (f"khối «{block}» của tệp CSV, dòng {vi_count(number)}" if block is not None
             else f"tệp CSV, dòng {vi_count(number)}")
    return (f"{where} có dữ liệu ở cột thứ {column}, quá {MAX_COLUMNS} cột ({LIMITS_VI}); "
            "hãy xoá dữ liệu thừa ở dòng đó")
