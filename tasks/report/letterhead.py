"""Who issues the report and to whom: the parts of the document that come from settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from config.settings import Settings

DEFAULT_RECIPIENTS = (
    "Bộ Nội vụ (Vụ Cải cách hành chính)",
    "Thường trực Tỉnh ủy, Thường trực HĐND tỉnh (để b/c)",
    "Chủ tịch, các Phó Chủ tịch UBND tỉnh (để b/c)",
    "Các sở, ban, ngành tỉnh",
    "UBND các xã, phường, đặc khu",
    "Lưu: VT, CCHC",
)


@dataclass(frozen=True)
class Letterhead:
    """Issuing body, number, place, signer and recipients (``CCHC_DOC_*`` settings)."""

    issuing_parent: str = "UBND TỈNH AN GIANG"
    issuing_body: str = "SỞ NỘI VỤ"
    issuing_name: str = "Sở Nội vụ"  # the body's name in a sentence
    number_prefix: str = "BC-SNV"
    place: str = "An Giang"
    signer_capacity: str = "GIÁM ĐỐC"  # e.g. "KT. GIÁM ĐỐC"
    signer_title: str = ""  # e.g. "PHÓ GIÁM ĐỐC" under a "KT." capacity
    signer_name: str = ""
    recipients: tuple[str, ...] = field(default=DEFAULT_RECIPIENTS)

    @property
    def number_line(self) -> str:
        """``Số:      /BC-SNV`` (the number is written by the clerk when the report is filed)."""
        return f"Số: \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/{self.number_prefix}"

    def recipient_lines(self) -> list[str]:
        """``- Bộ Nội vụ;`` … ``- Lưu: VT, CCHC.`` (the last one ends with a full stop)."""
        items = [r.strip().rstrip(";.") for r in self.recipients if r.strip()]
        return [f"- {r}{'.' if i == len(items) - 1 else ';'}" for i, r in enumerate(items)]


def letterhead_from(settings: Settings) -> Letterhead:
    """The letterhead the ``CCHC_DOC_*`` settings describe."""
    recipients = (tuple(settings.doc_recipients) if settings.doc_recipients is not None
                  else DEFAULT_RECIPIENTS)
    return Letterhead(
        issuing_parent=settings.doc_issuing_parent, issuing_body=settings.doc_issuing_body,
        issuing_name=settings.doc_issuing_name, number_prefix=settings.doc_number_prefix,
        place=settings.doc_place, signer_capacity=settings.doc_signer_capacity,
        signer_title=settings.doc_signer_title, signer_name=settings.doc_signer_name,
        recipients=recipients,
    )
