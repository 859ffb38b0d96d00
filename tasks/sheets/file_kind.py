"""What a file really is, from its first bytes, when it is not what its name says.

Excel files that cannot be read as ``.xlsx`` are recognised so the receipt can say what
to do: an OLE2 compound file (``D0 CF 11 E0 A1 B1 1A E1``) is either a workbook saved by
Excel 97-2003 (``.xls``, BIFF) or an ``.xlsx`` encrypted with a password (Excel keeps it
in an OLE file with an ``EncryptedPackage`` stream).
"""

from __future__ import annotations

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")

PASSWORD_VI = ("tệp Excel được đặt mật khẩu nên không đọc được; hãy mở tệp bằng Excel, gỡ "
               "mật khẩu (Tệp › Thông tin › Bảo vệ sổ làm việc › Mã hoá bằng mật khẩu, xoá "
               "trống ô mật khẩu), lưu lại dưới dạng .xlsx rồi nộp lại")
OLD_XLS_VI = ("tệp là định dạng Excel 97-2003 (.xls) cũ, không được nhận; hãy mở bằng Excel, "
              "chọn Lưu thành › Sổ làm việc Excel (.xlsx) rồi nộp tệp .xlsx")


def ole_refusal(data: bytes) -> str | None:
    """The receipt's sentence for an OLE2 file (password-protected or old ``.xls``)."""
    if not data.startswith(OLE_MAGIC):
        return None
    return PASSWORD_VI if _ENCRYPTED in data else OLD_XLS_VI
