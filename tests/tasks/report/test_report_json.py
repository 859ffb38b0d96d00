"""The JSON form of report data: dates as ISO text, canonical bytes for the hash."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from tasks.report.report_json import canonical_json, readable_json


def test_the_same_data_gives_the_same_bytes_whatever_the_key_order() -> None:
    assert canonical_json({"b": 1, "a": [2]}) == canonical_json({"a": [2], "b": 1})


def test_dates_and_times_are_iso_text_in_both_forms() -> None:
    data = {"ngày": date(2025, 5, 31), "lúc": datetime(2025, 6, 1, 1, 2, tzinfo=UTC)}
    expected = {"ngày": "2025-05-31", "lúc": "2025-06-01T01:02:00+00:00"}
    assert json.loads(canonical_json(data)) == expected
    assert json.loads(readable_json(data)) == expected


def test_the_readable_form_keeps_vietnamese_as_written_and_ends_with_a_newline() -> None:
    text = readable_json({"đơn vị": "Sở Nội vụ"})
    assert "Sở Nội vụ" in text and text.endswith("}\n")


def test_anything_else_is_refused_rather_than_written_as_its_repr() -> None:
    with pytest.raises(TypeError, match="cannot serialise set"):
        canonical_json({"x": {1}})
