"""The demo's dossier file agrees with its export row by row, but for the unit whose
first online dossiers were left unsynchronised."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from config.index766 import load_index766
from config.settings import REGISTRY_DIR
from tasks.demo.dossiers import UNSYNCED, UNSYNCED_COUNT, DemoRow, write_dossier_file
from tasks.portal.dossiers import check_dossier_file, resolution_rows

WINDOW = (date(2025, 4, 15), date(2025, 5, 14))
# received, online, in person, post, carried; resolved, on time, late; in progress,
# within, overdue; waiting, returned, satisfaction (hand-made, adding up)
ROWS: list[DemoRow] = [
    ("Sở Nội vụ", "SNV", [40, 15, 20, 1, 4, 35, 33, 2, 5, 4, 1, 0, 0, 0.95]),
    ("UBND thành phố Long Xuyên", UNSYNCED,
     [120, 50, 60, 2, 8, 100, 97, 3, 20, 18, 2, 1, 0, 0.97]),
]


def test_demo_dossiers_match_the_export(tmp_path: Path) -> None:
    rules = load_index766(REGISTRY_DIR)
    path = write_dossier_file(tmp_path / "ho-so-2025-05.csv", "2025-05", WINDOW, ROWS,
                              random.Random(1))
    assert check_dossier_file(path, {"SNV", UNSYNCED}, rules) == []
    got = resolution_rows(path, WINDOW, rules)
    assert got["SNV"] == (36, 35, 33)  # new = 15 + 20 + 1; carried ones are not new
    received, resolved, on_time = got[UNSYNCED]
    assert received == 112 - UNSYNCED_COUNT
    assert 100 - UNSYNCED_COUNT <= resolved <= 100 and 97 - UNSYNCED_COUNT <= on_time <= 97
