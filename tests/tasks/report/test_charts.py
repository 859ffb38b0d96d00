"""Charts: readable with 130 units (split, no overlapping labels), Vietnamese glyphs, lazy."""

from __future__ import annotations

import struct
import subprocess
import sys
import warnings
from itertools import pairwise

import pytest
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from tasks.report.charts import (
    DPI,
    PAD_PT,
    UNITS_PER_PART,
    WIDTH_IN,
    _png,
    draw_charts,
    tasks_by_area_figure,
    unit_rate_charts,
    unit_rate_figures,
)
from tests.paths import REPO
from tests.tasks.report.test_word import PREVIOUS, sample_content

A4_TEXT_HEIGHT_OVER_WIDTH = 252 / 160  # 297 - 2 × 20 mm (+ header room) over a 160 mm image


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_130_units_are_split_into_pages_that_fit_a4() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        charts = unit_rate_charts(sample_content(units=130), "online_filing_rate",
                                  "units_online")
    assert not [w for w in caught if "missing from font" in str(w.message)]  # diacritics
    assert len(charts) == 4  # 131 units (130 communes and one hostile) in parts of ≤ 40
    assert all(f"(phần {i}/4)" in c.title for i, c in enumerate(charts, start=1))
    for chart in charts:
        width, height = _png_size(chart.png)
        assert width == round(WIDTH_IN * DPI)
        assert 300 < height <= width * A4_TEXT_HEIGHT_OVER_WIDTH
        assert 10_000 < len(chart.png) < 1_000_000


def test_unit_labels_do_not_overlap_and_bars_are_sorted() -> None:
    figures = unit_rate_figures(sample_content(units=130), "online_filing_rate")
    title, figure = figures[0]
    assert title.startswith("Tỷ lệ hồ sơ tiếp nhận trực tuyến theo đơn vị, tháng 3/2025")
    figure.canvas.draw()
    axes = figure.axes[0]
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    labels = [t for t in axes.get_yticklabels() if t.get_text()]
    assert len(labels) <= UNITS_PER_PART
    boxes = sorted((t.get_window_extent(renderer) for t in labels), key=lambda b: b.y0)
    for lower, upper in pairwise(boxes):
        assert lower.y1 <= upper.y0 + 0.5  # no two unit names overlap
    assert boxes[0].x0 >= 0  # long names are shortened, not cut off at the left edge
    widths = [bar.get_width() for bar in axes.patches if isinstance(bar, Rectangle)]
    assert widths == sorted(widths)  # the lowest rate first (on top)


def test_every_chart_of_the_content_and_the_trend_only_with_a_previous_period() -> None:
    with_previous = {c.key for c in draw_charts(sample_content(), PREVIOUS, "2025-02")}
    assert with_previous == {"trend", "tasks_by_area", "units_online", "units_on_time"}
    without = {c.key for c in draw_charts(sample_content())}
    assert "trend" not in without


def test_matplotlib_is_imported_only_when_drawing() -> None:
    code = ("import sys, tasks.report.documents, tasks.report.publish; "
            "print('matplotlib' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_chart_is_laid_out_once_and_drawn_once_when_saved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from matplotlib.figure import Figure

    (_title, figure), *_ = unit_rate_figures(sample_content(units=130), "online_filing_rate")
    draws: list[object] = []
    original = Figure.draw

    def counting_draw(self: Figure, renderer: object) -> None:
        draws.append(renderer)
        original(self, renderer)  # type: ignore[arg-type]

    monkeypatch.setattr(Figure, "draw", counting_draw)
    png = _png(figure)
    assert len(draws) == 1  # constrained layout drew the figure twice to save it
    assert figure.get_layout_engine() is None  # and laid it out again on every draw
    assert _png_size(png)[0] == round(WIDTH_IN * DPI)


def test_long_titles_wrap_inside_the_image_and_keep_every_word() -> None:
    content = sample_content(units=130)
    (title, figure), *_ = unit_rate_figures(content, "online_filing_rate")
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    axes = figure.axes[0]
    drawn = axes.get_title(loc="left")
    assert drawn.replace("\n", " ") == title  # every word, in order, diacritics intact
    assert drawn.count("\n") == 1  # too long for one line at 160 mm, two are enough
    text = next(t for t in axes.get_children() if isinstance(t, Text) and t.get_text() == drawn)
    pad = PAD_PT * DPI / 72
    assert text.get_window_extent(renderer).x1 <= figure.bbox.width - pad + 0.5
    whole = figure.get_tightbbox(renderer)  # labels, values, title: nothing cut at an edge
    assert whole is not None
    assert whole.x0 >= 0 and whole.y0 >= 0
    assert whole.x1 <= figure.bbox_inches.width and whole.y1 <= figure.bbox_inches.height


def test_the_longest_area_bar_ends_inside_the_axes() -> None:
    drawn = tasks_by_area_figure(sample_content(units=130))
    assert drawn is not None
    axes = drawn[1].axes[0]
    ends = [bar.get_x() + bar.get_width() for bar in axes.patches if isinstance(bar, Rectangle)]
    assert max(ends) > 0
    assert axes.get_xlim()[1] >= max(ends) * 1.04  # room after the longest bar
