"""Prefect tasks of the intake stage: thin wrappers around :mod:`tasks.intake.collect`.

Tasks taking a database or folder handle are not cached (``NO_CACHE``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from config.index766 import Index766Config
from config.registry import Registry
from tasks.intake import collect, settling
from tasks.intake.collect import CollectSummary, FileOutcome
from tasks.intake.settling import Listing
from tasks.intake.summaries import collect_markdown, collect_table
from tasks.model.ports import DropBox, IntakeStore, Lock
from tasks.model.records import InboxFile
from tasks.model.rules import ReportingRules
from tasks.opaque_arguments import opaque_arguments


@task(name="mo-thu-nhan", cache_policy=NO_CACHE)
def open_intake(lock: Lock, folder: DropBox, db: IntakeStore, *, source: str,
                clock: Callable[[], datetime], settle: timedelta, wait: bool) -> Listing:
    """Wait for (then hold) the workspace lock, finish what an interrupted run left and
    list the files ready to take in: one task run instead of three (each costs API calls).

    With ``wait`` (an explicit command), files still being written are waited for, with
    a line in the run log saying which and for how long; without (a scheduled run), they
    are listed as waiting and left for a later intake. The caller releases the lock (also
    when this fails)."""
    lock.acquire()
    collect.repair(folder, db, source=source, now=clock())
    if not wait:
        listing = settling.scan(folder, db, source=source, now=clock(), settle=settle)
    else:
        listing = settling.wait_until_settled(folder, db, source=source, clock=clock,
                                              settle=settle, announce=get_run_logger().info)
    if listing.waiting:
        get_run_logger().warning(
            "%d tệp đang được ghi, để lần thu nhận sau: %s", len(listing.waiting),
            ", ".join(w.shown_path for w in listing.waiting))
    return listing


_OUTCOME_VI = {"accepted": "đã nhận", "duplicate": "trùng, bỏ qua", "rejected": "bị từ chối"}


def _log_outcome(item: InboxFile, outcome: FileOutcome | None) -> None:
    """One line per file in the run's log: what became of it, and why when rejected."""
    logger = get_run_logger()
    if outcome is None:
        logger.warning("%s: không còn trong thư mục khi thu nhận", item.relative_name)
        return
    line = f"{outcome.file}: {_OUTCOME_VI[outcome.outcome]} (kỳ {outcome.period or '?'})"
    if outcome.superseded:
        line += f", thay thế {outcome.superseded} tệp trước"
    if outcome.problems:
        line += f", {outcome.total_problems} lỗi: {outcome.problems[0].line_vi()}"
    logger.info(line)


@opaque_arguments
@task(name="thu-nhan-bao-cao", cache_policy=NO_CACHE, task_run_name="thu-nhan-{item.name}")
def collect_submission_file(item: InboxFile, folder: DropBox, db: IntakeStore,
                            registry: Registry, *, today: date, now: datetime,
                            rules: ReportingRules | None = None) -> FileOutcome | None:
    outcome = collect.collect_submission_file(item, folder, db, registry, today=today, now=now,
                                              rules=rules)
    _log_outcome(item, outcome)
    return outcome


@opaque_arguments
@task(name="thu-nhan-so-lieu-cong-dvc", cache_policy=NO_CACHE,
      task_run_name="thu-nhan-cong-{item.name}")
def collect_portal_file(item: InboxFile, folder: DropBox, db: IntakeStore,
                        registry: Registry, *, today: date, now: datetime,
                        index766: Index766Config | None = None) -> FileOutcome | None:
    outcome = collect.collect_portal_file(item, folder, db, registry, today=today, now=now,
                                          index766=index766)
    _log_outcome(item, outcome)
    return outcome


@task(name="dang-ket-qua-thu-nhan", cache_policy=NO_CACHE)
def publish_collect_artifacts(inbox: CollectSummary, portal: CollectSummary,
                              period: str | None) -> None:
    """Show what the collection did in the Prefect UI."""
    title = "Thu nhận báo cáo" + (f" kỳ {period}" if period else "")
    create_markdown_artifact(collect_markdown(inbox, title)
                             + "\n" + collect_markdown(portal, "Số liệu cổng dịch vụ công"),
                             key="thu-nhan-bao-cao", description=title)
    rows = collect_table(inbox) + collect_table(portal)
    if rows:
        create_table_artifact(rows, key="thu-nhan-tung-tep", description="Kết quả từng tệp")
