"""The report as one self-contained HTML page (also the e-mail body).

Inline CSS only, charts as ``data:image/png;base64`` URIs, no external reference. Every text
from agencies and settings is HTML-escaped. Readable on a phone (tables scroll sideways
inside their own box) and on a desktop (content at most 60 rem wide).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from tasks.report.charts import Chart
from tasks.report.par_annex import Annex
from tasks.report.text_safety import escape_html
from tasks.report.view import ReportView, Table

_CSS = """
*{box-sizing:border-box}
body{margin:0;padding:1rem;background:#f4f5f7;color:#1a1a1a;
font:16px/1.55 "Times New Roman",Times,"DejaVu Serif",serif}
.page{max-width:60rem;margin:0 auto;background:#fff;padding:1.25rem 1.5rem;
border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.head{display:flex;flex-wrap:wrap;justify-content:space-between;gap:1rem;text-align:center}
.head div{flex:1 1 16rem}
.head p{margin:.1rem 0}
.rule{width:6rem;border:0;border-top:1px solid #000;margin:.2rem auto .4rem}
.b{font-weight:bold}.i{font-style:italic}
h1{font-size:1.25rem;text-align:center;margin:1.5rem 0 .25rem}
.summary{text-align:center;font-weight:bold;margin:0 0 1rem}
h2{font-size:1.05rem;margin:1.5rem 0 .5rem}
p.body{text-align:justify;text-indent:1.27cm;margin:.35rem 0}
.caption{font-style:italic;text-align:center;margin:.75rem 0 .25rem}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.25rem 0 1rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #999;padding:.3rem .45rem;vertical-align:top;text-align:left}
th{background:#ddebf7;text-align:center}
td.num{text-align:right;white-space:nowrap}
img{display:block;max-width:100%;height:auto;margin:.75rem auto}
.end{display:flex;flex-wrap:wrap;justify-content:space-between;gap:1rem;margin-top:2rem}
.end div{flex:1 1 16rem}
.recipients p{margin:0;font-size:.85rem}
.sign{text-align:center}
.sign .name{margin-top:3.5rem}
hr.annex{border:0;border-top:1px dashed #999;margin:2.5rem 0 1rem}
@media (max-width:40rem){body{padding:0}.page{border-radius:0;padding:1rem .75rem}
p.body{text-indent:1.5rem}}
"""


def html_name(period: str) -> str:
    return f"bao-cao-cchc-{period}.html"


def _numeric(text: str) -> bool:
    stripped = text.replace(".", "").replace(",", "").replace(" %", "").replace("-", "")
    return bool(stripped) and stripped.isdigit()


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape_html(h)}</th>" for h in table.headers)
    rows = "".join(
        "<tr>" + "".join(
            f'<td class="num">{escape_html(c)}</td>' if _numeric(c)
            else f"<td>{escape_html(c)}</td>"
            for c in row) + "</tr>" for row in table.rows)
    caption = f'<p class="caption">{escape_html(table.caption)}</p>' if table.caption else ""
    return (f'{caption}<div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")


def _image(chart: Chart) -> str:
    """The chart inline, as a ``data:image/png;base64,…`` URI: the page needs no file."""
    uri = "data:image/png;base64," + base64.b64encode(chart.png).decode("ascii")
    return f'<img alt="{escape_html(chart.title)}" src="{escape_html(uri)}">'


def _annex(annex: Annex) -> str:
    """An annex after the signature: «Phụ lục», its title, the line tying it to the report."""
    parts = ['<hr class="annex">',
             f'<p class="summary">Phụ lục {escape_html(annex.number)}</p>',
             f'<p class="summary">{escape_html(annex.title)}</p>',
             f'<p class="caption">{escape_html(annex.attached_to)}</p>']
    parts.extend(f'<p class="body">{escape_html(p)}</p>' for p in annex.paragraphs)
    parts.extend(_table(Table(t.headers, t.rows, t.caption)) for t in annex.tables)
    return "\n".join(parts)


def render_html(view: ReportView, charts: Sequence[Chart] = ()) -> str:
    """The whole report as one HTML document (a string), ready to save or to mail."""
    by_key: dict[str, list[Chart]] = {}
    for chart in charts:
        by_key.setdefault(chart.key, []).append(chart)
    parts = [
        "<!DOCTYPE html>", '<html lang="vi">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape_html(view.document_type)} {escape_html(view.summary_line)}</title>",
        f"<style>{_CSS}</style>", "</head>", "<body>", '<div class="page">',
        '<div class="head"><div>',
        f"<p>{escape_html(view.issuing_parent)}</p>",
        f'<p class="b">{escape_html(view.issuing_body)}</p><hr class="rule">',
        f"<p>{escape_html(view.number_line)}</p></div><div>",
        f'<p class="b">{escape_html(view.motto)}</p>',
        f'<p class="b">{escape_html(view.motto_subtitle)}</p><hr class="rule">',
        f'<p class="i">{escape_html(view.place_date)}</p></div></div>',
        f"<h1>{escape_html(view.document_type)}</h1>",
        f'<p class="summary">{escape_html(view.summary_line)}</p>',
    ]
    for section in view.sections:
        parts.append(f"<h2>{escape_html(section.number)}. {escape_html(section.title)}</h2>")
        parts.extend(f'<p class="body">{escape_html(p)}</p>'
                     for p in [*section.paragraphs, *section.notes])
        parts.extend(_table(t) for t in section.tables)
        parts.extend(_image(c) for key in section.charts for c in by_key.get(key, []))
    recipients = "".join(f"<p>{escape_html(r)}</p>" for r in view.recipients)
    title = f"<p class=\"b\">{escape_html(view.signer_title)}</p>" if view.signer_title else ""
    parts += [
        '<div class="end"><div class="recipients"><p class="b i">Nơi nhận:</p>',
        f"{recipients}</div>",
        f'<div class="sign"><p class="b">{escape_html(view.signer_capacity)}</p>{title}',
        f'<p class="b name">{escape_html(view.signer_name)}</p></div></div>',
        *[_annex(annex) for annex in view.annexes],
        "</div>", "</body>", "</html>",
    ]
    return "\n".join(parts) + "\n"
