"""Problems found in an input file, and the receipt in Vietnamese that lists them.

How a problem is reported (the one convention for every reader and check of an input
file: ``tasks/intake``, the ``tasks/portal`` readers, ``tasks/sheets``):

- A reader or check that could read the file **returns** what it found: a
  :class:`Checked` holding the value, or every problem found (never only the first). A
  check that builds nothing returns the problems themselves (none: the file passes).
  Problems are never appended to a list the caller passed in, and never raised.
- A reader **raises** :class:`RejectedInput` only when the file cannot be read at all (not
  opened, not the format, over the limits), carrying the problem(s) to tell the sender.
  The intake turns it into the file's problems in one place
  (:meth:`tasks.intake.collect.Intake.check`); a report run that reads an accepted file
  again catches it where it reads (``tasks/report``).
- Any other exception is a fault of the system, not of the file: it is logged with its
  detail and becomes one problem in Vietnamese that names no server path and no exception
  name (:func:`agency_message`); nothing is dropped silently.

A receipt (and what is stored of a rejected file) lists the first
:data:`MAX_LISTED_PROBLEMS` problems and then one line saying how many more there are
(«… và 12.345 lỗi khác»): a file with a hundred thousand bad rows gets a receipt of a few
dozen kilobytes. Control characters never reach a receipt raw: :func:`escape_controls`
shows them as ``\\x00``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, tzinfo
from typing import Any, Generic, TypeVar

from config.errors import CchcError

MAX_LISTED_PROBLEMS = 200  # problems listed on a receipt and stored; the rest are counted
MORE_PREFIX = "… và "  # the start of the line that counts the problems not listed

# C0 controls but tab, line feed and carriage return; DEL; C1 controls
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def escape_controls(text: str) -> str:
    """``text`` with each control character (other than tab and line breaks) written as
    ``\\xNN``, so that a receipt shows where it is and never the character itself."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def has_controls(text: str) -> bool:
    return _CONTROL.search(text) is not None


def vi_count(number: int) -> str:
    """An integer as Vietnamese writes it: 12345 → ``12.345``."""
    return f"{number:,}".replace(",", ".")


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
        if self.is_count_of_more():
            return self.message
        return f"{self.location_vi()}: {self.message}"

    def is_count_of_more(self) -> bool:
        """The line :func:`listed_problems` adds: «… và N lỗi khác»."""
        return (self.message.startswith(MORE_PREFIX) and self.sheet is None
                and self.row is None and self.column is None)


def more_problems(count: int) -> Problem:
    """The line that stands for ``count`` problems not listed."""
    return Problem(f"{MORE_PREFIX}{vi_count(count)} lỗi khác")


def listed_problems(problems: Sequence[Problem]) -> tuple[Problem, ...]:
    """What is kept of a rejected file's problems: the first :data:`MAX_LISTED_PROBLEMS`,
    then, when there are more, one line saying how many (:func:`more_problems`); control
    characters in the messages escaped."""
    shown = tuple(Problem(escape_controls(p.message), p.sheet, p.row, p.column)
                  for p in problems[:MAX_LISTED_PROBLEMS])
    rest = len(problems) - len(shown)
    return (*shown, more_problems(rest)) if rest > 0 else shown


T = TypeVar("T")


@dataclass(frozen=True)
class Checked(Generic[T]):
    """What a reader or check found in a file it could read: the value (and no problem),
    or every problem found (and no value)."""

    value: T | None
    problems: tuple[Problem, ...] = ()

    @classmethod
    def passed(cls, value: T) -> Checked[T]:
        return cls(value)

    @classmethod
    def failed(cls, problems: Iterable[Problem]) -> Checked[T]:
        return cls(None, tuple(problems))


class RejectedInput(CchcError):
    """Raised by a reader when the file cannot be read at all, with what to tell the
    sender (see the module's docstring: problems found in a readable file are returned)."""

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
    text = _ABSOLUTE_PATH.sub("", escape_controls(message))
    text = _ERRNO.sub("", _EXCEPTION_NAME.sub("", text))
    text = re.sub(r"\s{2,}", " ", text).strip(" :;,")
    return text or _NOT_READABLE


