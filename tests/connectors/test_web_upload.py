"""The name an upload is stored under: chosen by the server, with a hint of the client's
name that can never be a path."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.drop_folder import DropFolder
from connectors.web_upload import name_hint, place_upload


@pytest.mark.parametrize(("client_name", "hint"), [
    ("Báo cáo tháng 5.xlsx", "bao-cao-thang-5"),
    ("../../STP/../../evil.xlsx", "evil"),
    ("C:\\Users\\Văn thư\\Đề xuất (bản 2).csv", "de-xuat-ban-2"),
    ("..xlsx", ""),
    ("...", ""),
    ("\x00\x1b[31m.json", "31m"),
    ("a" * 300 + ".xlsx", "a" * 60),
])
def test_the_hint_keeps_only_folded_letters_digits_and_hyphens(client_name: str,
                                                                hint: str) -> None:
    assert name_hint(client_name) == hint


def test_an_upload_is_stored_in_its_agency_folder_under_a_server_name(tmp_path: Path) -> None:
    folder = DropFolder.agency_inbox(tmp_path)
    now = datetime(2025, 5, 16, 9, 5, tzinfo=UTC)
    item = place_upload(folder, "STP", io.BytesIO(b"x;y\n"), ".csv", now,
                        "../../SNV/Báo cáo.csv")
    assert item.path.parent == tmp_path / "inbox" / "STP"
    assert item.name.startswith("web-20250516-090500-") and item.name.endswith("-bao-cao.csv")
    assert item.seen_at == now and item.path.read_bytes() == b"x;y\n"
    assert [p.name for p in (tmp_path / "inbox" / "STP").iterdir()] == [item.name]
