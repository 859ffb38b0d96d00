"""Text typed in a legacy Vietnamese font (TCVN3, VNI), turned into Unicode as a file is read.

A spreadsheet cell whose font is a TCVN3 (``.Vn*``) or VNI (``VNI-*``) font is converted by
its font; any other text (other cells, CSV and JSON values) only when the character
statistics of :func:`tasks.intake.legacy_encoding.detect` say so. Each change is kept as a
:class:`CellConversion` so the receipt or the intake summary can tell the agency that a
conversion happened and show one sample (original → converted) to confirm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tasks.intake.legacy_encoding import Conversion, is_tcvn3_font, is_vni_font, to_unicode

_ENCODING_VI = {"tcvn3": "TCVN3 (ABC)", "vni": "VNI"}


@dataclass(frozen=True)
class CellConversion:
    """One cell whose text was converted: where it is and what it was and became."""

    sheet: str
    row: int  # as the spreadsheet (or the CSV line, or the JSON list) numbers it
    column: int | None  # 1-based, when known
    conversion: Conversion


def legacy_font(font_name: str | None) -> str | None:
    """The font name when it is a legacy Vietnamese font, else None (statistics decide)."""
    if font_name and (is_tcvn3_font(font_name) or is_vni_font(font_name)):
        return font_name
    return None


def convert_value(value: object, font_name: str | None = None) -> tuple[object, Conversion | None]:
    """``value`` in Unicode, and the conversion when the text changed (non-text unchanged)."""
    if not isinstance(value, str) or not value:
        return value, None
    font = legacy_font(font_name)
    if font is None and value.isascii():
        return value, None  # both tables map only non-ASCII characters (statistics agree)
    conversion = to_unicode(value, font)
    if not conversion.changed or conversion.encoding == "unicode":
        return value, None
    return conversion.converted, conversion


def conversion_note(conversions: Sequence[CellConversion]) -> str | None:
    """The Vietnamese note for a receipt or a summary: how many cells, which encodings and
    one sample to confirm; None when nothing was converted."""
    if not conversions:
        return None
    encodings = sorted({_ENCODING_VI[c.conversion.encoding] for c in conversions})
    first = conversions[0]
    where = f"trang «{first.sheet}», dòng {first.row}"
    return (f"Đã chuyển {len(conversions)} ô từ bảng mã {' và '.join(encodings)} sang "
            f"Unicode; ví dụ ({where}): «{first.conversion.original}» → "
            f"«{first.conversion.converted}». Đề nghị đơn vị kiểm tra lại mẫu này và dùng "
            "phông chữ Unicode (Times New Roman) cho các lần nộp sau.")
