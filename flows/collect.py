"""Flow: collect what agencies and the portal have dropped into the workspace."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from config.settings import load_settings
from flows.resources import Resources, build_resources
from tasks import steps
from tasks.collect import CollectSummary, summarize
from tasks.periods import parse_period


def collect_inbox(res: Resources) -> CollectSummary:
    """Every file waiting in ``inbox/``, oldest first, one task per file."""
    today, now = res.today(), res.now()
    outcomes = [steps.collect_submission_file(item, res.inbox, res.db, res.registry,
                                              today=today, now=now)
                for item in steps.list_files(res.inbox)]
    return summarize(outcomes)


def collect_portal(res: Resources) -> CollectSummary:
    """Every portal export waiting in ``portal/``."""
    today, now = res.today(), res.now()
    outcomes = [steps.collect_portal_file(item, res.portal, res.db, res.registry,
                                          today=today, now=now)
                for item in steps.list_files(res.portal)]
    return summarize(outcomes)


@flow(name="collect-submissions", log_prints=True)
def collect_submissions(period: str | None = None, workspace: str | None = None
                        ) -> dict[str, int]:
    """Process the collection folder: accept each file once, or reject it with a receipt.

    ``period`` (optional) only labels the summary: files for any period are collected.
    Returns counts: accepted, duplicate, superseded (earlier files replaced), rejected.
    """
    res = build_resources(load_settings(workspace=Path(workspace) if workspace else None))
    label = parse_period(period).label if period else None
    inbox = collect_inbox(res)
    portal = collect_portal(res)
    steps.publish_collect_artifacts(inbox, portal, label)
    return {**inbox.counts(), "portal_accepted": portal.accepted,
            "portal_duplicate": portal.duplicate, "portal_rejected": portal.rejected}
