"""Benchmark: the project's dossier aggregation against a plain DuckDB query.

Generates ``--rows`` dossiers (default 10,000,000) as Parquet with DuckDB (no Python
loops), then runs, each in its own subprocess:

- ``project``: ``tasks.portal.dossiers.aggregate_rows`` (the 766 counts per unit, as the
  monthly run and ``cchc whatif`` count them);
- ``plain``: the same counts written as one plain DuckDB query over the typed Parquet
  columns (below);
- ``check``: ``check_dossier_file`` (the validation pass run before aggregating), shown
  for information.

Each child times its work (best of ``--repeat``); the parent reads the child's peak
resident memory with ``os.wait4`` (that child's own ``ru_maxrss``, not a maximum over
earlier children). Targets: project time ≤ 1.5 × plain, peak memory ≤ 2 × plain.

    PYTHONPATH=. /work/main/.venv/bin/python bench/dossiers.py --rows 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

WINDOW = (date(2025, 4, 15), date(2025, 5, 14))  # period 2025-05, Ministry convention
TIME_TARGET, MEMORY_TARGET = 1.5, 2.0

GENERATE_SQL = """
CREATE MACRO r(i, k) AS (hash(i * 7919 + k) % 1000000) / 1000000.0;
COPY (
    WITH base AS (
        SELECT i,
               TIMESTAMP '2025-03-01 07:00:00'
                   + to_seconds(CAST(r(i, 1) * 75 * 86400 AS BIGINT)) AS recv,
               r(i, 2) AS u
        FROM range({first}, {stop}) t(i)
    ), timed AS (
        SELECT *,
               recv + to_days(CAST(1 + r(i, 3) * 14 AS INTEGER)) AS due,
               CASE WHEN r(i, 4) < 0.15 THEN NULL
                    ELSE recv + to_seconds(CAST(r(i, 5) * 18 * 86400 AS BIGINT)) END AS ended
        FROM base
    )
    SELECT
        'HS' || lpad(CAST(i AS VARCHAR), 12, '0') AS MaHoSo,
        {units}[1 + CAST(floor(u * {unit_count}) AS INTEGER)] AS MaDonVi,
        CAST(1 + CAST(r(i, 6) * 500 AS INTEGER) AS VARCHAR) AS MaTTHC,
        CASE WHEN r(i, 7) < 0.45 THEN 2 WHEN r(i, 7) < 0.5 THEN 3 ELSE 1 END AS KenhThucHien,
        recv AS NgayTiepNhan,
        due AS NgayHenTra,
        ended AS NgayKetThucXuLy,
        CASE WHEN r(i, 8) < 0.02 THEN 3 WHEN r(i, 8) < 0.04 THEN 7
             WHEN ended IS NULL THEN CASE WHEN r(i, 9) < 0.8 THEN 4 ELSE 5 END
             WHEN r(i, 9) < 0.03 THEN 8 WHEN r(i, 9) < 0.5 THEN 9 ELSE 10 END AS TrangThaiHoSo,
        CAST(floor(r(i, 10) * r(i, 10) * 3) AS INTEGER) AS SoLanBoSung,
        CAST(floor(r(i, 11) * 5) AS INTEGER) AS SoNgayChoBoSung,
        CAST(r(i, 12) < 0.4 AS INTEGER) AS CoPhiLePhi,
        CASE WHEN r(i, 13) < 0.5 THEN 0 WHEN r(i, 13) < 0.9 THEN 1 ELSE 2 END
            AS DuocThanhToanTrucTuyen,
        CAST(r(i, 14) < 0.7 AS INTEGER) AS KetQuaGiay,
        CAST(r(i, 15) < 0.6 AS INTEGER) AS CoKetQuaDienTu,
        CAST(r(i, 16) < 0.7 AS INTEGER) AS DuocSoHoa,
        CAST(r(i, 17) < 0.3 AS INTEGER) AS TaiSuDungSoHoa,
        CAST(r(i, 18) < 0.01 AS INTEGER) AS CoPhanAnh
    FROM timed
) TO '{path}' (FORMAT parquet);
"""

# The same counts as tasks.portal.dossiers.AGGREGATE_SQL, written plainly over typed columns.
PLAIN_SQL = """
SELECT
    MaDonVi AS unit,
    count(*) FILTER (WHERE (NgayKetThucXuLy >= $start AND NgayKetThucXuLy < $stop
                            OR (NgayKetThucXuLy IS NULL OR NgayKetThucXuLy >= $stop)
                               AND NgayTiepNhan < $stop)
                       AND SoLanBoSung < 2
                       AND (CASE WHEN NgayKetThucXuLy < $stop THEN NgayKetThucXuLy
                                 ELSE $last END)
                           <= NgayHenTra + to_days(SoNgayChoBoSung)) AS on_time,
    count(*) FILTER (WHERE NgayKetThucXuLy >= $start AND NgayKetThucXuLy < $stop
                        OR (NgayKetThucXuLy IS NULL OR NgayKetThucXuLy >= $stop)
                           AND NgayTiepNhan < $stop) AS to_process,
    count(*) FILTER (WHERE NgayTiepNhan >= $start AND NgayTiepNhan < $stop) AS received,
    count(*) FILTER (WHERE NgayTiepNhan >= $start AND NgayTiepNhan < $stop
                       AND KenhThucHien = 2 AND (KetQuaGiay = 0 OR CoKetQuaDienTu = 1))
        AS online,
    count(*) FILTER (WHERE NgayTiepNhan >= $start AND NgayTiepNhan < $stop
                       AND CoPhiLePhi = 1) AS fee_bearing,
    count(*) FILTER (WHERE NgayTiepNhan >= $start AND NgayTiepNhan < $stop
                       AND CoPhiLePhi = 1 AND DuocThanhToanTrucTuyen IN (1, 2))
        AS paid_online,
    count(*) FILTER (WHERE NgayKetThucXuLy >= $start AND NgayKetThucXuLy < $stop
                       AND TrangThaiHoSo IN (9, 10) AND KetQuaGiay = 1) AS paper_result,
    count(*) FILTER (WHERE NgayKetThucXuLy >= $start AND NgayKetThucXuLy < $stop
                       AND TrangThaiHoSo IN (9, 10) AND KetQuaGiay = 1
                       AND CoKetQuaDienTu = 1) AS e_result,
    count(*) FILTER (WHERE NgayTiepNhan >= $start AND NgayTiepNhan < $stop
                       AND DuocSoHoa = 1 AND (KetQuaGiay = 0 OR CoKetQuaDienTu = 1))
        AS digitised,
    count(*) FILTER (WHERE NgayTiepNhan >= $start AND NgayTiepNhan < $stop
                       AND TaiSuDungSoHoa = 1) AS reused,
    count(*) FILTER (WHERE NgayTiepNhan >= $start AND NgayTiepNhan < $stop
                       AND CoPhanAnh = 1) AS complaints
