"""bench/national.py (benchmark 4) on a tiny size: every province's report is written and
the 766 counts add up to the dossiers generated in the window."""

from __future__ import annotations

from pathlib import Path

import duckdb

from bench import national


def test_rows_are_split_unevenly_biggest_first_and_add_up() -> None:
    split = national.province_rows(10_000_000, 34)

    assert sum(split) == 10_000_000
    assert split == sorted(split, reverse=True)
    assert split[0] > 10 * split[-1]


def test_national_month_renders_each_province_and_counts_every_dossier(tmp_path: Path) -> None:
    data, reports = tmp_path / "data", tmp_path / "reports"

    run = national.main(["--provinces", "2", "--rows", "20000", "--workers", "1",
                         "--data-dir", str(data), "--keep-data",
                         "--reports-dir", str(reports)])

    assert sorted(p.name for p in reports.iterdir()) == ["p00", "p01"]
    for folder in reports.iterdir():
        names = {p.name for p in folder.iterdir()}
        assert {"bao-cao-cchc-2025-05.xlsx", "bao-cao-cchc-2025-05.docx",
                "bao-cao-cchc-2025-05.html"} <= names
    files = [str(p) for p in sorted(data.glob("ho-so-*.parquet"))]
    with duckdb.connect() as con:  # written here, not taken from the script
        total, in_window = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE NgayTiepNhan >= TIMESTAMP '2025-04-15' "
            "AND NgayTiepNhan < TIMESTAMP '2025-05-15' AND TrangThaiHoSo NOT IN (3, 7)) "
            "FROM read_parquet($files)", {"files": files}).fetchone() or (0, 0)
    assert total == 20_000
    assert [r.rows for r in run.results] == [12_380, 7_620]
    assert 0 < in_window < total
    assert run.received == in_window
    assert all(r.units > 100 and r.charts > 0 for r in run.results)
