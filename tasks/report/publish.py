"""Publishing a built report as a numbered version of its period.

The database's unique (period, version) claim decides which run writes a version; a
rerun with the same fingerprint keeps the version already written, or takes over one
that its writer did not finish (:mod:`tasks.report.writer_claim`). The folder itself is
written by :mod:`tasks.report.version_files`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from tasks.model.crash_points import crash_point
from tasks.model.periods import parse_period
from tasks.model.ports import ReportStore
from tasks.model.report import IndicatorValue, ReportContent
from tasks.model.vocabulary import STATE_MISSING, STATE_WAITING
from tasks.report.build import BuiltReport
from tasks.report.letterhead import Letterhead
from tasks.report.version_files import write_report
from tasks.report.writer_claim import (
    WRITE_KEPT,
    WRITE_NEW,
    take_over,
    this_writer,
    write_state_vi,
)

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportOutcome:
    period: str
    version: int
    created: bool  # False: the newest version already had these inputs
    folder: Path
    content: ReportContent
    previous_version: list[IndicatorValue]  # the version before this one, same period
    previous_period: list[IndicatorValue]  # the newest version of the period before
    write: str  # what this run did: one of tasks.report.writer_claim's WRITE_* states

    @property
    def state_vi(self) -> str:
        return write_state_vi(self.write, self.version)

    def summary(self) -> dict[str, object]:
        return {"period": self.period, "version": self.version, "created": self.created,
                "write": self.write, "state": self.state_vi,
                "folder": str(self.folder), "missing_units": sum(
                    1 for m in self.content.missing if m.state == STATE_MISSING),
                "waiting_units": sum(
                    1 for m in self.content.missing if m.state == STATE_WAITING),
                "rejected_files": len(self.content.rejected),
                "portal_missing": self.content.portal_missing,
                "data_gaps": list(self.content.data_gaps)}


def publish_version(db: ReportStore, built: BuiltReport, reports_dir: Path, *, force: bool,
                    run_id: str | None, now: datetime, timezone: str,
                    letterhead: Letterhead | None = None) -> ReportOutcome:
    """Claim a version for the report (or recognise an unchanged rerun) and write it.

    Two runs racing for the same period cannot both write a version: the database's
    unique (period, version) claim decides; the loser sees the winner's fingerprint.
    """
    period = built.content.period
    me = this_writer()
    claim = db.claim_report_version(period, built.fingerprint, run_id,
                                    reports_dir=reports_dir, force=force, writer=me)
    version = claim.version
    folder = Path(version.path)
    _LOG.info("kỳ %s: %s v%d (%s)", period, "phiên bản mới" if claim.created
              else "dữ liệu không đổi, giữ", version.version, folder)
    earlier_period = db.latest_report_version(parse_period(period).previous().label)
    earlier_values = db.indicator_values(earlier_period.id) if earlier_period else []
    write = WRITE_NEW if claim.created else take_over(db, version, me, now=now,
                                                      timezone=timezone)
    if write != WRITE_KEPT:
        crash_point("report.claimed")
        try:
            db.save_indicator_values(version.id, built.content.indicators)
            write_report(built, folder, version=version.version, generated_at=now,
                         run_id=run_id, timezone=timezone, letterhead=letterhead,
                         previous_period=earlier_values)
        except BaseException:
            # nobody writes it now: the next run takes it over at once, without waiting
            db.finish_report_version(version.id, me, written=False)
            raise
        db.finish_report_version(version.id, me, written=True)
        if write != WRITE_NEW:
            _LOG.info("kỳ %s: %s v%d", period, write_state_vi(write, version.version),
                      version.version)
    previous = db.report_version(period, version.version - 1)
    return ReportOutcome(
        period=period, version=version.version, created=claim.created, folder=folder,
        content=replace(built.content, version=version.version, generated_at=version.created_at),
        previous_version=db.indicator_values(previous.id) if previous else [],
        previous_period=earlier_values, write=write,
    )
