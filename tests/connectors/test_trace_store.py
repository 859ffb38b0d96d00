"""Reading back one stored file's rows (connectors/trace_store.py) on a real database: a
portal export's unit counts, first seen at its first intake event; unknown content: None."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.database import Database
from tasks.model.periods import parse_period
from tasks.model.portal import PortalExport, PortalUnitStats
from tests.builders import file_meta

T0 = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)
SNV = PortalUnitStats("SNV", 7, 1, 10, 5, 0, 12, 11, 1, 4, 0)


def test_a_portal_files_lines_are_its_units(db: Database) -> None:
    export = PortalExport(parse_period("2025-05"), "A", (SNV,))
    db.add_portal_file(export, file_meta("cong-2025-05.xlsx", "p1", T0), "a/p1.xlsx")
    lines = db.file_lines("p1")
    assert lines is not None
    assert lines.portal == (SNV,) and lines.tasks == () and lines.metrics == ()
    assert lines.first_seen == T0
    assert db.file_lines("khong-co") is None
