"""What an agency's own page shows for each period: its due date, what was received and
when, accepted or rejected, on time or late, and each receipt.

Timeliness follows the report's rule (:class:`ReportingRules`): a unit is on time when its
first accepted file for the period arrived by the end of the due day, whatever
corrections follow.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from tasks.model.agency_files import AgencyFile, AgencyFileSource
from tasks.model.periods import Period, PeriodError, parse_period
from tasks.model.rules import ReportingRules
from tasks.model.vocabulary import STATE_LATE, STATE_MISSING, STATE_ON_TIME

RECENT_MONTHS = 3  # the last closed months always shown, even without any file


@dataclass(frozen=True)
class PeriodStatus:
    period: Period
    due: date
    state: str  # Vietnamese: «đã nộp đúng hạn», «nộp muộn», «chưa nộp», «chưa đến hạn»
    first_accepted: datetime | None
    files: tuple[AgencyFile, ...]  # newest first


@dataclass(frozen=True)
class AgencyPage:
    periods: tuple[PeriodStatus, ...]  # newest first
    unread: tuple[AgencyFile, ...]  # rejected files whose period could not be read


def agency_page(source: AgencyFileSource, agency_code: str, *, rules: ReportingRules,
                now: datetime) -> AgencyPage:
    """The periods an agency's page lists: the last :data:`RECENT_MONTHS` closed months and
    every period it has sent a file for, newest first."""
    by_period: dict[Period, list[AgencyFile]] = defaultdict(list)
    unread: list[AgencyFile] = []
    for item in source.files_of(agency_code):
        period = _period(item.period)
        if period is None:
            unread.append(item)
        else:
            by_period[period].append(item)
    month = rules.last_closed_month(rules.today(now))
    for _ in range(RECENT_MONTHS):
        by_period.setdefault(month, [])
        month = month.previous()
    statuses = [_status(period, files, rules, now) for period, files in by_period.items()]
    statuses.sort(key=lambda s: (s.due, s.period.label), reverse=True)
    return AgencyPage(tuple(statuses), tuple(unread))


def _period(label: str | None) -> Period | None:
    if label is None:
        return None
    try:
        return parse_period(label)
    except PeriodError:
        return None


def _status(period: Period, files: list[AgencyFile], rules: ReportingRules,
            now: datetime) -> PeriodStatus:
    accepted = [f.arrived_at for f in files if f.outcome == "accepted"]
    first = min(accepted) if accepted else None
    if first is not None:
        state = STATE_LATE if rules.is_late(first, period) else STATE_ON_TIME
    elif now >= rules.due_at(period):
        state = f"{STATE_MISSING} (quá hạn)"
    else:
        state = f"{STATE_MISSING} (chưa đến hạn)"
    return PeriodStatus(period, rules.due_date(period), state, first,
                        tuple(sorted(files, key=lambda f: f.arrived_at, reverse=True)))
