"""Reading cell values the ways agencies type them.

Rules (also in the README for agencies):
- numbers: ``1234.5``, ``1.234,5`` (Vietnamese), ``1,234.5`` and ``1 234`` are all read;
  a lone separator followed by exactly three digits (``1.234``) is a thousands separator;
- percentages: ``85%`` and ``85`` mean 85 %; a cell formatted as a percentage in Excel,
  or a plain number strictly between 0 and 1 (``0.85``), is a fraction and means 85 %;
- dates: Excel dates, Excel serial numbers, or text ``dd/mm/yyyy`` (also ``dd-mm-yyyy``,
  ``dd.mm.yyyy`` and ISO ``yyyy-mm-dd``).
Each parser raises :class:`CellError` with a Vietnamese message.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

from config.errors import CchcError

_EXCEL_EPOCH = date(1899, 12, 30)


class CellError(CchcError, ValueError):
    """A cell whose value cannot be read; the message is in Vietnamese."""


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def clean_text(value: object) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


_NUMBER_CHARS = re.compile(r"^[+-]?[\d.,\s]+$")
_TOO_LARGE = "số quá lớn, không phải là số liệu có thật"


def parse_number(value: object) -> float:
    """A number written with either decimal convention."""
    if isinstance(value, bool):
        raise CellError(f"«{value}» không phải là số")
    if isinstance(value, int | float):
        try:
            number = float(value)  # an int of hundreds of digits does not fit a float
        except OverflowError as exc:
            raise CellError(_TOO_LARGE) from exc
        if not math.isfinite(number):
            raise CellError("giá trị không phải là số hữu hạn")
        return number
    text = "" if value is None else str(value).strip().replace("\u00a0", " ")
    if not text or not _NUMBER_CHARS.match(text):
        raise CellError(f"«{_shown(text)}» không phải là số")
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("+-").replace(" ", "")
    if "," in body and "." in body:
        decimal_sep = "," if body.rfind(",") > body.rfind(".") else "."
        thousands_sep = "." if decimal_sep == "," else ","
        body = body.replace(thousands_sep, "").replace(decimal_sep, ".")
    elif "," in body or "." in body:
        sep = "," if "," in body else "."
        parts = body.split(sep)
        if len(parts) > 2 or (len(parts[-1]) == 3 and parts[0] not in ("", "0")):
            if not all(len(p) == 3 for p in parts[1:]):
                raise CellError(f"«{_shown(text)}» không phải là số")
            body = "".join(parts)
        else:
            body = body.replace(sep, ".")
    try:
        number = sign * float(body)
    except ValueError as exc:
        raise CellError(f"«{_shown(text)}» không phải là số") from exc
    if not math.isfinite(number):  # 400 digits make an infinite float
        raise CellError(_TOO_LARGE)
    return number


def _shown(text: str, limit: int = 40) -> str:
    """A cell's text as a message quotes it: at most ``limit`` characters."""
    return text if len(text) <= limit else text[:limit] + "…"


def parse_percent(value: object, *, excel_percent_format: bool = False) -> float:
    """A percentage on the 0-100 scale (see the module rules)."""
    if isinstance(value, str) and value.strip().endswith("%"):
        return parse_number(value.strip()[:-1])
    number = parse_number(value)
    if excel_percent_format or 0 < number < 1:
        return number * 100
    return number


_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")


def parse_date(value: object) -> date:
    """A date from an Excel date, an Excel serial number or text (see the module rules)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 1 <= value <= 2958465:
            raise CellError(f"«{value}» không phải là ngày hợp lệ")
        return _EXCEL_EPOCH + timedelta(days=int(value))
    text = "" if value is None else str(value).strip()
    match = _DMY.match(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        match = _ISO.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return date(year, month, day)
    except ValueError as exc:
        raise CellError(f"«{text}» không phải là ngày có thật") from exc
    raise CellError(f"«{text}» không phải là ngày (định dạng đúng: dd/mm/yyyy)")
