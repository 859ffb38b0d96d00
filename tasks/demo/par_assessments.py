"""The demo province's CCHC index files for a year: each scored unit's self-assessment and
Sở Nội vụ's appraisal, written into a workspace's drop folders (``inbox/<unit>/``,
``inbox/SNV/``) for the intake to take in like any agency's files.

Units scored are those a criteria set scores in the year and that still exist at its end
(a department merged away in March sends nothing; its successor does). Claims are
plausible: most self-assessed criteria near their maximum in steps of 0.25 point, each with
an evidence reference (a plan or report number and date); two units send nothing. The
appraisal gives the ``appraised`` and ``survey`` criteria of every scored unit, lowers a
few claims and one computed criterion, each with its reason. Every changed row carries a
reason, so the appraisal passes whether it is taken in before or after the claims.

Not yet part of ``cchc demo``: the caller decides when the files are dropped (``drops``:
planned times, for :func:`tasks.demo.collector.drop_and_collect` when ``staged``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from config.par_criteria import ParCriteria
from config.registry import Registry
from tasks.demo.province import STAGING, Drop
from tasks.intake.par_template import (
    AppraisalEntry,
    Claim,
    appraisal_file_name,
    self_assessment_file_name,
    write_appraisal,
    write_self_assessment,
)
from tasks.intake.par_validation import APPRAISER

SILENT = 2  # scored units that send no self-assessment
_DOCUMENTS = ("Kế hoạch", "Báo cáo", "Quyết định", "Công văn", "Thông báo")
_ADJUSTMENTS = (
    "Tài liệu kiểm chứng chưa thể hiện đầy đủ nội dung tự chấm",
    "Văn bản ban hành quá thời hạn quy định",
    "Chưa có báo cáo kết quả thực hiện kèm theo",
)


@dataclass(frozen=True)
class ParDemo:
    """What was written: each file's planned drop, the units that sent a
    self-assessment, and the appraisal's changes of claimed or computed points."""

    drops: tuple[Drop, ...]
    assessed: tuple[str, ...]
    adjusted: tuple[AppraisalEntry, ...]


def scored_units(registry: Registry, criteria: ParCriteria, year: int) -> list[str]:
    """The units a criteria set scores in ``year`` that still exist on its last day."""
    end = date(year, 12, 31)
    return [a.code for a in registry.agencies
            if a.valid_between(end, end) and criteria.set_for(a.kind, year) is not None]


def _quarter_points(rng: random.Random, maximum: float) -> float:
    """Between half and all of ``maximum``, in quarters of a point, mostly near the top."""
    share = min(1.0, 0.5 + rng.betavariate(4, 1.2) * 0.5)
    return round(maximum * share * 4) / 4


def _evidence(rng: random.Random, unit: str, year: int) -> str:
    kind = rng.choice(_DOCUMENTS)
    day = date(year, 1, 1) + timedelta(days=rng.randrange(330))
    return f"{kind} số {rng.randrange(5, 320)}/{kind[:2].upper()}-{unit} ngày {day:%d/%m/%Y}"


def write_par_assessments(workspace: Path, registry: Registry, criteria: ParCriteria,
                          year: int = 2025, *, staged: bool = False,
                          seed: int = 2025) -> ParDemo:
    """Write the year's self-assessments and the appraisal under ``workspace``
    (``staged``: under its staging folder, to be dropped at the planned times)."""
    rng = random.Random(seed)
    root = workspace / STAGING if staged else workspace
    units = scored_units(registry, criteria, year)
    silent = set(rng.sample(units, SILENT)) if len(units) > SILENT else set()
    drops: list[Drop] = []
    claims: dict[str, dict[str, Claim]] = {}
    for number, unit in enumerate(units):
        agency = registry.agency(unit)
        criteria_set = criteria.set_for(agency.kind, year) if agency else None
        if criteria_set is None or unit in silent:
            continue
        mine = {leaf.id: Claim(_quarter_points(rng, leaf.max_points),
                               _evidence(rng, unit, year))
                for leaf in criteria_set.leaves() if leaf.method.kind == "self_assessed"}
        claims[unit] = mine
        relative = f"inbox/{unit}/{self_assessment_file_name(unit, year)}"
        write_self_assessment(registry, criteria, unit, year, root / relative, mine)
        drops.append(Drop(datetime(year, 12, 20, 2, tzinfo=UTC)
                          + timedelta(hours=3 * (number % 60)), relative))
    entries: list[AppraisalEntry] = []
    adjusted: list[AppraisalEntry] = []
    for unit in units:
        agency = registry.agency(unit)
        criteria_set = criteria.set_for(agency.kind, year) if agency else None
        if criteria_set is None:
            continue
        for leaf in criteria_set.leaves():
            if leaf.method.kind in ("appraised", "survey"):
                entries.append(AppraisalEntry(unit, leaf.id,
                                              _quarter_points(rng, leaf.max_points)))
    for unit in sorted(claims)[:4]:  # a few claims lowered, each with its reason
        criterion, claim = max(claims[unit].items(), key=lambda item: item[1].points)
        lowered = AppraisalEntry(unit, criterion, max(claim.points - 0.5, 0.0),
                                 rng.choice(_ADJUSTMENTS), claimed=claim.points)
        entries.append(lowered)
        adjusted.append(lowered)
    first = registry.agency(units[0]) if units else None
    first_set = criteria.set_for(first.kind, year) if first else None
    computed = first_set.computed() if first_set else []
    if first is not None and computed:  # one computed criterion corrected, with the reason
        leaf = computed[0]
        corrected = AppraisalEntry(first.code, leaf.id, leaf.max_points,
                                   "Nhiệm vụ đã hoàn thành đúng hạn nhưng báo cáo tháng "
                                   "ghi nhầm tình trạng; đã kiểm tra hồ sơ gốc")
        entries.append(corrected)
        adjusted.append(corrected)
    relative = f"inbox/{APPRAISER}/{appraisal_file_name(year)}"
    write_appraisal(registry, criteria, year, root / relative, entries)
    drops.append(Drop(datetime(year + 1, 1, 15, 2, tzinfo=UTC), relative))
    return ParDemo(tuple(drops), tuple(sorted(claims)), tuple(adjusted))
