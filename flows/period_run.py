"""Which period a report run covers, and one run per period at a time.

``report_period`` is the first thing a report run does, so that a period it cannot
read stops the run (with a Vietnamese message) before the workspace is touched.
``period_slot`` holds a Prefect global concurrency limit of one slot named
``cchc-report-<period>``: a second run for the same period, on any worker, waits for
the first to finish and gives up with :class:`PeriodBusy` after ``timeout`` seconds.
Runs for different periods do not wait for each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import UTC, datetime

from prefect import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.concurrency.sync import concurrency
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

from config.settings import Settings
from tasks.model.closed_periods import last_closed_period
from tasks.model.periods import Period, PeriodKind, parse_period
from tasks.model.rules import ReportingRules


class PeriodBusy(RuntimeError):
    """Another run holds the period's slot for longer than we may wait."""


def report_period(period: str | None, kind: PeriodKind, settings: Settings,
                  now: datetime | None = None) -> Period:
    """``period`` as written (PeriodError when it cannot be read), else the last closed
    period of ``kind`` on the province's calendar day."""
    if period:
        return parse_period(period)
    rules = ReportingRules.from_settings(settings)
    return last_closed_period(rules.today(now or datetime.now(UTC)), kind, rules.convention)


def slot_name(period: Period) -> str:
    return f"cchc-report-{period.label}"


@contextmanager
def period_slot(period: Period, timeout: float) -> Iterator[None]:
    """Hold the period's one slot (created on first use) while the block runs."""
    name = slot_name(period)
    with get_client(sync_client=True) as client:
        try:  # read first: a failed create makes the server log a traceback on every rerun
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            with suppress(ObjectAlreadyExists):
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(
                    name=name, limit=1))
    with ExitStack() as stack:
        try:
            stack.enter_context(concurrency(name, occupy=1, timeout_seconds=timeout,
                                            strict=True))
        except TimeoutError:
            raise PeriodBusy(
                f"Một lượt chạy khác đang lập báo cáo kỳ {period.label} (giới hạn đồng thời "
                f"«{name}»); đã chờ {timeout:g} giây — hãy chạy lại sau khi lượt đó kết thúc"
            ) from None
        yield
