"""The portal tables (connectors/portal_store.py) on a real database: the newest portal
figures stored per period are current, with each unit's counts as they were read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connectors.database import Database
from tasks.model.periods import parse_period
from tasks.model.portal import PortalExport, PortalUnitStats
from tests.builders import file_meta

T0 = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)
SNV = PortalUnitStats("SNV", 7, 1, 10, 5, 0, 12, 11, 1, 4, 0)
STP = PortalUnitStats("STP", 8, None, None, None, None, 3, 3, 0, None, None)


def test_the_newest_export_is_current_with_its_units(db: Database) -> None:
    may = parse_period("2025-05")
    assert db.current_portal("2025-05") is None
    first, _ = db.add_portal_file(PortalExport(may, "A", (SNV,)),
                                  file_meta("cong-2025-05.xlsx", "p1", T0), "a/p1.xlsx")
    second, superseded = db.add_portal_file(
        PortalExport(may, "B", (SNV, STP)),
        file_meta("cong-2025-05-b.xlsx", "p2", T0 + timedelta(hours=1)), "a/p2.xlsx")
    assert superseded == [first]
    current = db.current_portal("2025-05")
    assert current is not None
    stored, units = current
    assert (stored.id, stored.content_hash, stored.variant) == (second, "p2", "B")
    assert units == [SNV, STP]
    assert db.current_portal("2025-04") is None
