"""Dossier-level records (``portal/ho-so-<YYYY-MM>.csv`` or ``.parquet``) and the 766
index's dossier indicators computed from them.

A province has about a million dossiers a year, so rows never become Python objects:
DuckDB reads the file directly and one SQL query groups the counts by unit, fetched into
plain dicts of ints (no pandas). Column names are the national sync's (see
``config.index766.DOSSIER_COLUMNS``); ``Index766Config.columns`` may rename them.

Rules (see ``docs/dossiers.md``): dossiers with status 3 (not accepted) or 7 (withdrawn)
are left out of everything; the window is the period's data window ``(start, end)``,
both days inclusive, in local time.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config.index766 import DOSSIER_COLUMNS, Index766Config
from tasks.model.problems import Problem, RejectedInput
from tasks.model.report import PROVINCE, IndicatorValue
from tasks.model.vocabulary import (
    IDX766_DIGITISED,
    IDX766_E_RESULT,
    IDX766_ON_TIME,
    IDX766_ONLINE_PAYMENT,
    IDX766_ONLINE_SHARE,
    IDX766_REUSE,
    IDX766_SATISFACTION,
    rate,
)

if TYPE_CHECKING:  # DuckDB is imported where a dossier file is read
    import duckdb

SUFFIXES = (".parquet", ".csv")
TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
DATE_COLUMNS = ("NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy")
INT_COLUMNS = (
    "KenhThucHien", "TrangThaiHoSo", "SoLanBoSung", "SoNgayChoBoSung", "CoPhiLePhi",
    "DuocThanhToanTrucTuyen", "KetQuaGiay", "CoKetQuaDienTu", "DuocSoHoa", "TaiSuDungSoHoa",
    "CoPhanAnh",
)
EXCLUDED_STATUSES = (3, 7)
_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT",
                  "UINTEGER", "UBIGINT"}
EXAMPLES = 3

# Counts per unit, in this order; numerator / denominator pairs of each indicator.
COUNT_COLUMNS = (
    "on_time", "to_process", "received", "online", "fee_bearing", "paid_online",
    "paper_result", "e_result", "digitised", "reused", "complaints",
)
RATIOS: dict[str, tuple[str, str]] = {
    IDX766_ON_TIME: ("on_time", "to_process"),
    IDX766_ONLINE_SHARE: ("online", "received"),
    IDX766_ONLINE_PAYMENT: ("paid_online", "fee_bearing"),
    IDX766_E_RESULT: ("e_result", "paper_result"),
    IDX766_DIGITISED: ("digitised", "received"),
    IDX766_REUSE: ("reused", "received"),
}
INDICATOR_IDS = (*RATIOS, IDX766_SATISFACTION)


def dossier_file_name(period_label: str, suffix: str = ".csv") -> str:
    return f"ho-so-{period_label}{suffix}"


def find_dossier_file(workspace: Path, period_label: str) -> Path | None:
    """The period's dossier file: ``portal/ho-so-<kỳ>.parquet`` or ``.csv`` in the
    workspace, else a file of that name anywhere under ``archive/`` (newest first)."""
    for suffix in SUFFIXES:
        path = workspace / "portal" / dossier_file_name(period_label, suffix)
        if path.is_file():
            return path
    archive = workspace / "archive"
    if archive.is_dir():
        for suffix in SUFFIXES:
            found = [p for p in archive.rglob(dossier_file_name(period_label, suffix))
                     if p.is_file()]
            if found:
                return max(found, key=lambda p: p.stat().st_mtime)
    return None


# --- reading ----------------------------------------------------------------------------


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _reader(path: Path) -> str:
    if path.suffix.lower() == ".parquet":
        return f"read_parquet({_literal(str(path))})"
    return (f"read_csv({_literal(str(path))}, header = true, delim = ',', quote = '\"', "
            "all_varchar = true)")


class _Source:
    """The file as DuckDB sees it, and SQL expressions for its typed columns."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path,
                 config: Index766Config) -> None:
        self.path = path
        self.reader = _reader(path)
        described = con.execute(f"DESCRIBE SELECT * FROM {self.reader}").fetchall()
        self.types = {str(row[0]): str(row[1]).upper() for row in described}
        self.names = {name: config.file_column(name) for name in DOSSIER_COLUMNS}

    def missing(self) -> list[str]:
        return [self.names[n] for n in DOSSIER_COLUMNS if self.names[n] not in self.types]

    def _is_text(self, name: str) -> bool:
        return self.types[self.names[name]] == "VARCHAR"

    def raw(self, name: str) -> str:
        return f"nullif(trim(CAST({_ident(self.names[name])} AS VARCHAR)), '')"

    def typed(self, name: str) -> str:
        column = _ident(self.names[name])
        if name in DATE_COLUMNS:
            if self._is_text(name):
                formats = ", ".join(_literal(f) for f in TIMESTAMP_FORMATS)
                return f"try_strptime({self.raw(name)}, [{formats}])"
            return f"TRY_CAST({column} AS TIMESTAMP)"
        if name in INT_COLUMNS:
            if self._is_text(name):
                return f"TRY_CAST({self.raw(name)} AS INTEGER)"
            return f"TRY_CAST({column} AS INTEGER)"
        return self.raw(name)

    def invalid(self, name: str) -> str:
        """True where the cell holds something that is not a valid value."""
        if not self._is_text(name) and (name in DATE_COLUMNS or self.types[self.names[name]] in
                                         _INTEGER_TYPES):
            return "false"  # typed by the file (Parquet): nothing to parse
        return f"({self.raw(name)} IS NOT NULL AND {self.typed(name)} IS NULL)"

    def empty(self, name: str) -> str:
        if self._is_text(name):
            return f"{self.raw(name)} IS NULL"
        return f"{_ident(self.names[name])} IS NULL"

    def normalised(self) -> str:
        columns = ", ".join(f"{self.typed(n)} AS {n}" for n in DOSSIER_COLUMNS)
        return f"SELECT {columns} FROM {self.reader}"


