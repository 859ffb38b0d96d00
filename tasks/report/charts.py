"""The report's charts as PNG images (matplotlib, Agg canvas, imported only when drawing).

- ``units_online`` / ``units_on_time``: each unit's rate as a sorted horizontal bar, the
  target as a dashed line. Long lists are split into parts of :data:`UNITS_PER_PART` units
  so each image fits an A4 page at text width (130 units → 4 images).
- ``tasks_by_area``: task assignments per area, stacked done / open / overdue.
- ``trend``: the province's rates over the content's trend (the last months), as reported
  (solid) and rebased on today's units (dashed), a series break as a vertical line with a
  note; without a trend, the previous period and this one; not drawn without two periods.

Labels use DejaVu Sans (shipped with matplotlib), which has every Vietnamese letter.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tasks.model.report import PROVINCE, IndicatorValue, ReportContent
from tasks.model.vocabulary import ON_TIME, ONLINE_FILING
from tasks.report import vietnamese as vi
from tasks.report.text_safety import one_line
from tasks.report.view import areas, capitalised, is_done

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Text

WIDTH_IN = 6.3  # 160 mm, within the A4 text width (210 mm - 30 mm - 15 mm)
DPI = 120
UNITS_PER_PART = 40
ROW_IN = 0.19
LABEL_CHARS = 42
PAD_PT = 3.0  # room around a chart's outermost text, as matplotlib's constrained layout
FONT = "DejaVu Sans"
_DONE, _OPEN, _LATE, _BAR, _BELOW = "#2e7d32", "#90a4ae", "#c62828", "#1565c0", "#e57373"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    png: bytes

    def file_name(self, index: int = 0) -> str:
        return f"bieu-do-{self.key}{'' if index == 0 else f'-{index}'}.png"


def draw_charts(content: ReportContent, previous: Sequence[IndicatorValue] = (),
                previous_period: str | None = None) -> list[Chart]:
    """Every chart the content allows, in report order."""
    charts: list[Chart] = []
    trend = trend_chart(content, previous, previous_period)
    if trend is not None:
        charts.append(trend)
    area_chart = tasks_by_area_chart(content)
    if area_chart is not None:
        charts.append(area_chart)
    for code, key in ((ONLINE_FILING, "units_online"), (ON_TIME, "units_on_time")):
        charts.extend(unit_rate_charts(content, code, key))
    return charts


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _figure(height_in: float) -> Figure:
    """A figure on its own Agg canvas (no pyplot state), laid out once by :func:`_fit`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _fit(axes: Axes, title: str, **style: Any) -> None:
    """Give ``axes`` the ``title`` (left, wrapped) and place it so that it, its labels, legend
    and title fill the figure within :data:`PAD_PT` of the edges.

    This is what matplotlib's constrained layout does, measured once here instead of on every
    draw (constrained layout draws the figure twice on saving and measures each wrap
    candidate of the title again): 3-4 times faster for a chart of 40 units.
    The title is wrapped at spaces so that each line fits between the axes' left edge and
    the figure's right edge less the pad (the longest first lines that fit, like
    matplotlib's ``wrap=True``).
    """
    figure = axes.get_figure(root=True)
    assert figure is not None
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    width, height = figure.bbox.width, figure.bbox.height
    pad = PAD_PT * figure.dpi / 72
    box, tight = axes.get_window_extent(renderer), axes.get_tightbbox(renderer)  # no title yet
    assert tight is not None
    x0 = pad + max(0.0, box.x0 - tight.x0)
    x1 = width - pad - max(0.0, tight.x1 - box.x1)
    text = axes.set_title(title, loc="left", **style)
    text.set_text(_wrapped(text, title, width - pad - x0, renderer))
    # the title sits above the axes at a fixed offset: its height adds to the top margin
    top = max(tight.y1, text.get_window_extent(renderer).y1) - box.y1
    y0 = pad + max(0.0, box.y0 - tight.y0)
    y1 = height - pad - max(0.0, top)
    axes.set_position((x0 / width, y0 / height, (x1 - x0) / width, (y1 - y0) / height))


def _wrapped(text: Text, title: str, room: float, renderer: Any) -> str:
    """``title`` with line breaks at spaces so that each line of ``text`` (its font) is at most
    ``room`` pixels wide; a word longer than that stays whole on its own line."""
    def fits(line: str) -> bool:
        text.set_text(line)
        return bool(text.get_window_extent(renderer).width <= room)

    lines: list[str] = []
    words = title.split(" ")
    while words:
        low, high = 1, len(words)  # the longest prefix that fits (widths grow with words)
        while low < high:
            middle = (low + high + 1) // 2
            if fits(" ".join(words[:middle])):
                low = middle
            else:
                high = middle - 1
        lines.append(" ".join(words[:low]))
        words = words[low:]
    return "\n".join(lines)


