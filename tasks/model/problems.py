"""Problems found in an input file, and the receipt in Vietnamese that lists them all."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

_LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, located by sheet, row (as the spreadsheet numbers it)
    and column (the header as the template names it)."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def location_vi(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"Trang «{self.sheet}»")
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.column:
            parts.append(f"cột «{self.column}»")
        return ", ".join(parts) if parts else "Toàn tệp"

    def line_vi(self) -> str:
        return f"{self.location_vi()}: {self.message}"


class RejectedInput(Exception):
    """Raised by readers and validators with every problem they found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.line_vi() for p in problems))
        self.problems = problems


# What a receipt must not show an agency: the server's folders and Python's exception names.
_ABSOLUTE_PATH = re.compile(r"(?<![\w.])(?:[A-Za-z]:[\\/]|/)(?:[^\s/\\'\"«»:,;()]+[\\/])+"
                            r"(?=[^\s/\\'\"«»:,;()]+)")
# "KeyError('x')", "ValueError", "zipfile.BadZipFile: …": a (dotted) Python name ending in
# Error/Exception/Warning, or a CamelCase name with a colon that opens the message or a clause.
_EXCEPTION_NAME = re.compile(
    r"(?:\b(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Warning)\b"
    r"|(?:^|(?<=: ))(?:[A-Za-z_]\w*\.)*[A-Z][a-z]+(?:[A-Z]\w*)+(?=:))"
    r"(?:\([^)]*\))?:?\s*")
_ERRNO = re.compile(r"\[Errno -?\d+\]\s*")
_NOT_READABLE = "Không đọc được nội dung tệp; đề nghị lưu lại tệp đúng định dạng mẫu và nộp lại."


def agency_message(message: str) -> str:
    """``message`` as an agency may read it: absolute paths cut to the file's own name,
    Python exception names and error numbers left out."""
    text = _ABSOLUTE_PATH.sub("", message)
    text = _ERRNO.sub("", _EXCEPTION_NAME.sub("", text))
    text = re.sub(r"\s{2,}", " ", text).strip(" :;,")
    return text or _NOT_READABLE


@dataclass(frozen=True)
class Receipt:
    """What an agency is told about a file it sent that was not taken in: the file's name,
    its folder, when it arrived, its content hash and, for each problem, the sheet, row,
    column and what to fix. Nothing about the server: no absolute path, no exception text.
    ``kept_as`` is the name of the quarantined copy (no folder), to quote to the operators."""

    file_name: str
    received_at: datetime
    content_hash: str
    problems: tuple[Problem, ...]
    agency_folder: str | None = None
    kept_as: str | None = None
    notes: tuple[str, ...] = ()  # what the reader changed, e.g. legacy text converted

    def _problems(self) -> list[Problem]:
        return [Problem(agency_message(p.message), p.sheet, p.row, p.column)
                for p in self.problems]

    def to_text(self) -> str:
        problems = self._problems()
        lines = [
            "PHIẾU BÁO LỖI TỆP BÁO CÁO",
            f"Tệp: {_name_only(self.file_name)}",
        ]
        if self.agency_folder:
            lines.append(f"Thư mục đơn vị: {self.agency_folder}")
        lines += [
            f"Thời điểm nhận: {self.received_at.astimezone(_LOCAL):%d/%m/%Y %H:%M} (giờ Việt Nam)",
            f"Mã băm nội dung (SHA-256): {self.content_hash}",
            "",
            f"Tệp chưa được tiếp nhận vì có {len(problems)} lỗi sau:",
        ]
        lines += [f"{n}. {p.line_vi()}" for n, p in enumerate(problems, start=1)]
        if self.notes:
            lines += ["", "Ghi chú:"] + [f"- {agency_message(note)}" for note in self.notes]
        lines += [
            "",
            "Đề nghị đơn vị sửa các lỗi trên và nộp lại tệp vào thư mục của đơn vị.",
            "Có thể tự kiểm tra trước khi nộp bằng lệnh: cchc validate <tệp> --agency <mã đơn vị>",
        ]
        if self.kept_as:
            lines.append(f"Mã lưu tệp lỗi (ghi khi liên hệ bộ phận tổng hợp): "
                         f"{_name_only(self.kept_as)}")
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "file_name": _name_only(self.file_name),
            "agency_folder": self.agency_folder,
            "received_at": self.received_at.isoformat(),
            "content_hash": self.content_hash,
            "kept_as": _name_only(self.kept_as) if self.kept_as else None,
            "problems": [asdict(p) for p in self._problems()],
            "notes": [agency_message(note) for note in self.notes],
        }


def _name_only(name: str) -> str:
    """The last part of ``name``: a receipt never shows a folder on the server (a
    ``\\xff`` stands for a byte of a name that is not UTF-8, not for a folder)."""
    return re.split(r"/|\\(?!x[0-9a-f]{2})", name)[-1]