def _connect() -> duckdb.DuckDBPyConnection:
    import duckdb

    return duckdb.connect(":memory:")


# --- checking -----------------------------------------------------------------------------


def _examples(con: duckdb.DuckDBPyConnection, src: _Source, condition: str,
              value: str) -> str:
    rows = con.execute(
        f"SELECT {src.raw('MaHoSo')}, {value} FROM {src.reader} WHERE {condition} "
        f"LIMIT {EXAMPLES}").fetchall()
    return "; ".join(f"hồ sơ {row[0] or '(trống)'} «{row[1] if row[1] is not None else ''}»"
                     for row in rows)


def check_dossier_file(path: Path, known_units: Collection[str],
                       config: Index766Config) -> list[Problem]:
    """Everything wrong with a dossier file, in Vietnamese (counts and a few examples).

    Checks: readable file, every column present, MaHoSo present and unique, NgayTiepNhan
    and TrangThaiHoSo present, dates and numbers readable, MaDonVi in the registry.
    """
    import duckdb

    sheet = path.name
    try:
        with _connect() as con:
            src = _Source(con, path, config)
            missing = src.missing()
            if missing:
                return [Problem(f"Thiếu {len(missing)} cột bắt buộc: {', '.join(missing)}. "
                                "Tệp hồ sơ phải có đủ các cột của hệ thống đồng bộ quốc gia "
                                "(xem docs/dossiers.md).", sheet=sheet)]
            return _problems(con, src, known_units, sheet)
    except duckdb.Error as exc:
        return [Problem(f"Không đọc được tệp hồ sơ ({exc.__class__.__name__}): "
                        f"{str(exc).splitlines()[0]}", sheet=sheet)]


