"""Which period a report run covers, and one run per period and workspace at a time.

``report_period`` is the first thing a report run does, so that a period it cannot
read stops the run (with a Vietnamese message) before the workspace is touched.
``period_slot`` holds a Prefect global concurrency limit of one slot named
``cchc-report-<period>-<workspace hash>`` (:func:`slot_name`): a second run for the same
period and workspace, on any worker, waits for the first to finish and gives up with
:class:`PeriodBusy` after ``timeout`` seconds. Runs for different periods, or for another
workspace (another province), do not wait for each other. A run that finds the slot taken
says so in its log, with why it may last (a killed holder keeps it until its lease lapses,
about 300 s) and the command that frees it.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from prefect import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.concurrency.sync import concurrency
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

from config.errors import CchcError
from config.settings import Settings
from tasks.model.closed_periods import (
    PeriodNotClosed,
    check_closed,
    is_closed,
    last_closed_period,
)
from tasks.model.periods import Period, PeriodKind, parse_period
from tasks.model.rules import ReportingRules


class PeriodBusy(CchcError, RuntimeError):
    """Another run holds the period's slot for longer than we may wait."""


def report_period(period: str | None, kind: PeriodKind, settings: Settings,
                  now: datetime | None = None, *, open_period: bool = False) -> Period:
    """``period`` as written (PeriodError when it cannot be read, PeriodNotClosed when its
    data window has not ended on the province's day, unless it is the open period and
    ``open_period``), else the last closed period of ``kind`` on that day."""
    rules = ReportingRules.from_settings(settings)
    today = rules.today(now or datetime.now(UTC))
    if period:
        parsed = parse_period(period)
        try:
            check_closed(parsed, today, rules.convention, open_period=open_period)
        except PeriodNotClosed as refused:
            raise PeriodNotClosed(str(refused)) from None  # the sentence alone, no chain
        return parsed
    return last_closed_period(today, kind, rules.convention)


def is_provisional(period: Period, settings: Settings, now: datetime | None = None) -> bool:
    """The period has not closed on the province's day (a run allowed by ``open_period``)."""
    rules = ReportingRules.from_settings(settings)
    return not is_closed(period, rules.today(now or datetime.now(UTC)), rules.convention)


def slot_name(period: Period, workspace: Path) -> str:
    """``cchc-report-<period>-<8 hex digits>``, lowercase: the hash of the resolved
    workspace path keeps two provinces' runs of the same period apart."""
    digest = hashlib.sha256(str(workspace.resolve()).encode()).hexdigest()[:8]
    return f"cchc-report-{period.label.lower()}-{digest}"


# A slot held by a run that was killed is freed when its lease lapses (Prefect's default
# lease: 300 s, renewed while the holder runs).
SLOT_LEASE_SECONDS = 300


def waiting_line(period: Period, name: str, timeout: float) -> str:
    """The log line of a run that finds its period's slot taken (Vietnamese)."""
    return (f"Đang chờ lượt chạy khác của kỳ {period.label} trong cùng thư mục làm việc "
            f"(giới hạn đồng thời «{name}» đang bị giữ), tối đa {timeout:g} giây. Nếu lượt đó "
            f"đã bị dừng đột ngột (kill, mất điện, worker khởi động lại), chỗ của nó chỉ được "
            f"trả khi hết hạn thuê, khoảng {SLOT_LEASE_SECONDS} giây; chắc chắn không còn lượt "
            f"nào của kỳ này đang chạy thì giải phóng ngay bằng: prefect "
            f"global-concurrency-limit update {name} --active-slots 0")


@contextmanager
def period_slot(period: Period, workspace: Path, timeout: float) -> Iterator[None]:
    """Hold the period's one slot for ``workspace`` (created on first use) while the block
    runs; a slot found taken is said in the log before waiting."""
    name = slot_name(period, workspace)
    with get_client(sync_client=True) as client:
        try:  # read first: a failed create makes the server log a traceback on every rerun
            taken = client.read_global_concurrency_limit_by_name(name).active_slots >= 1
        except ObjectNotFound:
            taken = False
            with suppress(ObjectAlreadyExists):
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(
                    name=name, limit=1))
    if taken:
        _LOG.warning(waiting_line(period, name, timeout))
    started = time.monotonic()
    with ExitStack() as stack:
        try:
            stack.enter_context(concurrency(name, occupy=1, timeout_seconds=timeout,
                                            strict=True))
        except TimeoutError:
            raise PeriodBusy(
                f"Một lượt chạy khác đang lập báo cáo kỳ {period.label} (giới hạn đồng thời "
                f"«{name}»); đã chờ {timeout:g} giây — hãy chạy lại sau khi lượt đó kết thúc "
                f"(lượt đã bị dừng đột ngột trả chỗ sau khoảng {SLOT_LEASE_SECONDS} giây)"
            ) from None
        if taken:
            _LOG.info("Đã có chỗ chạy kỳ %s sau %.0f giây chờ", period.label,
                      time.monotonic() - started)
        yield


_LOG = logging.getLogger(__name__)
