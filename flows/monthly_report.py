"""Flow: the monthly (or quarterly, …) consolidated report for Sở Nội vụ."""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run

from config.settings import load_settings
from flows.collect import collect_inbox, collect_portal
from flows.portal_api import fetch_portal_figures
from flows.resources import build_resources
from tasks.delivery import steps as delivery_steps
from tasks.intake import steps as intake_steps
from tasks.model.periods import parse_period
from tasks.report import steps as report_steps
from tasks.report.letterhead import letterhead_from


@flow(name="monthly-report", log_prints=True)
def monthly_report(period: str | None = None, force: bool = False, publish: bool = True,
                   workspace: str | None = None) -> dict[str, object]:
    """Collect what is waiting, compute the period's indicators and publish the report.

    ``period`` defaults to the last closed month. A rerun with unchanged inputs keeps
    the existing version unless ``force``; new or corrected inputs make ``v<N+1>``.
    Publishing copies the version to the outbox and e-mails it once (when SMTP is set);
    a failed mail ends the run FAILED after the artifacts, and the next run resends it.
    ``publish=False`` writes the report and hands nothing over.
    """
    settings = load_settings(workspace=Path(workspace) if workspace else None)
    res = build_resources(settings)
    target = parse_period(period) if period else res.rules.last_closed_month(res.today())
    inbox, portal = collect_inbox(res), collect_portal(res)
    portal_api = fetch_portal_figures(res, target)
    intake_steps.publish_collect_artifacts(inbox, portal, target.label)
    inputs, portal_file, rejections = report_steps.gather_inputs(res.db, target, rules=res.rules)
    built = report_steps.build_report(res.registry, inputs, portal_file, rejections,
                                      data_gaps=portal_api.gaps)
    outcome = report_steps.publish_version(res.db, built, settings.workspace / "reports",
                                           force=force, run_id=str(flow_run.id), now=res.now(),
                                           timezone=settings.timezone,
                                           letterhead=letterhead_from(settings))
    delivery = (delivery_steps.deliver_report(res.outbox, res.deliveries, res.mail, outcome,
                                              return_state=True) if publish else None)
    report_steps.publish_report_artifacts(outcome)
    return {**outcome.summary(), "collected": inbox.counts(),
            "portal_api": portal_api.summary(), **delivery_steps.delivery_summary(delivery)}
