"""Hostile and faulty input, second round (issue 22): limits that hold for every format.

Every bad file is made by hand in a real temporary folder; the self-check runs as the
agency runs it, ``cchc validate`` in a child process, with a timeout (a hang fails the
test) and, where the old code allocated gigabytes, a cap on the child's memory.
"""

from __future__ import annotations

import json
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
from tasks.intake.validation import validate_submission
from tasks.model.problems import Problem
from tasks.model.rules import ReportingRules
from tasks.model.submission import Submission
from tasks.report import vietnamese as vi
from tests.builders import TODAY, submission_or_problems, write_submission, zip_parts
from tests.paths import REPO

ROOT = REPO
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


def _valid(tmp_path: Path, registry: Registry, name: str = "bc.xlsx") -> Path:
    return write_submission(tmp_path / name, registry, "SNV",
                            entries=[TaskEntry("IV.1", "Đang thực hiện", 50)])


def _with_task_rows(tmp_path: Path, registry: Registry, rows: bytes,
                    name: str = "bc.xlsx") -> Path:
    """The template with ``rows`` (hand-written XML) added at the end of «Nhiệm vụ»."""
    path = _valid(tmp_path, registry, name)
    parts = _parts(path)
    parts[TASK_SHEET] = parts[TASK_SHEET].replace(b"</sheetData>", rows + b"</sheetData>", 1)
    path.write_bytes(zip_parts(parts))
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
    path.write_bytes(zip_parts(parts))
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


# --- 3. metric values too large for a report ------------------------------------------
def _validated(path: Path, registry: Registry) -> Submission | list[Problem]:
    return submission_or_problems(validate_submission(read_submission(path), registry, today=TODAY,
                               folder_agency="SNV", rules=ReportingRules()))


def _json_file(path: Path, metrics: list[dict[str, object]] | str,
               tasks: list[dict[str, object]] | None = None) -> Path:
    body = metrics if isinstance(metrics, str) else json.dumps(metrics, ensure_ascii=False)
    text = ('{"Mã đơn vị": "SNV", "Kỳ báo cáo": "2025-05", "Nhiệm vụ": '
            + json.dumps(tasks or [], ensure_ascii=False) + ', "Chỉ tiêu": ' + body + "}")
    path.write_text(text, encoding="utf-8")
    return path


def _csv_file(path: Path, value: str) -> Path:
    path.write_text("Thông tin\nMã đơn vị;SNV\nKỳ báo cáo;05/2025\nNhiệm vụ\n"
                    "Mã nhiệm vụ;Tình trạng;Tiến độ (%)\nIV.1;Đang thực hiện;40\n"
                    f"Chỉ tiêu\nMã chỉ tiêu;Giá trị;Ghi chú\nkiem_tra_cchc;{value};\n",
                    encoding="utf-8")
    return path


def _huge(kind: str, tmp_path: Path, registry: Registry) -> Path:
    if kind == "xlsx-1e26":
        return write_submission(tmp_path / "bc.xlsx", registry, "SNV",
                                metrics={"kiem_tra_cchc": 1e26})
    if kind == "json-1e26":
        return _json_file(tmp_path / "bc.json", '[{"Mã chỉ tiêu": "kiem_tra_cchc", '
                                                '"Giá trị": 1e26}]')
    if kind == "json-400-digit-text":
        return _json_file(tmp_path / "bc.json", [{"Mã chỉ tiêu": "kiem_tra_cchc",
                                                  "Giá trị": "9" * 400}])
    if kind == "json-400-digit-integer":
        return _json_file(tmp_path / "bc.json", '[{"Mã chỉ tiêu": "kiem_tra_cchc", '
                                                '"Giá trị": ' + "9" * 400 + "}]")
    if kind == "csv-400-digits":
        return _csv_file(tmp_path / "bc.csv", "9" * 400)
    assert kind == "csv-grouped"
    return _csv_file(tmp_path / "bc.csv", "1.000.000.000.000")


@pytest.mark.parametrize("kind", ["xlsx-1e26", "json-1e26", "json-400-digit-text",
                                  "json-400-digit-integer", "csv-400-digits", "csv-grouped"])
def test_a_metric_value_too_large_is_refused_in_every_format(
        tmp_path: Path, registry: Registry, kind: str) -> None:
    result = _validated(_huge(kind, tmp_path, registry), registry)
    assert isinstance(result, list), result
    [problem] = result
    assert (problem.sheet, problem.column) == ("Chỉ tiêu", "Giá trị"), problem
    assert "quá lớn" in problem.message and len(problem.message) < 200, problem