def _problems(con: duckdb.DuckDBPyConnection, src: _Source, known_units: Collection[str],
              sheet: str) -> list[Problem]:
    checks: list[tuple[str, str, str, str]] = [  # (column, condition, value shown, message)
        ("MaHoSo", src.empty("MaHoSo"), "''", "hồ sơ không có mã hồ sơ"),
        ("MaDonVi", src.empty("MaDonVi"), "''", "hồ sơ không có mã đơn vị"),
        ("NgayTiepNhan", src.empty("NgayTiepNhan"), "''",
         "hồ sơ không có ngày tiếp nhận"),
        ("TrangThaiHoSo", src.empty("TrangThaiHoSo"), "''",
         "hồ sơ không có trạng thái"),
    ]
    for name in DATE_COLUMNS:
        checks.append((name, src.invalid(name), src.raw(name),
                       "hồ sơ có ngày không đọc được (cần dạng YYYY-MM-DD HH:MM:SS)"))
    for name in INT_COLUMNS:
        checks.append((name, src.invalid(name), src.raw(name),
                       "hồ sơ có giá trị không phải số nguyên"))
    counts = con.execute(
        "SELECT " + ", ".join(f"count(*) FILTER (WHERE {cond})" for _, cond, _, _ in checks)
        + f" FROM {src.reader}").fetchone()
    assert counts is not None
    problems: list[Problem] = []
    for (name, cond, value, message), count in zip(checks, counts, strict=True):
        if count:
            problems.append(Problem(
                f"{count} {message}; ví dụ: {_examples(con, src, cond, value)}",
                sheet=sheet, column=src.names[name]))

    code = src.raw("MaHoSo")
    extra = con.execute(f"SELECT count({code}) - count(DISTINCT {code}) "
                        f"FROM {src.reader}").fetchone()
    total = None
    if extra is not None and extra[0]:  # only then the slower count of duplicated codes
        total = con.execute(
            f"SELECT count(*), sum(n) FROM (SELECT count(*) AS n FROM {src.reader} "
            f"WHERE {code} IS NOT NULL GROUP BY {code} HAVING count(*) > 1)").fetchone()
    if total is not None and total[0]:
        duplicated = con.execute(
            f"SELECT {code} AS ma, count(*) AS n FROM {src.reader} WHERE {code} IS NOT NULL "
            f"GROUP BY ma HAVING count(*) > 1 ORDER BY n DESC, ma LIMIT {EXAMPLES}").fetchall()
        shown = "; ".join(f"{ma} ({n} lần)" for ma, n in duplicated)
        problems.append(Problem(
            f"{total[0]} mã hồ sơ bị trùng ({total[1]} dòng); mỗi hồ sơ chỉ được có một "
            f"dòng; ví dụ: {shown}", sheet=sheet, column=src.names["MaHoSo"]))

    units = con.execute(
        f"SELECT {src.raw('MaDonVi')} AS unit, count(*) FROM {src.reader} "
        "WHERE unit IS NOT NULL GROUP BY unit ORDER BY unit").fetchall()
    unknown = [(unit, n) for unit, n in units if unit not in known_units]
    if unknown:
        shown = "; ".join(f"«{unit}» ({n} hồ sơ)" for unit, n in unknown[:EXAMPLES])
        problems.append(Problem(
            f"{len(unknown)} mã đơn vị không có trong danh mục đơn vị "
            f"({sum(n for _, n in unknown)} hồ sơ); ví dụ: {shown}. Sửa mã hoặc bổ sung "
            "đơn vị vào config/data/agencies.yaml (aliases).",
            sheet=sheet, column=src.names["MaDonVi"]))
    return problems


# --- aggregating --------------------------------------------------------------------------


def _bounds(window: tuple[date, date]) -> tuple[datetime, datetime, datetime]:
    """Start (inclusive), stop (exclusive) and last second of the window, local time."""
    start = datetime.combine(window[0], time(0))
    stop = datetime.combine(window[1] + timedelta(days=1), time(0))
    return start, stop, stop - timedelta(seconds=1)


