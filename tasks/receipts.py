"""Problems found in an input file, and the receipt in Vietnamese that lists them all."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
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


@dataclass(frozen=True)
class Receipt:
    file_name: str
    received_at: datetime
    content_hash: str
    problems: tuple[Problem, ...]
    agency_folder: str | None = None
    kept_at: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_text(self) -> str:
        lines = [
            "PHIẾU BÁO LỖI TỆP BÁO CÁO",
            f"Tệp: {self.file_name}",
        ]
        if self.agency_folder:
            lines.append(f"Thư mục đơn vị: {self.agency_folder}")
        lines += [
            f"Thời điểm nhận: {self.received_at.astimezone(_LOCAL):%d/%m/%Y %H:%M} (giờ Việt Nam)",
            f"Mã băm nội dung (SHA-256): {self.content_hash}",
            "",
            f"Tệp chưa được tiếp nhận vì có {len(self.problems)} lỗi sau:",
        ]
        lines += [f"{n}. {p.line_vi()}" for n, p in enumerate(self.problems, start=1)]
        lines += [
            "",
            "Đề nghị đơn vị sửa các lỗi trên và nộp lại tệp vào thư mục của đơn vị.",
            "Có thể tự kiểm tra trước khi nộp bằng lệnh: cchc validate <tệp> --agency <mã đơn vị>",
        ]
        if self.kept_at:
            lines.append(f"Tệp gốc được lưu tại: {self.kept_at}")
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "agency_folder": self.agency_folder,
            "received_at": self.received_at.isoformat(),
            "content_hash": self.content_hash,
            "kept_at": self.kept_at,
            "problems": [asdict(p) for p in self.problems],
            **self.extra,
        }
