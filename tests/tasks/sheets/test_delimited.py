"""The one separator rule for agency and portal CSV files (tasks/sheets/delimited.py)."""

from __future__ import annotations

import pytest

from tasks.sheets.delimited import choose_delimiter, read_delimited
from tests import paths

FIXTURES = paths.FIXTURES / "csv"


@pytest.mark.parametrize(("name", "separator"), [
    ("agency-semicolon-commas.csv", ";"),
    ("agency-comma-quoted-semicolons.csv", ","),
    ("agency-tab.csv", "\t"),
    ("portal-semicolon-commas.csv", ";"),
])
def test_hand_written_files(name: str, separator: str) -> None:
    assert choose_delimiter((FIXTURES / name).read_text(encoding="utf-8")) == separator


def test_separator_inside_quotes_does_not_count() -> None:
    text = 'Mã,"Khó khăn; vướng mắc; thiếu người; thiếu máy",Ghi chú\nA,"x; y; z; t",1\n'
    assert read_delimited(text) == [
        ["Mã", "Khó khăn; vướng mắc; thiếu người; thiếu máy", "Ghi chú"],
        ["A", "x; y; z; t", "1"],
    ]


def test_only_the_header_lines_decide() -> None:
    """Lines after the first 20 non-blank ones (here: comma-rich notes) do not vote."""
    header = "".join(f"Mục {n};{n}\n" for n in range(20))
    notes = "Ghi chú, thêm, nữa, và, nữa\n" * 50
    assert choose_delimiter(header + "\n\n" + notes) == ";"