FROM read_parquet($path)
WHERE TrangThaiHoSo NOT IN (3, 7)
GROUP BY unit
ORDER BY unit
"""


def _units() -> list[str]:
    from config.registry import load_registry
    from config.settings import REGISTRY_DIR

    return [a.code for a in load_registry(REGISTRY_DIR).agencies]


def generate(path: Path, rows: int, first: int = 0) -> float:
    """Write ``rows`` dossiers numbered from ``first`` (each number gives the same
    dossier: files with disjoint numbers have distinct MaHoSo); returns the seconds."""
    import duckdb

    units = _units()
    listed = "[" + ", ".join(f"'{u}'" for u in units) + "]"
    started = time.perf_counter()
    with duckdb.connect() as con:
        con.execute(GENERATE_SQL.format(first=first, stop=first + rows, units=listed,
                                        unit_count=len(units),
                                        path=str(path).replace("'", "''")))
    return time.perf_counter() - started


def _child(mode: str, path: Path, repeat: int) -> None:
    """Run one measurement and print its result as JSON (in a subprocess)."""
    from datetime import datetime, timedelta
    from datetime import time as clock

    import duckdb

    from config.index766 import load_index766
    from config.settings import REGISTRY_DIR
    from tasks.portal.dossiers import COUNT_COLUMNS, aggregate_rows, check_dossier_file

    rules = load_index766(REGISTRY_DIR)
    units = set(_units())
    start = datetime.combine(WINDOW[0], clock(0))
    stop = datetime.combine(WINDOW[1] + timedelta(days=1), clock(0))
    best, result = float("inf"), {}
    for _ in range(repeat):
        began = time.perf_counter()
        if mode == "project":
            counts = aggregate_rows(path, WINDOW, rules)
            result = {c: sum(unit[c] for unit in counts.values()) for c in COUNT_COLUMNS}
        elif mode == "plain":
            with duckdb.connect() as con:
                rows = con.execute(PLAIN_SQL, {"start": start, "stop": stop,
                                               "last": stop - timedelta(seconds=1),
                                               "path": str(path)}).fetchall()
            names = ["on_time", "to_process", "received", "online", "fee_bearing",
                     "paid_online", "paper_result", "e_result", "digitised", "reused",
                     "complaints"]
            result = {n: sum(r[k + 1] for r in rows) for k, n in enumerate(names)}
        else:
            result = {"problems": len(check_dossier_file(path, units, rules))}
        best = min(best, time.perf_counter() - began)
    print(json.dumps({"seconds": best, "result": result}))


def measure(mode: str, path: Path, repeat: int) -> dict[str, object]:
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", mode, "--file", str(path), "--repeat",
         str(repeat)], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{mode} failed with exit code {child.returncode}")
    data: dict[str, object] = json.loads(output)
    data["peak_mib"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--dir", type=Path, default=None, help="where to write the Parquet file")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=["project", "plain", "check"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.file, args.repeat)
        return

    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        path = Path(folder) / "ho-so-2025-05.parquet"
        seconds = generate(path, args.rows)
        size = path.stat().st_size / 2**20
        print(f"Generated {args.rows:,} dossiers in {seconds:.1f} s: {size:.0f} MiB Parquet")
        print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
              f"{platform.python_version()}")
        results = {mode: measure(mode, path, args.repeat) for mode in ("plain", "project",
                                                                        "check")}
    plain, project = results["plain"], results["project"]
    if plain["result"] != project["result"]:
        raise SystemExit(f"counts differ: plain {plain['result']} project {project['result']}")
    print(f"Counts agree (province): {project['result']}")
    for mode, data in results.items():
        print(f"{mode:8s} time {data['seconds']:7.3f} s   peak memory {data['peak_mib']:7.0f} MiB")
    time_ratio = float(project["seconds"]) / float(plain["seconds"])  # type: ignore[arg-type]
    memory_ratio = float(project["peak_mib"]) / float(plain["peak_mib"])  # type: ignore[arg-type]
    print(f"ratio project/plain: time {time_ratio:.2f} (target ≤ {TIME_TARGET}), "
          f"peak memory {memory_ratio:.2f} (target ≤ {MEMORY_TARGET})")
    met = time_ratio <= TIME_TARGET and memory_ratio <= MEMORY_TARGET
    print("targets met" if met else "TARGETS NOT MET")


if __name__ == "__main__":
    main()
