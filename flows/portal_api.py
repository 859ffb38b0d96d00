"""Asking the portal's statistics API for a period's figures, inside a flow."""

from __future__ import annotations

from flows.resources import Resources
from tasks.model.periods import Period
from tasks.portal import steps as portal_steps
from tasks.portal.api_records import (
    PortalApiOutcome,
    portal_fetch_failed,
    reused_after_failure,
)


def fetch_portal_figures(res: Resources, period: Period) -> PortalApiOutcome:
    """Fetch and store the period's portal figures when the API is configured.

    The run never fails for the portal: a portal that stays down or answers garbage gives
    an outcome whose ``gaps`` the report shows as a banner. When the portal fails, the
    newest complete answer saved for the period (``raw/portal/<period>/``) is used.
    """
    api, settings = res.portal_api, res.settings
    if api is None:
        return PortalApiOutcome(configured=False)
    start, end = res.rules.window(period)
    fetch = portal_steps.fetch_portal_api.with_options(
        retries=settings.portal_api_task_retries,
        retry_delay_seconds=settings.portal_api_task_retry_delay,
        timeout_seconds=settings.portal_api_timeout,
    )
    raw = settings.workspace / "raw" / "portal"
    state = fetch(api, period.label, start, end, raw, res.now(), return_state=True)
    if not state.is_completed():
        error = state.result(raise_on_failure=False)
        failed = portal_fetch_failed(error if isinstance(error, BaseException)
                                     else RuntimeError(str(state.message)))
        saved = portal_steps.latest_portal_snapshot(api, raw, period.label)
        if saved is None:
            return failed
        reused = portal_steps.record_portal_snapshot(res.db, res.registry, saved, api.config.fields,
                                              period, res.now())
        return reused_after_failure(failed, reused, saved.fetched_at)
    return portal_steps.record_portal_snapshot(res.db, res.registry, state.result(),
                                        api.config.fields, period, res.now())