# Each dossier both queries count (statuses 3 and 7 left out), with what both read: received
# in the window (``rin``), ended in it (``ein``), when it ended, its due moment (the due day
# moved by the days waited for more papers) and how many times more papers were asked for.
# ``{more}`` takes the columns only one query reads.
_DOSSIERS = """
WITH d AS ({normalised}),
k AS (
    SELECT
        MaDonVi AS unit,
        coalesce(NgayTiepNhan >= $start AND NgayTiepNhan < $stop, false) AS rin,
        coalesce(NgayKetThucXuLy >= $start AND NgayKetThucXuLy < $stop, false) AS ein,
        NgayKetThucXuLy AS ended_at,
        NgayHenTra + to_days(coalesce(SoNgayChoBoSung, 0)) AS due,
        coalesce(SoLanBoSung, 0) AS supplements{more}
    FROM d
    WHERE TrangThaiHoSo NOT IN ({excluded})
)
"""


def _on_time(finished_at: str) -> str:
    """The one SQL rule of on time (criterion 2.1, docs/dossiers.md): finished by its due
    moment (no due day: on time) and more papers asked for at most once; ``finished_at``
    is the SQL moment the dossier counts as finished."""
    return f"supplements < 2 AND (due IS NULL OR {finished_at} <= due)"


# a dossier still open at the window's end is judged at the window's last second
_ON_TIME_AT_END = _on_time("(CASE WHEN ended_by_end THEN ended_at ELSE $last END)")

AGGREGATE_SQL = _DOSSIERS.replace("{more}", """,
        coalesce((NgayKetThucXuLy IS NULL OR NgayKetThucXuLy >= $stop)
                 AND NgayTiepNhan < $stop, false) AS open_at_end,
        coalesce(NgayKetThucXuLy < $stop, false) AS ended_by_end,
        TrangThaiHoSo AS status,
        coalesce(KenhThucHien, 1) AS channel,
        coalesce(CoPhiLePhi, 0) AS fee,
        coalesce(DuocThanhToanTrucTuyen, 0) AS paid,
        coalesce(KetQuaGiay, 0) AS paper,
        coalesce(CoKetQuaDienTu, 0) AS electronic,
        coalesce(DuocSoHoa, 0) AS digitised,
        coalesce(TaiSuDungSoHoa, 0) AS reused,
        coalesce(CoPhanAnh, 0) AS complaint""") + f"""
SELECT
    unit,
    count(*) FILTER (WHERE (ein OR open_at_end) AND {_ON_TIME_AT_END}) AS on_time,
    count(*) FILTER (WHERE ein OR open_at_end) AS to_process,
    count(*) FILTER (WHERE rin) AS received,
    count(*) FILTER (WHERE rin AND channel = 2 AND (paper = 0 OR electronic = 1)) AS online,
    count(*) FILTER (WHERE rin AND fee = 1) AS fee_bearing,
    count(*) FILTER (WHERE rin AND fee = 1 AND paid IN (1, 2)) AS paid_online,
    count(*) FILTER (WHERE ein AND status IN (9, 10) AND paper = 1) AS paper_result,
    count(*) FILTER (WHERE ein AND status IN (9, 10) AND paper = 1 AND electronic = 1)
        AS e_result,
    count(*) FILTER (WHERE rin AND digitised = 1 AND (paper = 0 OR electronic = 1))
        AS digitised,
    count(*) FILTER (WHERE rin AND reused = 1) AS reused,
    count(*) FILTER (WHERE rin AND complaint = 1) AS complaints
FROM k
GROUP BY unit
ORDER BY unit
"""


def _grouped(path: Path, template: str, params: dict[str, datetime],
             config: Index766Config) -> list[tuple[str, ...]]:
    """The rows of one grouped query (``unit`` first, then counts), in unit order."""
    with _connect() as con:
        src = _Source(con, path, config)
        sql = template.format(normalised=src.normalised(),
                              excluded=", ".join(str(s) for s in EXCLUDED_STATUSES))
        return con.execute(sql, params).fetchall()


