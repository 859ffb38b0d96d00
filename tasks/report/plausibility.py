"""Plausibility warnings in Vietnamese: a month's figures checked against each unit's
own last months and its peers (:mod:`tasks.indicators.plausibility`), with the history
that makes them odd.

Used by the report (its data issues, :meth:`tasks.report.reporting.Reporting.build`) and by
the intake (an accepted file's receipt, :class:`tasks.intake.collect.Intake`): both read the
history from the store (:class:`~tasks.model.ports.FigureHistory`) and never reject
anything for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from config.plausibility import PORTAL_FIGURES, PlausibilityConfig
from config.registry import Registry
from tasks.indicators.plausibility import (
    Figure,
    Finding,
    check_period,
    metric_figures,
    portal_figures,
)
from tasks.model.periods import Period
from tasks.model.portal import PortalUnitStats
from tasks.model.ports import FigureHistory
from tasks.model.records import StoredMetricReport
from tasks.report.vietnamese import number

WARNING_PREFIX = "Số liệu bất thường (cảnh báo, cần kiểm tra lại)"


def months_before(period: Period, count: int) -> list[str]:
    """The labels of the ``count`` months before the month ``period``, newest first."""
    labels, month = [], period
    for _ in range(count):
        month = month.previous()
        labels.append(month.label)
    return labels


def _comparison(finding: Finding) -> str:
    assert finding.spread is not None
    value, median = finding.figure.value, finding.spread.median
    ratio = finding.ratio
    if ratio is None:
        return "trong khi trung vị bằng 0"
    if value >= median:
        return f"cao gấp {number(ratio, 1)} lần"
    return f"thấp, chỉ bằng {number(ratio * 100, 0)} % trung vị"


def _range(finding: Finding) -> str:
    assert finding.bounds is not None
    low, high = finding.bounds.min, finding.bounds.max
    if low is not None and high is not None:
        return f"từ {number(low)} đến {number(high)}"
    return f"từ {number(low)} trở lên" if low is not None else f"không quá {number(high)}"


def finding_vi(finding: Finding, names: Mapping[str, str], kind_names: Mapping[str, str],
               config: PlausibilityConfig) -> str:
    """One finding as a line of the report's data issues or of a receipt, e.g. «STP: hồ
    sơ tiếp nhận 2025-05 = 9.800, trung vị 12 tháng trước 1.020 (MAD 85); cao gấp 9,6
    lần (điểm z hiệu chỉnh 74,3 > 3,5)»."""
    f = finding.figure
    head = (f"{WARNING_PREFIX}: {f.unit}: {names.get(f.figure, f.figure)} {f.period} = "
            f"{number(f.value)}")
    if finding.basis == "bounds":
        return f"{head}, ngoài khoảng hợp lý {_range(finding)} (config/data/plausibility.yaml)"
    spread = finding.spread
    assert spread is not None and finding.z is not None
    if finding.basis == "history":
        against = f"trung vị {spread.points} tháng trước"
    else:
        kind = kind_names.get(f.unit, "")
        against = (f"trung vị của {spread.points} đơn vị cùng loại"
                   f"{f' «{kind}»' if kind else ''} cùng kỳ")
    scale = (f"MAD 0, độ lệch tuyệt đối trung bình {number(spread.scale / 1.2533)}"
             if spread.mean_deviation_used else f"MAD {number(spread.mad)}")
    return (f"{head}, {against} {number(spread.median)} ({scale}); {_comparison(finding)} "
            f"(điểm z hiệu chỉnh {number(finding.z, 1)} > "
            f"{number(config.robust.threshold, 1)})")


def month_warnings(store: FigureHistory, registry: Registry, period: Period,
                   config: PlausibilityConfig, *, metrics: Sequence[StoredMetricReport],
                   portal: Sequence[PortalUnitStats] | None = None,
                   only_units: Iterable[str] | None = None) -> list[str]:
    """The warnings of a month's metric values (``metrics``, every unit's: the peers) and
    portal counts, each unit compared with its own last ``history_months`` months read
    from ``store``; ``only_units``: warn about these units only (the intake of one file).
    A period that is not a month has none (its months were checked)."""
    if period.kind != "month":
        return []
    wanted = None if only_units is None else sorted(set(only_units))
    before = months_before(period, config.robust.history_months)
    current: list[Figure] = metric_figures(period.label, metrics)
    history: list[Figure] = []
    scopes: list[str | None] = list(wanted) if wanted else [None]
    for unit in scopes:
        for month, reports in store.metric_reports_in(before, unit).items():
            history += metric_figures(month, reports)
    if portal is not None:
        current += portal_figures(period.label, portal)
        for month, units in store.portal_units_in(before).items():
            history += portal_figures(month, units)
    kinds: dict[str, str] = {}
    kind_names: dict[str, str] = {}
    for unit in {f.unit for f in current}:
        agency = registry.agency(unit)
        if agency is not None:
            kinds[unit] = agency.kind
            known = registry.kinds.kinds.get(agency.kind)
            kind_names[unit] = known.name if known is not None else agency.kind
    names = {**PORTAL_FIGURES, **{m.code: m.name for m in registry.metrics}}
    findings = check_period(current, history, kinds, config, only_units=wanted)
    return [finding_vi(f, names, kind_names, config) for f in findings]
