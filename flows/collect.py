"""Flow: collect what agencies and the portal have dropped into the workspace."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from prefect import flow, get_run_logger
from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from config.settings import load_settings
from flows.resources import Resources, build_resources
from tasks.delivery import steps as delivery_steps
from tasks.intake import steps as intake_steps
from tasks.intake.collect import CollectSummary, FileOutcome, Intake, summarize
from tasks.intake.summaries import waiting_summary
from tasks.model.periods import parse_period
from tasks.model.records import InboxFile


def collect_inbox(res: Resources, *, wait: bool = False) -> CollectSummary:
    """Every file waiting in ``inbox/``, oldest first, one task per file."""
    return _collect(res, res.inbox_intake, intake_steps.collect_submission_file, wait=wait)


def collect_portal(res: Resources, *, wait: bool = False) -> CollectSummary:
    """Every portal export or dossier file waiting in ``portal/``."""
    return _collect(res, res.portal_intake, intake_steps.collect_portal_file, wait=wait)


def _collect(res: Resources, intake: Intake,
             step: Callable[[InboxFile, Intake], FileOutcome | None], *,
             wait: bool) -> CollectSummary:
    """Under the workspace lock: finish what a crash left, then take in each file that
    is no longer being written, in order of first sighting (with ``wait``, after waiting
    for those still being written); the others are listed as waiting."""
    settle = timedelta(seconds=res.settings.settle_seconds)
    with res.lock:
        intake_steps.repair_intake(intake)
        listing = intake_steps.list_ready_files(intake, settle, wait)
        logger = get_run_logger()
        outcomes = []
        for number, item in enumerate(listing.ready, start=1):
            outcomes.append(step(item, intake))
            logger.info("%s: %d/%d tệp", intake.source, number, len(listing.ready))
        return summarize(outcomes, listing.waiting)


@flow(name="collect-submissions", log_prints=True)
def collect_submissions(
    period: Annotated[str | None, Field(examples=["2025-05"])] = None,
    workspace: SkipJsonSchema[str | None] = None,
    wait_for_files: bool = False,
) -> dict[str, object]:
    """Process the collection folder: accept each file once, or reject it with a receipt.

    Returns counts: accepted, duplicate, superseded (earlier files replaced), rejected,
    waiting (files still being written, left for a later intake), and ``waiting_files``
    (each such file with its unit).

    Args:
        period: Chỉ để ghi nhãn bảng tổng hợp (ví dụ 2025-05); tệp của mọi kỳ đều được
            thu nhận.
        workspace: Thư mục làm việc (chỉ cho CLI và kiểm thử; triển khai dùng biến môi
            trường CCHC_WORKSPACE của worker, không hiện trên giao diện).
        wait_for_files: Chờ các tệp đang được ghi (tối đa CCHC_SETTLE_SECONDS sau lần sửa
            cuối của mỗi tệp) rồi mới thu nhận; tắt (lịch chạy định kỳ): tệp đang ghi được
            liệt kê là «đang chờ thu nhận» và để lần sau.
    """
    res = build_resources(load_settings(workspace=Path(workspace) if workspace else None))
    label = parse_period(period).label if period else None
    inbox = collect_inbox(res, wait=wait_for_files)
    portal = collect_portal(res, wait=wait_for_files)
    intake_steps.publish_collect_artifacts(inbox, portal, label)
    mail = res.agency_mail
    if mail is not None:  # receipts (rejections; odd figures), each mailed once
        delivery_steps.send_receipts(res.db, res.registry, res.deliveries, mail.smtp,
                                     mail.sender, res.now(), res.clock)
        delivery_steps.send_warning_receipts(res.db, res.registry, res.deliveries, mail.smtp,
                                             mail.sender, res.now(), res.clock)
    return {**inbox.counts(), "portal_accepted": portal.accepted,
            "portal_duplicate": portal.duplicate, "portal_rejected": portal.rejected,
            "portal_waiting": len(portal.waiting),
            "waiting_files": waiting_summary([*inbox.waiting, *portal.waiting])}
