"""The receipt of an accepted file whose figures look odd: the file was taken in and
counts, but the agency is asked to check the figures listed, each with the history (or
peers, or bounds) that makes it odd, and to send a corrected file if one is wrong.

Written beside the archived copy as ``<archived name>.canh-bao.txt``
(:data:`WARNING_RECEIPT_SUFFIX`), recorded as an intake event ``warned`` holding the same
text, mailed once to the agency and shown on its page. Same header and wording style as
a rejected file's receipt (:class:`tasks.model.problems.Receipt`), so that an agency
reads both the same way; the warnings are never a reason to reject the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from tasks.model.problems import agency_message, name_only, receipt_head

WARNING_RECEIPT_SUFFIX = ".canh-bao.txt"
WARNED = "warned"  # the intake event that records a warning receipt


@dataclass(frozen=True)
class WarningReceipt:
    """What an agency is told about an accepted file with odd figures: the file's name,
    its folder, when it arrived, its content hash, the period it was counted for, and
    each warning (one line per odd figure, from :func:`tasks.report.plausibility
    .month_warnings`). ``kept_as`` is the archived copy's name (no folder)."""

    file_name: str
    received_at: datetime
    content_hash: str
    period: str | None
    warnings: tuple[str, ...]
    agency_folder: str | None = None
    kept_as: str | None = None

    def to_text(self, zone: tzinfo) -> str:
        """The receipt as the agency reads it, times in ``zone`` (the settings' time zone)."""
        lines = receipt_head("PHIẾU BÁO TIẾP NHẬN TỆP BÁO CÁO — CÓ SỐ LIỆU CẦN KIỂM TRA",
                             self.file_name, self.agency_folder, self.received_at,
                             self.content_hash, zone)
        lines += [
            f"Tệp đã được tiếp nhận{f' (kỳ {self.period})' if self.period else ''} và "
            "được tính vào báo cáo. Tuy nhiên, các số liệu sau bất thường so với số liệu "
            "12 tháng trước của chính đơn vị hoặc của các đơn vị cùng loại:",
        ]
        lines += [f"{n}. {agency_message(w)}" for n, w in enumerate(self.warnings, start=1)]
        lines += [
            "",
            "Đề nghị đơn vị kiểm tra lại các số liệu trên. Nếu số liệu nào bị sai, hãy sửa "
            "và nộp lại tệp đã sửa vào thư mục của đơn vị (tệp nộp sau thay thế tệp này).",
            "Nếu các số liệu là đúng, đơn vị không cần làm gì thêm.",
        ]
        if self.kept_as:
            lines.append(f"Mã lưu tệp (ghi khi liên hệ bộ phận tổng hợp): "
                         f"{name_only(self.kept_as)}")
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class WarningReceiptToMail:
    """An accepted agency file's warning receipt that may have to be mailed; the receipt
    is beside ``archive_path`` as ``<name>.canh-bao.txt``."""

    submission_id: int  # the delivery's version: one mail per accepted file
    agency_code: str
    file_name: str
    archive_path: str
    arrived_at: datetime