@dataclass(frozen=True)
class Receipt:
    """What an agency is told about a file it sent that was not taken in: the file's name,
    its folder, when it arrived, its content hash and, for each problem, the sheet, row,
    column and what to fix (the first :data:`MAX_LISTED_PROBLEMS`, then how many more).
    Nothing about the server: no absolute path, no exception text, no control character.
    ``kept_as`` is the name of the quarantined copy (no folder), to quote to the operators."""

    file_name: str
    received_at: datetime
    content_hash: str
    problems: tuple[Problem, ...]
    agency_folder: str | None = None
    kept_as: str | None = None
    notes: tuple[str, ...] = ()  # what the reader changed, e.g. legacy text converted

    def _problems(self) -> list[Problem]:
        """The problems listed (at most :data:`MAX_LISTED_PROBLEMS`), as an agency may read
        them."""
        return [Problem(agency_message(p.message), p.sheet, p.row, p.column)
                for p in self.problems[:MAX_LISTED_PROBLEMS]]

    def _not_listed(self) -> int:
        return max(len(self.problems) - MAX_LISTED_PROBLEMS, 0)

    def to_text(self, zone: tzinfo) -> str:
        """The receipt as the agency reads it, times in ``zone`` (the settings' time zone)."""
        problems = self._problems()
        total = vi_count(len(self.problems))
        lines = receipt_head("PHIẾU BÁO LỖI TỆP BÁO CÁO", self.file_name, self.agency_folder,
                             self.received_at, self.content_hash, zone)
        lines += [
            f"Tệp chưa được tiếp nhận vì có {total} lỗi sau:" if not self._not_listed() else
            f"Tệp chưa được tiếp nhận vì có {total} lỗi; dưới đây là "
            f"{vi_count(len(problems))} lỗi đầu tiên:",
        ]
        lines += [f"{n}. {p.line_vi()}" for n, p in enumerate(problems, start=1)]
        if self._not_listed():
            lines.append(f"{more_problems(self._not_listed()).message} (sửa các lỗi trên rồi "
                         "tự kiểm tra lại tệp để xem các lỗi còn lại)")
        if self.notes:
            lines += ["", "Ghi chú:"] + [f"- {agency_message(note)}" for note in self.notes]
        lines += [
            "",
            "Đề nghị đơn vị sửa các lỗi trên và nộp lại tệp vào thư mục của đơn vị.",
            "Có thể tự kiểm tra trước khi nộp bằng lệnh: cchc validate <tệp> --agency <mã đơn vị>",
        ]
        if self.kept_as:
            lines.append(f"Mã lưu tệp lỗi (ghi khi liên hệ bộ phận tổng hợp): "
                         f"{name_only(self.kept_as)}")
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "file_name": name_only(self.file_name),
            "agency_folder": self.agency_folder,
            "received_at": self.received_at.isoformat(),
            "content_hash": self.content_hash,
            "kept_as": name_only(self.kept_as) if self.kept_as else None,
            "problems": [asdict(p) for p in self._problems()],
            "problem_count": len(self.problems),
            "problems_not_listed": self._not_listed(),
            "notes": [agency_message(note) for note in self.notes],
        }


def receipt_head(title: str, file_name: str, agency_folder: str | None,
                 received_at: datetime, content_hash: str, zone: tzinfo) -> list[str]:
    """The first lines of every receipt an agency reads (a rejection's, an accepted file's
    warnings): the title, the file (its name only), its folder, when it arrived in ``zone``
    and its content hash, then a blank line."""
    lines = [title, f"Tệp: {name_only(file_name)}"]
    if agency_folder:
        lines.append(f"Thư mục đơn vị: {agency_folder}")
    return [*lines,
            f"Thời điểm nhận: {received_at.astimezone(zone):%d/%m/%Y %H:%M} (giờ Việt Nam)",
            f"Mã băm nội dung (SHA-256): {content_hash}", ""]


def name_only(name: str) -> str:
    """The last part of ``name``: a receipt never shows a folder on the server (a
    ``\\xff`` stands for a byte of a name that is not UTF-8, not for a folder)."""
    return re.split(r"/|\\(?!x[0-9a-f]{2})", name)[-1]