def test_the_largest_count_is_still_taken(tmp_path: Path, registry: Registry) -> None:
    result = _validated(_csv_file(tmp_path / "bc.csv", "1.000.000.000"), registry)
    assert isinstance(result, Submission), result
    assert result.metrics[0].value == 1e9


@pytest.mark.parametrize(("value", "text"), [
    (1e26, "100.000.000.000.000.000.000.000.000"),
    (-1e26, "-100.000.000.000.000.000.000.000.000"),
    (1.7976931348623157e308, None),
    (10 ** 400, "10" + ".000" * 133),
    (10 ** 5000, None),
    (float("inf"), vi.NO_DATA),
    (float("nan"), vi.NO_DATA),
    (1234.5, "1.234,5"),
    (-0.125, "-0,13"),
], ids=["1e26", "-1e26", "largest-float", "400-digits", "5000-digits", "inf", "nan",
        "1234.5", "-0.125"])
def test_the_vietnamese_number_never_raises(value: float, text: str | None) -> None:
    written = vi.number(value)
    assert text is None or written == text, written
    assert vi.percent(value)  # and a rate too


# --- 8. JSON that breaks the parser: unreadable (exit 2), with advice for JSON ------------
@pytest.mark.parametrize("content", ["[" * 100_000 + "]" * 100_000,
                                     '{"Mã đơn vị": ' + "7" * 5000 + "}"],
                         ids=["nested-100000-deep", "5000-digit-integer"])
def test_json_the_parser_cannot_hold_is_unreadable(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bc.json"
    path.write_text(content, encoding="utf-8")
    output = _no_crash(cchc_validate(path), 2)
    assert "JSON" in output and "bằng Excel" not in output, output


# --- 12. a JSON object naming one key twice ---------------------------------------------
def test_a_duplicate_json_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bc.json"
    path.write_text('{"Mã đơn vị": "SNV", "Mã đơn vị": "STP", "Kỳ báo cáo": "2025-05"}',
                    encoding="utf-8")
    with pytest.raises(UnreadableFile) as caught:
        read_submission(path)
    assert "«Mã đơn vị» ghi hai lần" in str(caught.value)


# --- 12. accepted before and wrong --------------------------------------------------------
@pytest.mark.parametrize(("task", "column", "words"), [
    ({"Tình trạng": "Đang thực hiện", "Tiến độ (%)": 100}, "Tình trạng", "tiến độ 100%"),
    ({"Tình trạng": "Chưa thực hiện", "Tiến độ (%)": 80}, "Tiến độ (%)", "0% hoặc để trống"),
    ({"Tình trạng": "Hoàn thành", "Tiến độ (%)": 100, "Ngày hoàn thành": "01/01/1900"},
     "Ngày hoàn thành", "không hợp lý"),
], ids=["100-in-progress", "80-not-started", "done-in-1900"])
def test_status_progress_and_date_that_contradict_are_refused(
        tmp_path: Path, registry: Registry, task: dict[str, object], column: str,
        words: str) -> None:
    path = _json_file(tmp_path / "bc.json", [], [{"Mã nhiệm vụ": "IV.1", **task}])
    result = _validated(path, registry)
    assert isinstance(result, list), result
    [problem] = result
    assert (problem.sheet, problem.row, problem.column) == ("Nhiệm vụ", 1, column), problem
    assert words in problem.message, problem


def test_a_file_named_dot_dot_xlsx_is_read_as_xlsx(tmp_path: Path, registry: Registry) -> None:
    path = _valid(tmp_path, registry).rename(tmp_path / "..xlsx")
    assert isinstance(_validated(path, registry), Submission)


# --- 8. the self-check on a pipe or a device: refused at once ------------------------------
def test_the_self_check_refuses_a_fifo_and_a_link_to_dev_zero(tmp_path: Path) -> None:
    fifo = tmp_path / "bc.json"
    os.mkfifo(fifo)
    assert "tệp thông thường" in _no_crash(cchc_validate(fifo, timeout=60), 2)
    link = tmp_path / "bc.csv"
    link.symlink_to("/dev/zero")
    assert "tệp thông thường" in _no_crash(cchc_validate(link, timeout=60), 2)