def _png(figure: Figure) -> bytes:
    """The figure as PNG. zlib level 1 encodes these flat-coloured charts in half the time of
    the default level 6, for files about 1 % larger (the 40-unit charts about the same)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def _style(axes: Axes) -> None:
    axes.spines[["top", "right"]].set_visible(False)
    for label in [*axes.get_xticklabels(), *axes.get_yticklabels()]:
        label.set_fontfamily(FONT)


def unit_rate_charts(content: ReportContent, indicator: str, key: str) -> list[Chart]:
    """Each unit's ``indicator`` as sorted horizontal bars against the target line."""
    return [Chart(key, title, _png(figure))
            for title, figure in unit_rate_figures(content, indicator)]


def unit_rate_figures(content: ReportContent, indicator: str) -> list[tuple[str, Figure]]:
    """The figures of :func:`unit_rate_charts` (one per part of at most 40 units)."""
    values = sorted((v for v in content.indicators
                     if v.indicator == indicator and v.unit != PROVINCE
                     and v.value is not None and math.isfinite(v.value)),
                    key=lambda v: (v.value or 0.0, content.unit_names.get(v.unit, v.unit)))
    if not values:
        return []
    name = one_line(content.indicator_names.get(indicator, indicator))
    target = next((v.target for v in values if v.target is not None), None)
    parts = math.ceil(len(values) / UNITS_PER_PART)
    size = math.ceil(len(values) / parts)
    figures = []
    for part in range(parts):
        chunk = values[part * size:(part + 1) * size]
        title = f"{name} theo đơn vị, {vi.period_phrase(content.period)}"
        if parts > 1:
            title += f" (phần {part + 1}/{parts})"
        figure = _figure(1.3 + ROW_IN * len(chunk))
        axes = figure.add_subplot()
        labels = [_short(content.unit_names.get(v.unit, v.unit)) for v in chunk]
        rates = [v.value or 0.0 for v in chunk]
        colours = [_BELOW if target is not None and r < target else _BAR for r in rates]
        positions = range(len(chunk))
        axes.barh(positions, rates, color=colours, height=0.7)
        axes.set_yticks(list(positions), labels, fontsize=7.5)
        axes.set_ylim(-0.6, len(chunk) - 0.4)
        axes.invert_yaxis()  # the lowest rate on top: the units needing attention first
        axes.set_xlim(0, 112)
        axes.set_xticks([0, 20, 40, 60, 80, 100], ["0 %", "20 %", "40 %", "60 %", "80 %",
                                                   "100 %"], fontsize=8)
        for y, r in zip(positions, rates, strict=True):
            axes.text(r + 1, y, vi.number(r, 1), va="center", fontsize=6.5, fontfamily=FONT)
        if target is not None:
            axes.axvline(target, color="#333333", linestyle="--", linewidth=1,
                         label=f"Chỉ tiêu {vi.percent(target)}")
            axes.legend(loc="upper right", prop={"family": FONT, "size": 7})
        _style(axes)
        _fit(axes, title, fontsize=9.5, fontfamily=FONT)
        figures.append((title, figure))
    return figures


def tasks_by_area_chart(content: ReportContent) -> Chart | None:
    """Per area: assignments done, open (not overdue) and overdue, as stacked bars."""
    drawn = tasks_by_area_figure(content)
    if drawn is None:
        return None
    title, figure = drawn
    return Chart("tasks_by_area", title, _png(figure))


def tasks_by_area_figure(content: ReportContent) -> tuple[str, Figure] | None:
    grouped = areas(content.tasks)
    if not grouped:
        return None
    names = [_short(capitalised(area), 30) for area in grouped]
    done = [sum(1 for t in items if is_done(t)) for items in grouped.values()]
    late = [sum(1 for t in items if t.overdue and not is_done(t)) for items in grouped.values()]
    open_ = [len(items) - d - o for items, d, o in zip(grouped.values(), done, late,
                                                        strict=True)]
    title = f"Tiến độ nhiệm vụ theo lĩnh vực, {vi.period_phrase(content.period)}"
    from matplotlib.ticker import MaxNLocator

    figure = _figure(1.6 + 0.32 * len(names))
    axes = figure.add_subplot()
    positions = list(range(len(names)))[::-1]
    axes.barh(positions, done, color=_DONE, label="Hoàn thành", height=0.65)
    axes.barh(positions, open_, left=done, color=_OPEN, label="Đang thực hiện/chưa báo cáo",
              height=0.65)
    axes.barh(positions, late, left=[d + o for d, o in zip(done, open_, strict=True)],
              color=_LATE, label="Quá hạn", height=0.65)
    axes.set_yticks(positions, names, fontsize=8)
    axes.set_xlabel("Số lượt nhiệm vụ giao cho đơn vị", fontsize=8, fontfamily=FONT)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=3,
                prop={"family": FONT, "size": 7}, frameon=False)
    axes.tick_params(axis="x", labelsize=8)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    # the stacked bars' left edges are sticky for autoscaling: the longest bar would end
    # exactly at the axis' end, so give it the usual 5 % of room explicitly
    axes.set_xlim(0, max(1, max(d + o + late_ for d, o, late_ in zip(done, open_, late,
                                                                      strict=True))) * 1.05)
    _style(axes)
    _fit(axes, title, fontsize=9.5, fontfamily=FONT)
    return title, figure


