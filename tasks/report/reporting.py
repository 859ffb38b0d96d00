"""The report stage of one workspace: a plain object bound to what it works with.

Built once in the composition root (``flows/resources.py``) and handed to each report
task (:mod:`tasks.report.steps`) as a resource, as :class:`tasks.intake.collect.Intake`
is to the intake's: the tasks' other arguments are the period and small values, plus the
period's inputs and the built report, each handed from one task to the next once.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from config.index766 import Index766Config
from config.par_criteria import ParCriteria
from config.plausibility import PlausibilityConfig
from config.registry import Registry
from tasks.indicators.compute import PeriodInputs
from tasks.model.clock import Clock
from tasks.model.periods import Period
from tasks.model.ports import FigureHistory, PeriodStore, ReportStore
from tasks.model.records import StoredPortalFile, StoredRejection, WaitingFile
from tasks.model.rules import ReportingRules
from tasks.portal.dossier_counts import DossierCounts
from tasks.report.build import BuiltReport, build_report
from tasks.report.dossier_figures import known_units
from tasks.report.letterhead import Letterhead
from tasks.report.par_year_report import AssessedPoints, NoAssessments, with_par_index
from tasks.report.period_inputs import gather_inputs
from tasks.report.plausibility import month_warnings
from tasks.report.publish import ReportOutcome, publish_version
from tasks.report.trend_history import with_trend

Gathered = tuple[PeriodInputs, StoredPortalFile | None, list[StoredRejection]]
"""A period's inputs, its current portal file and the files rejected in its window."""


class ReportingStore(PeriodStore, ReportStore, FigureHistory, Protocol):
    """What the report stage reads and writes: a period's inputs (and the months before,
    for the plausibility checks) and the report versions."""


class Reporting:
    """The report stage, bound to the store, the registry, the settings' reporting rules
    (with their time zone) and 766 rules, the reports folder, the letterhead and the clock.

    A period's report is made in three steps, each a task: :meth:`gather` reads its inputs,
    :meth:`build` computes its content and its trend (from them and the published months),
    :meth:`publish` claims a version and writes it (or keeps the unchanged one).

    A plain class (not a dataclass): Prefect passes it to the tasks untouched.
    """

    def __init__(self, store: ReportingStore, registry: Registry, *, rules: ReportingRules,
                 index766: Index766Config, reports_dir: Path, letterhead: Letterhead,
                 clock: Clock, par_criteria: ParCriteria | None = None,
                 assessments: AssessedPoints | None = None,
                 plausibility: PlausibilityConfig | None = None) -> None:
        self.store = store
        self.registry = registry
        self.rules = rules
        self.index766 = index766
        self.reports_dir = reports_dir
        self.letterhead = letterhead
        self.clock = clock
        # the CCHC index's criteria sets (none: no index in the year's report) and where
        # the self-assessed and appraised points are read from
        self.par_criteria = par_criteria or ParCriteria(sets=())
        self.assessments: AssessedPoints = assessments or NoAssessments()
        self.plausibility = plausibility  # None: no plausibility checks

    def known_units(self) -> tuple[str, ...]:
        """The registry's unit codes, sorted (an input of the dossier counts)."""
        return known_units(self.registry)

    def gather(self, period: Period) -> Gathered:
        """What the store holds for ``period``
        (:func:`~tasks.report.period_inputs.gather_inputs`)."""
        return gather_inputs(self.store, period, rules=self.rules, registry=self.registry)

    def build(self, inputs: PeriodInputs, portal: StoredPortalFile | None,
              rejections: list[StoredRejection], *, data_gaps: Sequence[str],
              dossier_counts: DossierCounts | None, waiting: Sequence[WaitingFile],
              provisional: bool) -> BuiltReport:
        """The report's content (:func:`~tasks.report.build.build_report`) with its trend over the
        published months (:func:`~tasks.report.trend_history.with_trend`), a month's figures
        that look odd against their history and peers listed in its data issues
        (:func:`~tasks.report.plausibility.month_warnings`) and, for a year, the year's CCHC
        index (:func:`~tasks.report.par_year_report.with_par_index`)."""
        odd = ([] if self.plausibility is None else
               month_warnings(self.store, self.registry, inputs.period, self.plausibility,
                              metrics=inputs.metric_reports, portal=inputs.portal))
        built = build_report(self.registry, inputs, portal, rejections,
                                   data_gaps=data_gaps, index766=self.index766,
                                   dossier_counts=dossier_counts, waiting=waiting,
                                   provisional=provisional, plausibility=odd)
        built = with_par_index(self.store, self.registry, self.par_criteria, self.assessments,
                               built)
        return with_trend(self.store, self.registry, built, rules=self.rules)

    def publish(self, built: BuiltReport, *, force: bool, run_id: str | None
                ) -> ReportOutcome:
        """Claim a version for ``built`` and write it in the reports folder, or keep the
        newest one when its inputs are unchanged (:func:`~tasks.report.publish.publish_version`)."""
        return publish_version(self.store, built, self.reports_dir, force=force,
                                       run_id=run_id, now=self.clock(),
                                       timezone=self.rules.timezone, letterhead=self.letterhead)
