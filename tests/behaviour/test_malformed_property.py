"""Property: any malformed workbook, CSV or JSON file dropped in an agency's folder is
taken in without a crash, gets a receipt, and leaves no submission in the database."""

from __future__ import annotations

import itertools
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from config.registry import Registry
from connectors.database import Database
from connectors.db_schema import MetricReportRow, SubmissionRow, TaskReportRow
from connectors.drop_folder import DropFolder
from tasks.intake.template import TaskEntry
from tests.builders import take_file, write_submission, zip_parts

NOW = datetime(2025, 5, 16, 8, tzinfo=UTC)
EXAMPLES = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
_numbers = itertools.count()


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory,
          registry: Registry) -> Iterator[tuple[Path, Database, dict[str, bytes]]]:
    """A workspace, a SQLite database and the parts of a valid template to break."""
    base = tmp_path_factory.mktemp("malformed")
    valid = write_submission(base / "valid.xlsx", registry, "SNV",
                             entries=[TaskEntry("IV.1", "Đang thực hiện", 50)])
    with zipfile.ZipFile(valid) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    db = Database.from_url(f"sqlite:///{base / 'cchc.db'}")
    db.migrate()
    yield base / "workspace", db, parts
    db.dispose()


def _stored(db: Database) -> int:
    with db.engine.connect() as conn:
        return sum(int(conn.execute(select(func.count()).select_from(m)).scalar_one())
                   for m in (SubmissionRow, TaskReportRow, MetricReportRow))


def _take_in(place: tuple[Path, Database, dict[str, bytes]], registry: Registry,
             suffix: str, content: bytes) -> None:
    workspace, db, _ = place
    folder = DropFolder.agency_inbox(workspace)
    folder.ensure(["SNV"])
    path = workspace / "inbox" / "SNV" / f"bc-{next(_numbers)}{suffix}"
    path.write_bytes(content)
    [item] = [i for i in folder.pending() if i.path == path]
    outcome = take_file(item, folder, db, registry, now=NOW)
    assert outcome is not None and outcome.outcome == "rejected", outcome
    assert outcome.problems
    assert Path(outcome.kept_at + ".loi.txt").read_text(encoding="utf-8").strip()
    assert not path.exists()
    assert _stored(db) == 0


_BROKEN_PARTS = ("xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/_rels/workbook.xml.rels")


@st.composite
def broken_workbooks(draw: st.DrawFn, parts: dict[str, bytes]) -> bytes:
    kind = draw(st.sampled_from(["bytes", "truncated", "garbled", "missing"]))
    whole = zip_parts(parts)
    if kind == "bytes":
        return draw(st.sampled_from([b"", b"PK\x03\x04", bytes.fromhex("D0CF11E0A1B11AE1")])) \
            + draw(st.binary(max_size=2000))
    if kind == "truncated":
        return whole[: draw(st.integers(0, len(whole) - 1))]
    target = draw(st.sampled_from(_BROKEN_PARTS))
    changed = dict(parts)
    if kind == "missing":
        del changed[target]
    else:
        changed[target] = draw(st.one_of(
            st.binary(max_size=500),
            st.text(max_size=300).map(lambda t: ("<x>" + t).encode("utf-8")),
            st.just(parts[target][: len(parts[target]) // 2])))
    return zip_parts(changed)


def test_malformed_workbooks(place: tuple[Path, Database, dict[str, bytes]],
                             registry: Registry) -> None:
    @EXAMPLES
    @given(content=broken_workbooks(place[2]))
    def check(content: bytes) -> None:
        _take_in(place, registry, ".xlsx", content)

    check()


_cell = st.one_of(st.text(max_size=20), st.sampled_from(
    ["Thông tin", "Nhiệm vụ", "Chỉ tiêu", "Mã đơn vị", "Kỳ báo cáo", "SNV", "2025-05",
     "Mã nhiệm vụ", "Tình trạng", '"', ";", "\x00", "\r"]))


@EXAMPLES
@given(lines=st.lists(st.lists(_cell, max_size=6), max_size=12),
       separator=st.sampled_from([";", ",", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-16", "cp1258"]))
def test_malformed_csv(place: tuple[Path, Database, dict[str, bytes]], registry: Registry,
                       lines: list[list[str]], separator: str, encoding: str) -> None:
    text = "\n".join(separator.join(line) for line in lines)
    _take_in(place, registry, ".csv", text.encode(encoding, "replace"))


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _cell,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_cell, inner, max_size=4),
    max_leaves=20)


@EXAMPLES
@given(data=st.one_of(
    _json.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8")),
    st.fixed_dictionaries({"Mã đơn vị": _json, "Kỳ báo cáo": _json, "Nhiệm vụ": _json})
    .map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=300)))
def test_malformed_json(place: tuple[Path, Database, dict[str, bytes]], registry: Registry,
                        data: bytes) -> None:
    _take_in(place, registry, ".json", data)
