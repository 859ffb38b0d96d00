"""Gathering what the database holds for one period: the inputs its report is built from.

A month reads its own rows; a quarter, half-year or year consolidates its months
(:mod:`tasks.indicators.rollup`). The files rejected within the period's reporting window
are read too, since the report lists them.
"""

from __future__ import annotations

import logging
from datetime import datetime

from config.registry import Registry
from tasks.indicators.compute import PeriodInputs
from tasks.indicators.rollup import gather_rollup
from tasks.model.periods import Period
from tasks.model.ports import PeriodStore
from tasks.model.records import StoredPortalFile, StoredRejection
from tasks.model.rules import ReportingRules

_LOG = logging.getLogger(__name__)


def gather_inputs(db: PeriodStore, period: Period, *, rules: ReportingRules,
                  registry: Registry | None = None
                  ) -> tuple[PeriodInputs, StoredPortalFile | None, list[StoredRejection]]:
    """Read what the database holds for ``period`` (the ``registry`` tells a roll-up
    which months a unit opened or closed inside it reports for)."""
    inputs: PeriodInputs
    if period.kind != "month":  # a roll-up consolidates its months (tasks/indicators/rollup)
        inputs, portal_file = gather_rollup(db, period, rules=rules, registry=registry)
    else:
        portal = db.current_portal(period.label)
        portal_file = portal[0] if portal else None
        inputs = PeriodInputs(
            period=period, rules=rules,
            submissions=db.current_submissions(period.label),
            task_reports=db.task_reports_until(period.months()[-1].label),
            metric_reports=db.metric_reports(period.label),
            portal=portal[1] if portal else None,
            first_arrivals=db.first_arrivals(period.label),
            dossier_file=db.current_dossier_file(period.label),
        )
    start, _ = rules.window(period)
    since = datetime.combine(start, datetime.min.time(), inputs.due_at.tzinfo)
    rejections = db.rejections_for(period.label, since, inputs.due_at)
    _LOG.info("kỳ %s: %d báo cáo đơn vị hiện hành, số liệu cổng: %s, %d tệp bị từ chối",
              period.label, len(inputs.submissions),
              portal_file.file_name if portal_file else "không có", len(rejections))
    return inputs, portal_file, rejections
