"""Aggregated statistics (an export or the API) against dossier records, per unit.

When both sources exist for a period, the report shows the figures of each (the
statistics' rates, the 766 indicators from the dossiers) and lists every unit where they
disagree on a count both can state: dossiers received in the window, resolved (ended) in
it, and resolved on time. Neither source is picked silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tasks.model.portal import PortalUnitStats
from tasks.model.report import SourceDisagreement

RECEIVED = "tiếp nhận mới trong kỳ"
RESOLVED = "đã giải quyết trong kỳ"
RESOLVED_ON_TIME = "đã giải quyết đúng hạn"


def _received(stats: PortalUnitStats) -> int | None:
    parts = (stats.received_online, stats.received_in_person, stats.received_post)
    return None if any(p is None for p in parts) else sum(p or 0 for p in parts)


def compare_counts(statistics: Sequence[PortalUnitStats],
                   counted: Mapping[str, tuple[int, int, int]]) -> list[SourceDisagreement]:
    """Every (unit, count) on which the two sources differ, units in code order.

    ``counted`` is ``{unit: (received, resolved, resolved on time)}`` from the dossiers
    (:func:`tasks.portal.dossiers.resolution_rows`). A unit absent from the dossiers has
    no dossiers (0); a unit absent from the statistics is listed when it has dossiers. A
    count the statistics leave empty (an export without the received columns) is not
    compared.
    """
    stats = {s.unit: s for s in statistics}
    found: list[SourceDisagreement] = []
    for unit in sorted(set(stats) | set(counted)):
        received, resolved, on_time = counted.get(unit, (0, 0, 0))
        row = stats.get(unit)
        if row is None:
            found.extend(SourceDisagreement(unit, measure, None, value)
                         for measure, value in ((RECEIVED, received), (RESOLVED, resolved),
                                                (RESOLVED_ON_TIME, on_time)) if value)
            continue
        pairs: list[tuple[str, int | None, int]] = [
            (RECEIVED, _received(row), received),
            (RESOLVED, row.resolved_total, resolved),
            (RESOLVED_ON_TIME, row.resolved_on_time, on_time),
        ]
        found.extend(SourceDisagreement(unit, measure, stated, value)
                     for measure, stated, value in pairs
                     if stated is not None and stated != value)
    return found
