"""Prefect tasks of the report stage: a period's inputs, the report, its version."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from prefect import get_run_logger, task
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)
from prefect.cache_policies import INPUTS, NO_CACHE, TASK_SOURCE

from config.index766 import Index766Config
from config.registry import Registry
from tasks.indicators.compute import PeriodInputs
from tasks.model.ports import ReportStore
from tasks.opaque_arguments import opaque_arguments
from tasks.portal.dossier_counts import DossierCounts, count_dossier_file, counting_code
from tasks.report import build, period_inputs, publish, trend_history
from tasks.report.dossier_figures import known_units
from tasks.report.letterhead import Letterhead
from tasks.report.summaries import province_table, report_markdown

gather_inputs = task(name="doc-du-lieu-ky", cache_policy=NO_CACHE)(period_inputs.gather_inputs)
# the registry, the inputs and the report content: passed quoted (tasks.opaque_arguments)
build_report = opaque_arguments(task(name="tinh-chi-so", cache_policy=NO_CACHE)(
    build.build_report))
add_trend = opaque_arguments(task(name="xu-huong-cac-ky", cache_policy=NO_CACHE)(
    trend_history.with_trend))

# The counts of a stored dossier file, cached in Prefect's result storage under everything
# they depend on (content hash, window, known units, 766 rules, counting code, this task's
# source) but not the archive path: a rerun with the same file does not read it again.
count_dossiers = task(name="dem-ho-so", cache_policy=INPUTS + TASK_SOURCE - "path")(
    count_dossier_file)


def dossier_counts(registry: Registry, inputs: PeriodInputs,
                   index766: Index766Config | None) -> DossierCounts | None:
    """The counts of the period's current dossier file (``dem-ho-so``, cached), or None
    when it has none or they could not be counted (``build_report`` then reads the file
    and reports why in the report's data gaps)."""
    stored = inputs.dossier_file
    if stored is None or index766 is None:
        return None
    state = count_dossiers(Path(stored.archive_path), stored.content_hash, inputs.window,
                           known_units(registry), index766, counting_code(),
                           return_state=True)
    return state.result() if state.is_completed() else None


@opaque_arguments
@task(name="ghi-ban-bao-cao", cache_policy=NO_CACHE)
def publish_version(db: ReportStore, built: build.BuiltReport, reports_dir: Path, *,
                    force: bool, run_id: str | None, now: datetime, timezone: str,
                    letterhead: Letterhead | None = None) -> publish.ReportOutcome:
    outcome = publish.publish_version(db, built, reports_dir, force=force, run_id=run_id,
                                      now=now, timezone=timezone, letterhead=letterhead)
    get_run_logger().info("Báo cáo kỳ %s: v%d (%s) trong %s", outcome.period, outcome.version,
                          outcome.state_vi,
                          outcome.folder)
    return outcome


@opaque_arguments
@task(name="dang-bao-cao-len-giao-dien", cache_policy=NO_CACHE)
def publish_report_artifacts(outcome: publish.ReportOutcome) -> None:
    """The province figures, the change summary and a link to the report in the UI."""
    key = f"bao-cao-cchc-{outcome.period.lower()}"
    create_table_artifact(province_table(outcome), key=key,
                          description=f"Chỉ số cấp tỉnh {outcome.content.period_label_vi}")
    create_markdown_artifact(report_markdown(outcome), key=f"{key}-tom-tat",
                             description="Tóm tắt kỳ báo cáo")
    create_link_artifact(outcome.folder.resolve().as_uri(), link_text=f"Thư mục báo cáo "
                         f"{outcome.period} v{outcome.version}", key=f"{key}-thu-muc")
    content = outcome.content
    if content.trend:
        create_table_artifact(
            trend_history.trend_table(content.trend, content.indicator_names,
                                      content.indicator_kinds),
            key=f"{key}-xu-huong",
            description="Xu hướng chỉ số toàn tỉnh: như đã báo cáo và quy về đơn vị hiện nay "
                        "(tử số, mẫu số chuyển theo bảng chuyển đổi, tỷ lệ tính lại)")
