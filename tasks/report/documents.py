"""Writing the rendered report (Word, HTML, chart PNGs) into a report version folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from config.settings import DEFAULT_TIMEZONE
from tasks.model.periods import parse_period
from tasks.model.report import IndicatorValue, ReportContent
from tasks.report.charts import Chart, draw_charts
from tasks.report.html import html_name, render_html
from tasks.report.letterhead import Letterhead
from tasks.report.view import build_view
from tasks.report.word import word_name, write_word


def write_documents(content: ReportContent, folder: Path, *, letterhead: Letterhead | None = None,
                    previous: Sequence[IndicatorValue] = (),
                    timezone: str = DEFAULT_TIMEZONE) -> list[Path]:
    """Write ``bao-cao-cchc-<period>.docx``, ``.html`` and ``bieu-do-*.png`` into ``folder``.

    ``previous``: the province values of the period before (for the change column and the
    trend chart); empty when there is none.
    """
    previous_period = parse_period(content.period).previous().label if previous else None
    charts = draw_charts(content, previous, previous_period)
    view = build_view(content, letterhead, previous=previous, timezone=timezone)
    folder.mkdir(parents=True, exist_ok=True)
    written = [write_word(view, charts, folder / word_name(content.period))]
    html = folder / html_name(content.period)
    html.write_text(render_html(view, charts), encoding="utf-8")
    written.append(html)
    written.extend(_write_charts(charts, folder))
    return written


def report_html(content: ReportContent, *, letterhead: Letterhead | None = None,
                previous: Sequence[IndicatorValue] = (),
                timezone: str = DEFAULT_TIMEZONE) -> str:
    """The HTML report as a string (the e-mail body), charts included as data URIs."""
    previous_period = parse_period(content.period).previous().label if previous else None
    charts = draw_charts(content, previous, previous_period)
    view = build_view(content, letterhead, previous=previous, timezone=timezone)
    return render_html(view, charts)


def _write_charts(charts: Sequence[Chart], folder: Path) -> list[Path]:
    paths = []
    counts: dict[str, int] = {}
    for chart in charts:
        index = counts.get(chart.key, 0)
        counts[chart.key] = index + 1
        path = folder / chart.file_name(index)
        path.write_bytes(chart.png)
        paths.append(path)
    return paths
