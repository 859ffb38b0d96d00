"""Prefect tasks of the report stage: a period's inputs, the report, its version.

Each takes the workspace's :class:`Reporting` (a plain object bound to the store, the
registry, the rules, the reports folder and the clock, which Prefect passes as it is)
and small values; the period's inputs go to one task (``tinh-chi-so``), the built report
to one (``ghi-ban-bao-cao``). All are ``NO_CACHE`` but ``dem-ho-so``, cached by its inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from prefect import get_run_logger, task
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)
from prefect.cache_policies import INPUTS, NO_CACHE, TASK_SOURCE

from config.index766 import Index766Config
from tasks.indicators.compute import PeriodInputs
from tasks.model.periods import Period
from tasks.model.records import StoredPortalFile, StoredRejection, WaitingFile
from tasks.portal.dossier_counts import DossierCounts, count_dossier_file, counting_sql
from tasks.report import trend_history
from tasks.report.build import BuiltReport
from tasks.report.publish import ReportOutcome
from tasks.report.reporting import Gathered, Reporting
from tasks.report.summaries import province_table, report_markdown


@task(name="doc-du-lieu-ky", cache_policy=NO_CACHE)
def gather_inputs(reporting: Reporting, period: Period) -> Gathered:
    return reporting.gather(period)


@task(name="tinh-chi-so", cache_policy=NO_CACHE)
def build_report(reporting: Reporting, inputs: PeriodInputs, portal: StoredPortalFile | None,
                 rejections: list[StoredRejection], *, data_gaps: Sequence[str],
                 dossier_counts: DossierCounts | None, waiting: Sequence[WaitingFile],
                 provisional: bool) -> BuiltReport:
    """The report's content and its trend over the published months (both computed from
    the period's inputs and the store's published versions)."""
    return reporting.build(inputs, portal, rejections, data_gaps=data_gaps,
                           dossier_counts=dossier_counts, waiting=waiting,
                           provisional=provisional)


# The counts of a stored dossier file, cached in Prefect's result storage under its inputs
# (content hash, window, known units, 766 rules, the counting SQL) and this task's source,
# but not the archive path: a rerun with the same file, wherever it is kept, does not read
# it again; a release that counts differently does.
@task(name="dem-ho-so", cache_policy=INPUTS + TASK_SOURCE - "path")
def count_dossiers(path: str, content_hash: str, window: tuple[date, date],
                   known_units: tuple[str, ...], index766: Index766Config,
                   sql: tuple[str, str]) -> DossierCounts:
    del sql  # the cache key's part only: the counting reads the same SQL itself
    return count_dossier_file(Path(path), content_hash, window, known_units, index766)


def dossier_counts(reporting: Reporting, inputs: PeriodInputs) -> DossierCounts | None:
    """The counts of the period's current dossier file (``dem-ho-so``, cached), or None
    when it has none or they could not be counted (said in the run's log; ``build_report``
    then reads the file and reports why in the report's data gaps)."""
    stored = inputs.dossier_file
    if stored is None:
        return None
    state = count_dossiers(stored.archive_path, stored.content_hash, inputs.window,
                           reporting.known_units(), reporting.index766, counting_sql(),
                           return_state=True)
    if state.is_completed():
        return state.result()
    get_run_logger().warning("Không đếm được hồ sơ của tệp %s (%s): %s; tệp sẽ được đọc lại "
                             "khi lập báo cáo", stored.file_name, stored.archive_path,
                             state.message or state.name)
    return None


@task(name="ghi-ban-bao-cao", cache_policy=NO_CACHE)
def publish_version(reporting: Reporting, built: BuiltReport, *, force: bool,
                    run_id: str | None) -> ReportOutcome:
    outcome = reporting.publish(built, force=force, run_id=run_id)
    get_run_logger().info("Báo cáo kỳ %s: v%d (%s) trong %s", outcome.period, outcome.version,
                          outcome.state_vi,
                          outcome.folder)
    return outcome


@task(name="dang-bao-cao-len-giao-dien", cache_policy=NO_CACHE)
def publish_report_artifacts(outcome: ReportOutcome) -> None:
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