TREND_BREAK_NOTE = "Gián đoạn chuỗi: địa giới tỉnh thay đổi"


def series_trend_chart(content: ReportContent) -> Chart | None:
    """The province's online-filing and on-time rates across ``content.trend``."""
    periods = list(dict.fromkeys(row.period for row in content.trend))
    if len(periods) < 2:
        return None
    title = f"Chỉ số toàn tỉnh qua các kỳ (đến {vi.period_phrase(content.period)})"
    figure = _figure(3.6)
    axes = figure.add_subplot()
    positions = {period: index for index, period in enumerate(periods)}
    drawn = False
    for code in (ONLINE_FILING, ON_TIME):
        rows = [row for row in content.trend if row.indicator == code]
        name = _short(content.indicator_names.get(code, code), 40)
        for attribute, style, label in (("reported", "-", "như đã báo cáo"),
                                        ("rebased", "--", "quy về đơn vị hiện nay")):
            points = [(positions[row.period], getattr(row, attribute)) for row in rows
                      if getattr(row, attribute) is not None]
            if not points:
                continue
            drawn = True
            axes.plot([x for x, _ in points], [y for _, y in points], linestyle=style,
                      marker="o", markersize=3, label=f"{name} ({label})")
    if not drawn:
        return None
    for period in dict.fromkeys(row.period for row in content.trend if row.series_break):
        x = positions[period] - 0.5
        axes.axvline(x, color="#c62828", linestyle=":", linewidth=1.2)
        axes.annotate(TREND_BREAK_NOTE, (x, 104), xytext=(3, 0), textcoords="offset points",
                      fontsize=7, fontfamily=FONT, color="#c62828")
    axes.set_xticks(list(positions.values()), [f"{p[5:]}/{p[:4]}" if len(p) == 7 else p
                                               for p in periods], fontsize=7, rotation=45)
    axes.set_ylim(0, 110)
    axes.set_ylabel("%", fontsize=8)
    axes.legend(loc="lower left", prop={"family": FONT, "size": 6.5})
    axes.tick_params(axis="y", labelsize=8)
    _style(axes)
    _fit(axes, title, fontsize=9.5, fontfamily=FONT)
    return Chart("trend", title, _png(figure))


def trend_chart(content: ReportContent, previous: Sequence[IndicatorValue],
                previous_period: str | None) -> Chart | None:
    """The province's online-filing and on-time rates over the trend, else previous period
    → this period."""
    if content.trend:
        series_chart = series_trend_chart(content)
        if series_chart is not None:
            return series_chart
    before = {v.indicator: v.value for v in previous if v.unit == PROVINCE}
    now = {v.indicator: v.value for v in content.indicators if v.unit == PROVINCE}
    series = [(code, before.get(code), now.get(code)) for code in (ONLINE_FILING, ON_TIME)]
    series = [s for s in series if s[1] is not None and s[2] is not None]
    if not series or previous_period is None:
        return None
    title = f"Chỉ số toàn tỉnh qua các kỳ (đến {vi.period_phrase(content.period)})"
    figure = _figure(3.2)
    axes = figure.add_subplot()
    labels = [vi.period_phrase(previous_period), vi.period_phrase(content.period)]
    for code, old, new in series:
        points = [old or 0.0, new or 0.0]
        axes.plot(labels, points, marker="o",
                  label=_short(content.indicator_names.get(code, code), 50))
        for x, y in zip(labels, points, strict=True):
            axes.annotate(vi.percent(y, 1), (x, y), textcoords="offset points", xytext=(0, 6),
                          ha="center", fontsize=7.5, fontfamily=FONT)
    axes.set_ylim(0, 110)
    axes.set_ylabel("%", fontsize=8)
    axes.legend(loc="lower right", prop={"family": FONT, "size": 7.5})
    axes.tick_params(labelsize=8)
    _style(axes)
    _fit(axes, title, fontsize=9.5, fontfamily=FONT)
    return Chart("trend", title, _png(figure))