def aggregate_rows(path: Path, window: tuple[date, date],
                   config: Index766Config) -> dict[str, dict[str, int]]:
    """Per unit (in code order), the counts of :data:`COUNT_COLUMNS`: one SQL query.

    Assumes a file that :func:`check_dossier_file` accepted; rows it would flag are
    counted as far as they can be read.
    """
    start, stop, last = _bounds(window)
    rows = _grouped(path, AGGREGATE_SQL, {"start": start, "stop": stop, "last": last}, config)
    return {str(row[0]): dict(zip(COUNT_COLUMNS, (int(n) for n in row[1:]), strict=True))
            for row in rows}


RESOLUTION_SQL = _DOSSIERS.replace("{more}", "") + f"""
SELECT
    unit,
    count(*) FILTER (WHERE rin) AS received,
    count(*) FILTER (WHERE ein) AS resolved,
    count(*) FILTER (WHERE ein AND {_on_time("ended_at")}) AS resolved_on_time
FROM k
GROUP BY unit
ORDER BY unit
"""


def resolution_rows(path: Path, window: tuple[date, date],
                    config: Index766Config) -> dict[str, tuple[int, int, int]]:
    """Per unit (in code order), what aggregated statistics also count: ``(received,
    resolved, resolved on time)``, i.e. dossiers received in the window, ended in it and
    ended on time (the 2.1 rule), statuses 3 and 7 left out."""
    start, stop, _ = _bounds(window)
    rows = _grouped(path, RESOLUTION_SQL, {"start": start, "stop": stop}, config)
    return {str(row[0]): (int(row[1]), int(row[2]), int(row[3])) for row in rows}


def load_dossier_counts(path: Path, window: tuple[date, date], known_units: Collection[str],
                        config: Index766Config) -> dict[str, dict[str, int]]:
    """Check the file, then aggregate it (:func:`aggregate_rows`); :class:`RejectedInput`
    lists every problem."""
    problems = check_dossier_file(path, known_units, config)
    if problems:
        raise RejectedInput(problems)
    return aggregate_rows(path, window, config)


# --- indicators ---------------------------------------------------------------------------


def complaint_share(counts: Mapping[str, Any]) -> float | None:
    """Share (%) of dossiers received in the window with a complaint or dislike."""
    return rate(float(counts["complaints"]), float(counts["received"]))


def _unit_values(unit: str, counts: Mapping[str, Any]) -> list[IndicatorValue]:
    values = []
    for indicator, (num, den) in RATIOS.items():
        numerator, denominator = float(counts[num]), float(counts[den])
        values.append(IndicatorValue(unit, indicator, numerator, denominator,
                                     rate(numerator, denominator)))
    on_time = values[0].value
    complaints = complaint_share(counts)
    satisfaction = (None if on_time is None or complaints is None
                    else 100 - (100 - on_time) - complaints)
    # Not a ratio of counts: kept as value / 100 so that numerator ÷ denominator × 100 holds.
    values.append(IndicatorValue(unit, IDX766_SATISFACTION, satisfaction,
                                 100.0 if satisfaction is not None else None, satisfaction))
    return values


def indicators_of_units(units: Mapping[str, Mapping[str, int]]) -> list[IndicatorValue]:
    """The 766 dossier indicators for ``TINH`` (sums of the units' counts: numerators and
    denominators), then each unit, from the counts of :func:`aggregate_rows`."""
    province = {c: sum(unit[c] for unit in units.values()) for c in COUNT_COLUMNS}
    values = _unit_values(PROVINCE, province)
    for unit, counts in units.items():
        values.extend(_unit_values(unit, counts))
    return values


def rates_of(values: Sequence[IndicatorValue], unit: str = PROVINCE) -> dict[str, float | None]:
    """``{indicator: rate}`` of one unit, for scoring."""
    return {v.indicator: v.value for v in values if v.unit == unit}
