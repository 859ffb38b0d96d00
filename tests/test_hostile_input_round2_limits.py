"""Hostile and faulty input, second round (issue 22): limits that hold for every format.

Every bad file is made by hand in a real temporary folder; the self-check runs as the
agency runs it, ``cchc validate`` in a child process, with a timeout (a hang fails the
test) and, where the old code allocated gigabytes, a cap on the child's memory.
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from config.registry import Registry
from tasks.intake.reader import UnreadableFile, read_submission
from tasks.intake.template import TaskEntry
from tests.builders import write_submission

ROOT = Path(__file__).resolve().parents[1]
TASK_SHEET = "xl/worksheets/sheet2.xml"  # «Nhiệm vụ» in the template
CHILD_MEMORY = 2 * 1024 ** 3  # address space of a `cchc validate` child: far below 4 GB


def _cap_memory() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))


def cchc_validate(path: Path, *, agency: str | None = "SNV", timeout: float = 120
                  ) -> subprocess.CompletedProcess[str]:
    """``cchc validate`` in a child process, as an agency runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PYTHONPATH=str(ROOT), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    command = [sys.executable, "-c", "from cli.main import app; app()", "validate", str(path)]
    if agency:
        command += ["--agency", agency]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=timeout, check=False, preexec_fn=_cap_memory)


def _no_crash(done: subprocess.CompletedProcess[str], code: int) -> str:
    output = done.stdout + done.stderr
    assert done.returncode == code, (done.returncode, output)
    assert "Traceback" not in output, output
    return output


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _valid(tmp_path: Path, registry: Registry, name: str = "bc.xlsx") -> Path:
    return write_submission(tmp_path / name, registry, "SNV",
                            entries=[TaskEntry("IV.1", "Đang thực hiện", 50)])


def _with_task_rows(tmp_path: Path, registry: Registry, rows: bytes,
                    name: str = "bc.xlsx") -> Path:
    """The template with ``rows`` (hand-written XML) added at the end of «Nhiệm vụ»."""
    path = _valid(tmp_path, registry, name)
    parts = _parts(path)
    parts[TASK_SHEET] = parts[TASK_SHEET].replace(b"</sheetData>", rows + b"</sheetData>", 1)
    path.write_bytes(_zip(parts))
    return path


# --- 1. a cell far away, written so the limit scan missed it ------------------------------
FAR = b'<row r="40"><c r="xfd1048576" t="inlineStr"><is><t>x</t></is></c></row>'


def _decoy_workbook(tmp_path: Path, registry: Registry) -> Path:
    """The package's start relation names a decoy workbook whose «Nhiệm vụ» is harmless,
    while xl/workbook.xml (the one calamine always reads) names the hostile sheet."""
    path = _valid(tmp_path, registry)
    parts = _parts(path)
    harmless = parts[TASK_SHEET]
    parts[TASK_SHEET] = harmless.replace(b"</sheetData>", FAR.replace(b"xfd", b"XFD")
                                         + b"</sheetData>", 1)
    parts["xl/harmless/sheet2.xml"] = harmless
    parts["xl/decoy.xml"] = parts["xl/workbook.xml"]
    parts["xl/_rels/decoy.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"/xl/worksheets/sheet2.xml", b"/xl/harmless/sheet2.xml")
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(b"xl/workbook.xml", b"xl/decoy.xml")
    assert b"xl/decoy.xml" in parts["_rels/.rels"]
    path.write_bytes(_zip(parts))
    return path


def test_a_lower_case_far_cell_is_refused_before_calamine_reads(
        tmp_path: Path, registry: Registry) -> None:
    """2.6 KB that made calamine ask for ~550 GB: the reference is read in any case."""
    path = _with_task_rows(tmp_path, registry, FAR)
    assert path.stat().st_size < 16 * 1024
    with pytest.raises(UnreadableFile) as caught:
        read_submission(path)
    message = str(caught.value)
    assert "«Nhiệm vụ»" in message and "ô XFD1048576" in message, message


@pytest.mark.parametrize(("rows", "cell"), [
    (FAR, "XFD1048576"),
    # mixed case and fewer columns: 4.2 GB with the old scan (the child may use 2 GB)
    (b'<row r="40"><c r="cV1048576"><v>1</v></c></row>', "CV1048576"),
    # no reference: the position follows the row and the cells before it
    (b'<row r="9000"><c><v>1</v></c></row>', "A9000"),
    (b"<row>" + b"<c><v>1</v></c>" * 61 + b"</row>", "BI"),
], ids=["lower-case", "mixed-case", "row-only", "61-cells-without-reference"])
def test_far_cells_are_refused_by_the_self_check(tmp_path: Path, registry: Registry,
                                                 rows: bytes, cell: str) -> None:
    path = _with_task_rows(tmp_path, registry, rows)
    output = _no_crash(cchc_validate(path), 2)
    assert "«Nhiệm vụ»" in output and f"ô {cell}" in output, output


def test_a_sheet_calamine_finds_by_its_own_rules_is_scanned_too(
        tmp_path: Path, registry: Registry) -> None:
    path = _decoy_workbook(tmp_path, registry)
    with pytest.raises(UnreadableFile) as caught:
        read_submission(path)
    assert "ô XFD1048576" in str(caught.value)
    output = _no_crash(cchc_validate(path), 2)
    assert "ô XFD1048576" in output, output


@pytest.mark.parametrize("reference", [b"A1:B2", b"$A$1", b"A\xd9\xa1", b"AAAA1", b"A0"])
def test_a_reference_calamine_would_read_otherwise_is_refused(
        tmp_path: Path, registry: Registry, reference: bytes) -> None:
    rows = b'<row r="40"><c r="' + reference + b'"><v>1</v></c></row>'
    path = _with_task_rows(tmp_path, registry, rows)
    with pytest.raises(UnreadableFile) as caught:
        read_submission(path)
    assert "lưu lại bằng Excel" in str(caught.value)


def test_a_far_formatted_empty_cell_still_costs_nothing(tmp_path: Path,
                                                         registry: Registry) -> None:
    path = _with_task_rows(tmp_path, registry, b'<row r="1048576"><c r="xfd1048576" s="1"/>'
                                               b"</row>")
    done = cchc_validate(path)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
