"""The e-mails agencies receive: a reminder to report, a rejected file's receipt, and an
accepted file's receipt when its figures look odd.

Plain functions that build the message; sending (once) is :mod:`tasks.delivery.agency_notices`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from email.message import EmailMessage
from email.utils import make_msgid

from tasks.model.periods import Period
from tasks.model.report import TaskProgressRow


def reminder_text(unit_name: str, period: Period, due: date,
                  tasks: Sequence[TaskProgressRow]) -> str:
    """The reminder's body: the period, the due date and the unit's tasks not yet done."""
    lines = [
        f"Kính gửi: {unit_name},",
        "",
        f"Đến nay hệ thống chưa nhận được báo cáo công tác cải cách hành chính "
        f"{period.label_vi} (kỳ {period.label}) của đơn vị.",
        f"Hạn nộp: hết ngày {due:%d/%m/%Y}.",
        "",
    ]
    if tasks:
        lines.append("Các nhiệm vụ đơn vị cần báo cáo tiến độ:")
        for row in tasks:
            deadline = f"hạn {row.deadline:%d/%m/%Y}" if row.deadline else "không có thời hạn"
            state = row.status or "chưa báo cáo"
            overdue = ", đã quá hạn" if row.overdue else ""
            lines.append(f"- {row.task_id} ({row.area}): {row.text} — {deadline}{overdue}; "
                         f"tình trạng đã báo cáo: {state}")
    else:
        lines.append("Đơn vị không có nhiệm vụ nào đến hạn; vẫn cần nộp báo cáo định kỳ.")
    lines += [
        "",
        "Đề nghị đơn vị điền biểu mẫu báo cáo và đặt tệp vào thư mục của đơn vị trước hạn.",
        "Thư này được gửi tự động; nếu đơn vị đã nộp, xin bỏ qua thư này.",
    ]
    return "\n".join(lines) + "\n"


def build_reminder_mail(unit_name: str, period: Period, due: date,
                        tasks: Sequence[TaskProgressRow], *, sender: str,
                        recipient: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = (f"[CCHC] Nhắc nộp báo cáo CCHC {period.label_vi} "
                          f"(hạn {due:%d/%m/%Y})")
    message["From"] = sender
    message["To"] = recipient
    message["Message-ID"] = make_msgid(domain=_domain(sender))
    message.set_content(reminder_text(unit_name, period, due, tasks))
    return message


def build_receipt_mail(file_name: str, receipt_text: str, *, sender: str,
                       recipient: str) -> EmailMessage:
    """The receipt of a rejected file, as written beside it in quarantine."""
    message = EmailMessage()
    message["Subject"] = f"[CCHC] Phiếu báo lỗi tệp báo cáo «{file_name}»"
    message["From"] = sender
    message["To"] = recipient
    message["Message-ID"] = make_msgid(domain=_domain(sender))
    message.set_content(receipt_text)
    return message


def build_warning_receipt_mail(file_name: str, receipt_text: str, *, sender: str,
                               recipient: str) -> EmailMessage:
    """The receipt of an accepted file with figures to check, as written beside its
    archived copy."""
    message = EmailMessage()
    message["Subject"] = (f"[CCHC] Đã tiếp nhận tệp báo cáo «{file_name}» — có số liệu "
                          "cần kiểm tra")
    message["From"] = sender
    message["To"] = recipient
    message["Message-ID"] = make_msgid(domain=_domain(sender))
    message.set_content(receipt_text)
    return message


def _domain(sender: str) -> str:
    return sender.rpartition("@")[2].strip(" >") or "cchc.local"
