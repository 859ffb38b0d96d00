"""The HTML report: self-contained, escaped, readable on a phone."""

from __future__ import annotations

from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from tasks.report.charts import draw_charts
from tasks.report.documents import report_html, write_documents
from tasks.report.html import render_html
from tasks.report.view import build_view
from tests.tasks.report.test_word import HOSTILE_TASK, HOSTILE_UNIT, PREVIOUS, sample_content


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.references: list[tuple[str, str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "action", "background", "poster"):
                self.references.append((tag, name, value or ""))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@cache
def _page() -> tuple[str, _Collector]:
    content = sample_content()
    charts = draw_charts(content, PREVIOUS, "2025-02")
    page = render_html(build_view(content, previous=PREVIOUS), charts)
    collector = _Collector()
    collector.feed(page)
    return page, collector


def test_self_contained_no_external_reference() -> None:
    page, parsed = _page()
    assert parsed.references, "the charts are there"
    for tag, name, value in parsed.references:
        assert (tag, name) == ("img", "src") and value.startswith("data:image/png;base64,")
    assert "link" not in parsed.tags and "script" not in parsed.tags
    assert "@import" not in page and "url(" not in page
    assert len([t for t in parsed.tags if t == "img"]) == 4


def test_hostile_agency_text_is_escaped() -> None:
    page, parsed = _page()
    assert "<script>" not in page and "<img src=http" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page
    text = "".join(parsed.text)
    assert HOSTILE_UNIT in text and HOSTILE_TASK in text  # shown as written


def test_readable_on_phone_and_desktop() -> None:
    page, parsed = _page()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert page.count('<div class="scroll"><table>') == parsed.tags.count("table")
    assert ".scroll{overflow-x:auto" in page and "max-width:100%" in page
    assert '<html lang="vi">' in page and '<meta charset="utf-8">' in page


def test_says_what_the_word_report_says() -> None:
    _, parsed = _page()
    text = "".join(parsed.text)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "An Giang, ngày 16 tháng 4 năm 2025", "BÁO CÁO",
                     "Kết quả thực hiện công tác cải cách hành chính tháng 3/2025",
                     "43,21 %", "Đơn vị chưa gửi báo cáo (1): Sở Tài chính.", "Nơi nhận:",
                     "V. VẤN ĐỀ VỀ SỐ LIỆU"):
        assert expected in text


def test_report_html_for_the_mail_is_the_saved_page(tmp_path: Path) -> None:
    content = sample_content()
    write_documents(content, tmp_path, previous=PREVIOUS)
    saved = (tmp_path / "bao-cao-cchc-2025-03.html").read_text(encoding="utf-8")
    assert report_html(content, previous=PREVIOUS) == saved
