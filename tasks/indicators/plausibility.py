"""Plausibility of reported figures: each unit's value against its own recent months and
against its peers (units of the same kind, same period), robustly, and against its range.

Pure functions: values in, findings out (the Vietnamese wording is
:mod:`tasks.report.plausibility`). A finding is a warning, never a rejection.

The robust test (``docs/plausibility.md``): with the median ``m`` of the values compared
with and ``MAD = median(|xᵢ − m|)``, the modified z-score is ``|x − m| / (1.4826 · MAD)``
(1.4826 makes the MAD estimate a normal distribution's standard deviation). When more than
half the values are equal the MAD is 0: the mean absolute deviation is used instead,
``|x − m| / (1.2533 · mean|xᵢ − m|)`` (1.2533 = √(π/2), the same calibration); when every
value is equal there is no spread to measure and no robust test (only the range). Fewer
than ``min_points`` values: no robust test either.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from config.plausibility import Bounds, PlausibilityConfig
from tasks.model.portal import PortalUnitStats
from tasks.model.records import StoredMetricReport
from tasks.model.vocabulary import rate

MAD_SCALE = 1.4826  # 1 / Φ⁻¹(3/4): scaled MAD ≈ σ for normal data
MEAN_AD_SCALE = 1.2533  # √(π/2): scaled mean absolute deviation ≈ σ for normal data

Basis = Literal["bounds", "history", "peers"]


@dataclass(frozen=True)
class Figure:
    """One reported value: a unit's metric or portal count for one month."""

    unit: str
    figure: str  # a metric code or a portal figure id (config.plausibility.PORTAL_FIGURES)
    period: str
    value: float


@dataclass(frozen=True)
class Spread:
    """The centre and scale of the values a figure is compared with."""

    median: float
    mad: float  # median absolute deviation (unscaled)
    scale: float  # 1.4826 · MAD, or 1.2533 · mean absolute deviation when MAD = 0
    points: int
    mean_deviation_used: bool = False


@dataclass(frozen=True)
class Finding:
    """A figure that looks odd, with what makes it odd."""

    figure: Figure
    basis: Basis
    spread: Spread | None = None  # history and peers
    z: float | None = None
    bounds: Bounds | None = None  # bounds

    @property
    def ratio(self) -> float | None:
        """The value over the median (None when the median is 0)."""
        if self.spread is None or self.spread.median == 0:
            return None
        return self.figure.value / self.spread.median


def spread(values: Sequence[float], min_points: int) -> Spread | None:
    """The median and scale of ``values``; ``None`` with fewer than ``min_points`` values
    or when they are all equal (no scale to measure a distance by)."""
    if len(values) < min_points:
        return None
    centre = statistics.median(values)
    deviations = [abs(v - centre) for v in values]
    mad = statistics.median(deviations)
    if mad > 0:
        return Spread(centre, mad, MAD_SCALE * mad, len(values))
    mean_deviation = statistics.fmean(deviations)
    if mean_deviation == 0:
        return None
    return Spread(centre, 0.0, MEAN_AD_SCALE * mean_deviation, len(values), True)


def modified_z(value: float, of: Spread) -> float:
    """``|value − median| / scale``."""
    return abs(value - of.median) / of.scale


def check_figure(figure: Figure, history: Sequence[float], peers: Sequence[float],
                 config: PlausibilityConfig) -> list[Finding]:
    """Every reason ``figure`` looks odd: outside its range, far from its own history,
    far from its peers' values (each only with enough points)."""
    found: list[Finding] = []
    bounds = config.bounds_of(figure.figure)
    if not bounds.holds(figure.value):
        found.append(Finding(figure, "bounds", bounds=bounds))
    test = config.robust
    compared: tuple[tuple[Basis, Sequence[float]], ...] = (("history", history),
                                                          ("peers", peers))
    for basis, values in compared:
        measured = spread(values, test.min_points)
        if measured is None or abs(figure.value - measured.median) < test.min_difference:
            continue
        z = modified_z(figure.value, measured)
        if z > test.threshold:
            found.append(Finding(figure, basis, measured, z))
    return found


def check_period(current: Sequence[Figure], history: Iterable[Figure],
                 kinds: Mapping[str, str], config: PlausibilityConfig, *,
                 only_units: Iterable[str] | None = None) -> list[Finding]:
    """The findings of one period's figures (``current``), each compared with the same
    unit's ``history`` (the months before, as the caller chose them) and with the
    current figures of the other units of its kind (``kinds``: unit → kind; a unit of no
    known kind has no peers) when the figure is one of ``config.robust.peer_figures``
    (rates; a count grows with the unit's size). ``only_units``: check these units'
    figures only (the others still serve as peers)."""
    past: dict[tuple[str, str], list[float]] = defaultdict(list)
    for h in history:
        past[(h.unit, h.figure)].append(h.value)
    by_kind: dict[tuple[str, str], list[Figure]] = defaultdict(list)
    for f in current:
        if f.unit in kinds:
            by_kind[(kinds[f.unit], f.figure)].append(f)
    wanted = None if only_units is None else set(only_units)
    found: list[Finding] = []
    for f in current:
        if wanted is not None and f.unit not in wanted:
            continue
        compared = f.unit in kinds and f.figure in config.robust.peer_figures
        peers = [p.value for p in by_kind.get((kinds.get(f.unit, ""), f.figure), ())
                 if p.unit != f.unit] if compared else []
        found += check_figure(f, past.get((f.unit, f.figure), []), peers, config)
    return found


def metric_figures(period: str, reports: Iterable[StoredMetricReport]) -> list[Figure]:
    """Each unit's reported metric values (the last row per unit and metric counts, as a
    report reads them)."""
    latest = {(r.agency_code, r.metric_code): r.value for r in reports}
    return [Figure(unit, code, period, value) for (unit, code), value in latest.items()]


def portal_figures(period: str, units: Iterable[PortalUnitStats]) -> list[Figure]:
    """Each unit's portal counts and rates (``config.plausibility.PORTAL_FIGURES``); a
    count the source does not give is left out."""
    out: list[Figure] = []
    for s in units:
        channels = (s.received_online, s.received_in_person, s.received_post)
        received = (None if all(c is None for c in channels)
                    else sum(c for c in channels if c is not None))
        values: dict[str, float | None] = {
            "portal_received": received,
            "portal_received_online": s.received_online,
            "portal_resolved": s.resolved_total,
            "portal_resolved_on_time": s.resolved_on_time,
            "portal_in_progress_overdue": s.in_progress_overdue,
            "portal_online_rate": rate(s.received_online, received),
            "portal_on_time_rate": rate(s.resolved_on_time, s.resolved_total),
        }
        out += [Figure(s.unit, figure, period, float(value))
                for figure, value in values.items() if value is not None]
    return out
