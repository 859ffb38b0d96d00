"""Benchmark 5: rendering the report for 130 units, part by part.

Builds the content of a report with 130 units (the real registry's units of 2025-07,
when the districts and the new communes overlap, plus the press and the Fatherland
Front), realistic indicator values, every task row of the register and a few rejected
files; then times, best of ``--repeat``:

- ``workbook``: the Excel workbook (tasks/report/workbook.py);
- ``charts``: every PNG chart (matplotlib; the import is counted in the first run only,
  so the best-of figure is the drawing itself);
- ``view``: the Vietnamese text and tables shared by Word and HTML;
- ``word``: the .docx from the docxtpl template, charts embedded;
- ``html``: the self-contained HTML, charts inline.

Prints each part's wall-clock and CPU time, slowest first, and the totals.

    PYTHONPATH=. .venv/bin/python bench/rendering.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from tasks.model.report import IndicatorValue, ReportContent

UNITS = 130


def build_content(seed: int = 5) -> ReportContent:
    from config.registry import load_registry
    from config.settings import REGISTRY_DIR
    from tasks.model.periods import parse_period
    from tasks.model.report import (
        PROVINCE,
        IndicatorValue,
        MissingUnitRow,
        RejectedFileRow,
        TaskProgressRow,
    )
    from tasks.model.rules import ReportingRules

    rng = random.Random(seed)
    registry = load_registry(REGISTRY_DIR)
    period = parse_period("2025-07")
    window = ReportingRules().window(period)
    units = registry.units_valid(*window)[:UNITS]
    assert len(units) == UNITS, len(units)
    names = {u.code: u.name for u in units}
    values: list[IndicatorValue] = []
    totals = {"online_filing_rate": [0.0, 0.0], "on_time_rate": [0.0, 0.0]}
    for unit in units:
        received = float(rng.randint(50, 3000))
        online = float(round(received * rng.uniform(0.3, 0.6)))
        resolved = float(round(received * rng.uniform(0.8, 0.95)))
        on_time = float(round(resolved * rng.uniform(0.93, 1.0)))
        for indicator, num, den in (("online_filing_rate", online, received),
                                    ("on_time_rate", on_time, resolved)):
            values.append(IndicatorValue(unit.code, indicator, num, den, num / den * 100))
            totals[indicator][0] += num
            totals[indicator][1] += den
    for indicator, (total_num, total_den) in totals.items():
        values.insert(0, IndicatorValue(PROVINCE, indicator, total_num, total_den,
                                        total_num / total_den * 100))
    tasks = []
    for task in registry.tasks_in_force(*window):
        for code in sorted(registry.leads_of(task, window) & names.keys()):
            status = rng.choice(["Hoàn thành", "Đang thực hiện", "Chưa thực hiện"])
            tasks.append(TaskProgressRow(
                task.id, task.area, task.text, code, names[code], task.deadline, status,
                100.0 if status == "Hoàn thành" else float(rng.randint(0, 90)), None,
                task.deadline is not None and status != "Hoàn thành",
                "Đã triển khai theo kế hoạch của đơn vị", None))
    missing = [MissingUnitRow(u.code, u.name, "chưa nộp") for u in units[::13]]
    rejected = [RejectedFileRow(u.code, f"bao-cao-{u.code}.xlsx",
                                datetime(2025, 7, 16, 8, tzinfo=UTC),
                                "Nhiệm vụ, dòng 5, cột Tiến độ (%): phải từ 0 đến 100")
                for u in units[::25]]
    return ReportContent(
        period=period.label, period_label_vi="tháng 7/2025", version=1,
        generated_at=datetime(2025, 7, 19, 7, tzinfo=UTC), window=window,
        indicators=values, indicator_names=registry.indicator_names(),
        indicator_kinds=registry.indicator_kinds(), unit_names=names, tasks=tasks,
        missing=missing, rejected=rejected)


def best_of(repeat: int, work: Callable[[], object]) -> tuple[float, float]:
    """The best wall-clock and the best CPU time (this process) of ``repeat`` runs; on a
    shared machine the CPU time is the steadier figure."""
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        work()
        best = min(best, time.perf_counter() - began)
        best_cpu = min(best_cpu, time.process_time() - began_cpu)
    return best, best_cpu


def render_parts(content: ReportContent, folder: Path, *,
                 previous: Sequence[IndicatorValue] = (), previous_period: str | None = None,
                 repeat: int = 1) -> tuple[dict[str, tuple[float, float]], int]:
    """Render ``content`` into ``folder`` part by part, with the functions ``write_report``
    uses: the workbook, the charts, the view shared by Word and HTML, the Word file and
    the HTML file (charts embedded in both). Returns each part's best wall-clock and CPU
    time of ``repeat`` and the number of chart images."""
    from tasks.report.charts import Chart, draw_charts
    from tasks.report.html import html_name, render_html
    from tasks.report.version_files import workbook_name
    from tasks.report.view import ReportView, build_view
    from tasks.report.word import word_name, write_word
    from tasks.report.workbook import write_report_workbook

    folder.mkdir(parents=True, exist_ok=True)
    drawn: list[list[Chart]] = []
    views: list[ReportView] = []
    times = {
        "workbook": best_of(repeat, lambda: write_report_workbook(
            content, folder / workbook_name(content.period))),
        "charts": best_of(repeat, lambda: drawn.append(
            draw_charts(content, previous, previous_period))),
        "view": best_of(repeat, lambda: views.append(
            build_view(content, None, previous=previous))),
        "word": best_of(repeat, lambda: write_word(views[-1], drawn[-1],
                                                   folder / word_name(content.period))),
        "html": best_of(repeat, lambda: (folder / html_name(content.period)).write_text(
            render_html(views[-1], drawn[-1]), encoding="utf-8")),
    }
    return times, len(drawn[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    content = build_content()
    previous = [v for v in content.indicators if v.unit == "TINH"]
    with tempfile.TemporaryDirectory(prefix="cchc-bench-render-") as tmp:
        times, charts = render_parts(content, Path(tmp), previous=previous,
                                     previous_period="2025-06", repeat=args.repeat)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}; load average {os.getloadavg()[0]:.1f}; "
          f"{date.today():%Y-%m-%d}")
    print(f"{UNITS} units, {len(content.tasks)} task rows, {charts} chart images")
    print(f"{'part':>9}  {'wall':>8}  {'CPU':>8}")
    for part, (seconds, cpu) in sorted(times.items(), key=lambda kv: -kv[1][0]):
        print(f"{part:>9}: {seconds:6.2f} s  {cpu:6.2f} s")
    print(f"{'total':>9}: {sum(t for t, _ in times.values()):6.2f} s  "
          f"{sum(c for _, c in times.values()):6.2f} s")


if __name__ == "__main__":
    main()
