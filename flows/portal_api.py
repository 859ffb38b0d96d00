"""Asking the portal's statistics API for a period's figures, inside a flow."""

from __future__ import annotations

from flows.resources import Resources
from tasks import steps
from tasks.periods import Period
from tasks.portal_api_records import PortalApiOutcome, portal_fetch_failed


def fetch_portal_figures(res: Resources, period: Period) -> PortalApiOutcome:
    """Fetch and store the period's portal figures when the API is configured.

    The run never fails for the portal: a portal that stays down or answers garbage gives
    an outcome whose ``gaps`` the report shows as a banner.
    """
    api, settings = res.portal_api, res.settings
    if api is None:
        return PortalApiOutcome(configured=False)
    start, end = period.window(settings.period_convention)
    fetch = steps.fetch_portal_api.with_options(
        retries=settings.portal_api_task_retries,
        retry_delay_seconds=settings.portal_api_task_retry_delay,
        timeout_seconds=settings.portal_api_timeout,
    )
    state = fetch(api, period.label, start, end, settings.workspace / "raw" / "portal",
                  res.now(), return_state=True)
    if not state.is_completed():
        error = state.result(raise_on_failure=False)
        return portal_fetch_failed(error if isinstance(error, BaseException)
                                   else RuntimeError(str(state.message)))
    return steps.record_portal_snapshot(res.db, res.registry, state.result(),
                                        api.config.fields, period, res.now())
