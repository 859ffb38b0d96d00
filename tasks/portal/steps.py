"""Prefect tasks of the portal stage: asking the portal's API and storing its answer."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.tasks import Task

from config.portal_api import PortalApiFields
from config.registry import Registry
from tasks.model.periods import Period
from tasks.model.ports import PortalApiError, PortalSource, PortalStore
from tasks.model.records import PortalSnapshot
from tasks.portal import api_records


def _transport_failure(_task: Task[..., object], _run: TaskRun, state: State) -> bool:
    """Retry a portal fetch only when the portal was unreachable, never a bad answer."""
    try:
        state.result()
    except PortalApiError as exc:
        return exc.retryable
    except Exception:
        return False
    return False


# I/O only: asks the portal for every page and saves each answer; retried (after urllib3's
# own retries) only when the portal was unreachable, bounded by a timeout. The flow sets
# retries, delay and timeout from the settings with ``with_options``.
@task(name="lay-so-lieu-api-cong-dvc", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=60,
      retry_condition_fn=_transport_failure, timeout_seconds=600)
def fetch_portal_api(api: PortalSource, period: str, start: date, end: date, raw_dir: Path,
                     now: datetime) -> PortalSnapshot:
    return api.fetch(period, start, end, raw_dir, now)


@task(name="doc-ban-luu-cong-dvc", cache_policy=NO_CACHE)
def latest_portal_snapshot(api: PortalSource, raw_dir: Path,
                           period: str) -> PortalSnapshot | None:
    return api.latest_snapshot(raw_dir, period)


@task(name="ghi-so-lieu-api-cong-dvc", cache_policy=NO_CACHE)
def record_portal_snapshot(db: PortalStore, registry: Registry, snapshot: PortalSnapshot,
                           names: PortalApiFields, period: Period,
                           now: datetime) -> api_records.PortalApiOutcome:
    return api_records.record_portal_snapshot(db, registry, snapshot, names, period, now)
