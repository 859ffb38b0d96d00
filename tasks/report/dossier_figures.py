"""What a period's current dossier file adds to its report: the 766 indicators per unit
and for the province (with their targets), the 766 points per group and in total, and the
units where the aggregated statistics and the dossiers disagree."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config.index766 import Index766Config
from config.registry import Registry
from tasks.indicators.compute import PeriodInputs, with_target
from tasks.model.problems import RejectedInput
from tasks.model.report import IndicatorValue, Points766Row, SourceDisagreement
from tasks.portal.dossier_counts import DossierCounts, count_dossier_file
from tasks.portal.dossiers import indicators_of_units, rates_of
from tasks.portal.index766 import score
from tasks.portal.source_comparison import compare_counts

_LOG = logging.getLogger(__name__)
TOTAL = 0
TOTAL_NAME = "Tổng điểm các tiêu chí tính được từ dữ liệu hồ sơ"


@dataclass(frozen=True)
class DossierFigures:
    indicators: list[IndicatorValue] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    points: list[Points766Row] = field(default_factory=list)
    disagreements: list[SourceDisagreement] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)  # the file could not be read
    used: dict[str, Any] | None = None  # the manifest's (and fingerprint's) input entry


def points_rows(values: list[IndicatorValue], config: Index766Config) -> list[Points766Row]:
    """The province's points per group, then the total (group 0)."""
    scored = score(rates_of(values), config)
    rows = [Points766Row(g.group, g.name, g.max_points, g.points, g.partial_points,
                         "; ".join(g.missing)) for g in scored.groups]
    complete = all(g.points is not None for g in scored.groups)
    lacking = [f"nhóm {g.group}" for g in scored.groups if g.points is None]
    rows.append(Points766Row(TOTAL, TOTAL_NAME, sum(g.max_points for g in scored.groups),
                             scored.points if complete else None, scored.points,
                             "chưa đủ: " + ", ".join(lacking) if lacking else ""))
    return rows


def dossier_figures(registry: Registry, inputs: PeriodInputs, config: Index766Config,
                    counts: DossierCounts | None = None) -> DossierFigures:
    """The figures of the period's current dossier file (none when it has none).

    ``counts`` are the file's counts when the caller has them (the flow's cached
    ``dem-ho-so`` task); without them the file is read here.
    """
    stored = inputs.dossier_file
    if stored is None:
        return DossierFigures()
    used = {"kind": "dossiers", "path": stored.archive_path,
            "content_hash": stored.content_hash, "agency": None, "period": stored.period,
            "file_name": stored.file_name}
    if counts is None:
        import duckdb  # only when there is a dossier file to read

        try:
            counts = count_dossier_file(Path(stored.archive_path), stored.content_hash,
                                        inputs.window, known_units(registry), config)
        except (RejectedInput, OSError, duckdb.Error) as exc:
            _LOG.warning("không đọc được tệp hồ sơ %s: %s", stored.archive_path, exc)
            return DossierFigures(gaps=[f"Không đọc được tệp hồ sơ {stored.file_name} đã "
                                        "lưu: các chỉ số 766 chưa được tính"], used=used)
    values = [with_target(v, registry, inputs.window)
              for v in indicators_of_units(counts.units)]
    disagreements = (compare_counts(inputs.portal, counts.resolution)
                     if inputs.portal is not None else [])
    _LOG.info("kỳ %s: tệp hồ sơ %s, %d đơn vị, %d chênh lệch với biểu thống kê",
              inputs.period.label, stored.file_name, len(counts.units), len(disagreements))
    return DossierFigures(values, config.indicator_names(), points_rows(values, config),
                          disagreements, [], used)


def known_units(registry: Registry) -> tuple[str, ...]:
    """The registry's unit codes, sorted (a dossier file's MaDonVi must be one of them)."""
    return tuple(sorted(a.code for a in registry.agencies))
