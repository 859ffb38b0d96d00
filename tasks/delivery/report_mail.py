"""The e-mail that carries a report version to Sở Nội vụ.

Subject with the period and version; HTML body = the report's HTML file when the version
folder has one, else a small page built from the run summary; a plain-text alternative;
the Word and Excel files attached. The change summary is the one shown in the Prefect UI
(:func:`tasks.report.summaries.report_markdown`). The Message-ID depends only on the period, the
version and the sender's domain, so the same version always has the same Message-ID.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime

from tasks.report.html import html_name
from tasks.report.publish import ReportOutcome
from tasks.report.summaries import report_markdown
from tasks.report.version_files import workbook_name
from tasks.report.word import word_name

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOCX = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
_FOLDER_LINE = re.compile(r"^Thư mục báo cáo: .*$", re.MULTILINE)
_BODY_TAG = re.compile(r"<body[^>]*>", re.IGNORECASE)
# text_safety.escape_markdown puts a backslash before ASCII punctuation; mail shows plain text
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def mail_subject(period_label_vi: str, version: int) -> str:
    return f"[CCHC] Báo cáo CCHC {period_label_vi} - bản v{version}"


def message_id(period: str, version: int, sender: str) -> str:
    domain = sender.rpartition("@")[2].strip(" >") or "cchc.local"
    return f"<bao-cao-cchc.{period}.v{version}@{domain}>"


def mail_summary(outcome: ReportOutcome) -> str:
    """The run summary as plain text: without the server's local folder path (meaningless
    to recipients) and without the Markdown escapes (agency names show as written)."""
    text = _FOLDER_LINE.sub("", report_markdown(outcome))
    return re.sub(r"\n{3,}", "\n\n", _MARKDOWN_ESCAPE.sub(r"\1", text))


def _section(markdown: str, heading_prefix: str) -> str:
    """The ``## …`` section of ``markdown`` whose heading starts with ``heading_prefix``."""
    parts = re.split(r"(?m)^(?=## )", markdown)
    return next((p for p in parts if p.startswith(heading_prefix)), "")


def markdown_html(markdown: str) -> str:
    """The few forms of :func:`mail_summary` (headings, bullets, code) as escaped HTML."""
    out: list[str] = []
    in_list = False
    for raw in markdown.splitlines():
        line = html.escape(raw.strip())
        line = re.sub(r"`([^`]*)`", r"<code>\1</code>", line)
        if line.startswith("- "):
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{line[2:]}</li>")
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if line.startswith("## "):
            out.append(f"<h2>{line[3:]}</h2>")
        elif line.startswith("# "):
            out.append(f"<h1>{line[2:]}</h1>")
        elif line:
            out.append(f"<p>{line}</p>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


def _html_body(outcome: ReportOutcome, summary: str, title: str) -> str:
    report_html = outcome.folder / html_name(outcome.period)
    if not report_html.exists():
        return (f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
                f"<title>{html.escape(title)}</title></head><body>\n"
                f"{markdown_html(summary)}\n</body></html>\n")
    page = report_html.read_text(encoding="utf-8")
    changes = _section(summary, f"## Thay đổi so với v{outcome.version - 1}")
    if outcome.version <= 1 or not changes:
        return page
    note = f'<div class="thay-doi-phien-ban">\n{markdown_html(changes)}\n</div>\n'
    match = _BODY_TAG.search(page)
    return page[:match.end()] + "\n" + note + page[match.end():] if match else note + page


def _plain_text(outcome: ReportOutcome, summary: str, attached: Sequence[str]) -> str:
    label = outcome.content.period_label_vi
    intro = (f"Kính gửi Sở Nội vụ,\n\nXin gửi báo cáo cải cách hành chính {label}, "
             f"bản v{outcome.version}")
    if outcome.version > 1:
        intro += f" (thay thế bản v{outcome.version - 1}; các thay đổi nêu dưới đây)"
    lines = [intro + ".", "", summary.strip(), "", "Tệp đính kèm:"]
    lines += [f"- {name}" for name in attached]
    return "\n".join(lines) + "\n"


def build_report_mail(outcome: ReportOutcome, *, sender: str,
                      recipients: Sequence[str]) -> EmailMessage:
    """The message for ``outcome``'s version, built from its report folder."""
    folder, period = outcome.folder, outcome.period
    title = mail_subject(outcome.content.period_label_vi, outcome.version)
    summary = mail_summary(outcome)
    files = [(folder / word_name(period), DOCX), (folder / workbook_name(period), XLSX)]
    present = [(path, kind) for path, kind in files if path.exists()]

    message = EmailMessage()
    message["Subject"] = title
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(outcome.content.generated_at)
    message["Message-ID"] = message_id(period, outcome.version, sender)
    message.set_content(_plain_text(outcome, summary, [p.name for p, _ in present]))
    message.add_alternative(_html_body(outcome, summary, title), subtype="html")
    for path, (maintype, subtype) in present:
        message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype,
                               filename=path.name)
    return message
