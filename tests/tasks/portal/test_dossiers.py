"""Dossier files and the 766 dossier indicators, against a hand-made file worked by hand.

``tests/fixtures/ho-so-2025-05.csv`` (written by hand), period 2025-05 under the
Ministry's convention: window 15/04/2025 00:00 – 14/05/2025 23:59:59.

SNV (S06 status 3 and S07 status 7 are left out of everything; S10 is received on
15/05, after the window, and not ended: in nothing):
  to process (ended in window, or not ended by the window's end and received by then):
    S01 S02 S03 S04 S05 S08 S09 S11 = 8 (S09 ends 16/05, after the window: open at its end)
  on time: S01 (24/04 ≤ 25/04); S02 (02/05 ≤ 28/04 + 5 supplement days = 03/05);
    S04 (open, 14/05 23:59 ≤ 20/05); S11 (status 8, date-only due 20/04) = 4
    late: S03 (second supplement request), S05 (open, 10/05 + 2 days < 14/05),
    S08 (16/04 > 15/04), S09 (open at 14/05 23:59 > 13/05) → 4/8 = 50 %
  received in window: S01 S02 S03 S04 S05 S09 S11 = 7 (S08 on 10/04 is before)
  online (channel 2 and no paper result or an e-result): S01, S03 = 2 (S04 and S11 are
    online with a paper result and no e-result) → 2/7 = 28.57 %
  fee-bearing: S01 S02 S04 = 3, paid online S01 (1) S04 (2) = 2 → 66.67 %
  paper result, status 9/10, ended in window: S01 S02 S08 = 3 (S11 is status 8);
    with e-result S01 S08 = 2 → 66.67 %
  digitised (and no paper result or an e-result): S01 S03 S09 = 3 (S02 has a paper
    result without e-result) → 3/7 = 42.86 %
  reused: S01 S04 = 2 → 28.57 %;  complaints: S03 S05 = 2 (S08's is before the window)
  satisfaction: 100 − (100 − 50) − 2/7 × 100 = 21.43
STP (T03 status 7 left out):
  to process T01 T02 T04 = 3, all on time: T01 ends exactly at its due time; T02 open;
    T04 ends 14/05 16:00, due 05/05 + 10 supplement days = 15/05 → 3/3 = 100 %
  received T01 (15/04 00:00, the first second) T02 (14/05 23:30, the last day) T04 = 3
  online T01 T02 = 2 → 66.67 %; fees T01 T02 = 2, paid T01 = 1 → 50 %
  paper result T01 T04 = 2, e-result T01 → 50 %; digitised T01 T02 → 66.67 %
  reused T01 → 33.33 %; complaints T02 → 33.33 %; satisfaction 100 − 33.33 = 66.67
SKHCN: K01 only, open, on time, online, no fee, no paper result, nothing digitised:
  on time 1/1, online 1/1, payment 0/0 → N/A, e-result 0/0 → N/A, digitised 0/1 = 0 %,
  reuse 0/1 = 0 %, complaints 0/1, satisfaction 100
TINH (sums): on time 8/12, online 5/11, payment 3/5, e-result 3/5, digitised 5/11,
  reuse 3/11, complaints 3/11, satisfaction 66.67 − 27.27 = 39.39
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from config.index766 import Index766Config, load_index766
from config.registry import Registry, RegistryError
from config.settings import REGISTRY_DIR
from tasks.model.periods import parse_period
from tasks.model.problems import RejectedInput
from tasks.portal.dossiers import (
    aggregate_rows,
    check_dossier_file,
    find_dossier_file,
    indicators_of_units,
    load_dossier_counts,
)
from tests.paths import FIXTURES

FIXTURE = FIXTURES / "ho-so-2025-05.csv"
WINDOW = (date(2025, 4, 15), date(2025, 5, 14))
HEADER = FIXTURE.read_text(encoding="utf-8").splitlines()[0]

EXPECTED = {  # (numerator, denominator) worked by hand, see the module docstring
    "SNV": {"idx766_on_time": (4, 8), "idx766_online_share": (2, 7),
            "idx766_online_payment": (2, 3), "idx766_e_result": (2, 3),
            "idx766_digitised": (3, 7), "idx766_reuse": (2, 7)},
    "STP": {"idx766_on_time": (3, 3), "idx766_online_share": (2, 3),
            "idx766_online_payment": (1, 2), "idx766_e_result": (1, 2),
            "idx766_digitised": (2, 3), "idx766_reuse": (1, 3)},
    "SKHCN": {"idx766_on_time": (1, 1), "idx766_online_share": (1, 1),
              "idx766_online_payment": (0, 0), "idx766_e_result": (0, 0),
              "idx766_digitised": (0, 1), "idx766_reuse": (0, 1)},
    "TINH": {"idx766_on_time": (8, 12), "idx766_online_share": (5, 11),
             "idx766_online_payment": (3, 5), "idx766_e_result": (3, 5),
             "idx766_digitised": (5, 11), "idx766_reuse": (3, 11)},
}
SATISFACTION = {"SNV": 50 - 200 / 7, "STP": 100 - 100 / 3, "SKHCN": 100.0,
                "TINH": 800 / 12 - 300 / 11}


@pytest.fixture(scope="module")
def rules() -> Index766Config:
    return load_index766(REGISTRY_DIR)


@pytest.fixture(scope="module")
def known(registry: Registry) -> set[str]:
    return {a.code for a in registry.agencies}


def _values(path: Path, rules: Index766Config) -> dict[tuple[str, str], tuple[float | None,
                                                                             float | None,
                                                                             float | None]]:
    counts = aggregate_rows(path, WINDOW, rules)
    return {(v.unit, v.indicator): (v.numerator, v.denominator, v.value)
            for v in indicators_of_units(counts)}


def _check(values: dict[tuple[str, str], tuple[float | None, float | None, float | None]]
           ) -> None:
    for unit, indicators in EXPECTED.items():
        for indicator, (numerator, denominator) in indicators.items():
            got = values[(unit, indicator)]
            assert got[:2] == (numerator, denominator), (unit, indicator)
            if denominator:
                assert got[2] == pytest.approx(numerator / denominator * 100), (unit, indicator)
            else:
                assert got[2] is None, (unit, indicator)  # N/A, never 0 or 100
        assert values[(unit, "idx766_satisfaction")][2] == pytest.approx(SATISFACTION[unit])


def test_the_window_matches_the_period(rules: Index766Config) -> None:
    assert parse_period("2025-05").window("ministry") == WINDOW


def test_hand_made_file_gives_the_hand_worked_indicators(rules: Index766Config,
                                                         known: set[str]) -> None:
    assert check_dossier_file(FIXTURE, known, rules) == []
    values = _values(FIXTURE, rules)
    _check(values)
    units = [unit for unit, indicator in values if indicator == "idx766_on_time"]
    assert units == ["TINH", "SKHCN", "SNV", "STP"]


def test_parquet_gives_the_same_as_csv(rules: Index766Config, tmp_path: Path,
                                       known: set[str]) -> None:
    parquet = tmp_path / "ho-so-2025-05.parquet"
    with duckdb.connect() as con:  # typed columns, as a national sync would write them
        con.execute(f"""COPY (SELECT * FROM read_csv('{FIXTURE}', header = true))
                        TO '{parquet}' (FORMAT parquet)""")
        types = {row[0]: row[1] for row in con.execute(
            f"DESCRIBE SELECT * FROM '{parquet}'").fetchall()}
    assert "TIMESTAMP" in str(types["NgayTiepNhan"])
    assert check_dossier_file(parquet, known, rules) == []
    _check(_values(parquet, rules))


def test_status_3_and_7_are_left_out(rules: Index766Config, tmp_path: Path) -> None:
    # Without the excluded rows S06, S07 and T03 the counts are the same.
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith(("S06,", "S07,", "T03,"))]
    path = tmp_path / "ho-so-2025-05.csv"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    _check(_values(path, rules))
    # … and turning T03 into an accepted dossier (status 10) would change STP.
    path.write_text("\n".join(line.replace(",7,0,0,1,1,1,1,1,1,1", ",10,0,0,1,1,1,1,1,1,1")
                              for line in lines) + "\n", encoding="utf-8")
    assert _values(path, rules)[("STP", "idx766_online_share")][:2] == (3, 4)


def test_renamed_columns_follow_the_mapping(tmp_path: Path) -> None:
    base = load_index766(REGISTRY_DIR)
    rules = base.model_copy(update={"columns": {"MaDonVi": "ma_don_vi",
                                                "NgayTiepNhan": "ngay_tiep_nhan"}})
    path = tmp_path / "ho-so-2025-05.csv"
    text = FIXTURE.read_text(encoding="utf-8")
    path.write_text(text.replace("MaDonVi,", "ma_don_vi,", 1)
                    .replace("NgayTiepNhan,", "ngay_tiep_nhan,", 1), encoding="utf-8")
    _check(_values(path, rules))
    problems = check_dossier_file(path, {"SNV", "STP", "SKHCN"}, base)
    assert len(problems) == 1 and "MaDonVi" in problems[0].message


def test_mapping_of_an_unknown_column_is_refused() -> None:
    data = load_index766(REGISTRY_DIR).model_dump()
    data["columns"] = {"MaDonViX": "x"}
    with pytest.raises(ValueError, match="ghi cột MaDonViX không có"):
        Index766Config.model_validate(data)


def _bad_file(tmp_path: Path, rows: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "ho-so-2025-05.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


GOOD_ROW = "X01,SNV,1.001,2,2025-04-20 08:00:00,2025-04-25 17:00:00,,4,0,0,0,0,0,0,0,0,0"


def test_missing_columns_are_named(tmp_path: Path, rules: Index766Config,
                                   known: set[str]) -> None:
    header = HEADER.replace(",CoPhanAnh", "").replace(",DuocSoHoa", "")
    path = _bad_file(tmp_path, [GOOD_ROW.rsplit(",", 2)[0]], header)
    problems = check_dossier_file(path, known, rules)
    assert len(problems) == 1
    assert "Thiếu 2 cột bắt buộc: DuocSoHoa, CoPhanAnh" in problems[0].message


def test_duplicates_dates_numbers_and_units_are_counted_with_examples(
        tmp_path: Path, rules: Index766Config, known: set[str]) -> None:
    rows = [
        GOOD_ROW,
        GOOD_ROW,  # X01 twice
        GOOD_ROW.replace("X01", "X02").replace("2025-04-20 08:00:00", "20/04/2025"),
        GOOD_ROW.replace("X01", "X03").replace(",,4,", ",2025-13-01 08:00:00,4,"),
        GOOD_ROW.replace("X01", "X04").replace("SNV", "SO-LA"),
        GOOD_ROW.replace("X01", "X05").replace("SNV", "SO-LA"),
        GOOD_ROW.replace("X01", "X06").replace(",4,0,0,", ",xong,0,0,"),
    ]
    problems = check_dossier_file(_bad_file(tmp_path, rows), known, rules)
    by_column = {p.column: p.message for p in problems}
    assert all(p.sheet == "ho-so-2025-05.csv" for p in problems)
    assert by_column["NgayTiepNhan"].startswith("1 hồ sơ có ngày không đọc được")
    assert "hồ sơ X02 «20/04/2025»" in by_column["NgayTiepNhan"]
    assert "hồ sơ X03 «2025-13-01 08:00:00»" in by_column["NgayKetThucXuLy"]
    assert "hồ sơ X06 «xong»" in by_column["TrangThaiHoSo"]
    assert by_column["MaHoSo"].startswith("1 mã hồ sơ bị trùng (2 dòng)")
    assert "X01 (2 lần)" in by_column["MaHoSo"]
    assert by_column["MaDonVi"].startswith("1 mã đơn vị không có trong danh mục đơn vị "
                                           "(2 hồ sơ)")
    assert "«SO-LA» (2 hồ sơ)" in by_column["MaDonVi"]
    with pytest.raises(RejectedInput) as caught:
        load_dossier_counts(_bad_file(tmp_path, rows), WINDOW, known, rules)
    assert len(caught.value.problems) == len(problems) == 5


def test_an_unreadable_file_is_a_problem_not_a_crash(tmp_path: Path, rules: Index766Config,
                                                     known: set[str]) -> None:
    path = tmp_path / "ho-so-2025-05.parquet"
    path.write_bytes(b"this is not parquet")
    problems = check_dossier_file(path, known, rules)
    assert len(problems) == 1 and problems[0].message.startswith("Không đọc được tệp hồ sơ")


def test_find_dossier_file_prefers_portal_then_archive(tmp_path: Path) -> None:
    assert find_dossier_file(tmp_path, "2025-05") is None
    archived = tmp_path / "archive" / "ab" / "ho-so-2025-05.csv"
    archived.parent.mkdir(parents=True)
    shutil.copy(FIXTURE, archived)
    assert find_dossier_file(tmp_path, "2025-05") == archived
    (tmp_path / "portal").mkdir()
    shutil.copy(FIXTURE, tmp_path / "portal" / "ho-so-2025-05.csv")
    assert find_dossier_file(tmp_path, "2025-05") == tmp_path / "portal" / "ho-so-2025-05.csv"
    assert find_dossier_file(tmp_path, "2025-04") is None


def test_index766_rules_must_add_up(tmp_path: Path) -> None:
    shutil.copytree(REGISTRY_DIR, tmp_path / "data")
    path = tmp_path / "data" / "index766.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("max_points: 12", "max_points: 13"),
                    encoding="utf-8")
    with pytest.raises(RegistryError, match="nhóm 3 cộng lại là 23"):
        load_index766(tmp_path / "data")


def test_excel_style_csv_with_bom_and_crlf(tmp_path: Path, rules: Index766Config,
                                           known: set[str]) -> None:
    path = tmp_path / "ho-so-2025-05.csv"
    text = FIXTURE.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes("\ufeff".encode() + text.encode("utf-8"))
    assert check_dossier_file(path, known, rules) == []
    _check(_values(path, rules))
