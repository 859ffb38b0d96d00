"""Hostile and broken agency files go through the real intake: each gets a receipt that
says what to do, and nothing from it is stored. Every bad file here is made by hand."""

from __future__ import annotations

import json
import os
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from config.index766 import load_index766
from config.registry import Registry
from config.settings import REGISTRY_DIR
from connectors.database import Database
from connectors.db_schema import SubmissionRow
from connectors.drop_folder import DropFolder
from tasks.intake.collect import CheckedFile, FileOutcome, Intake, check_submission
from tasks.intake.template import TaskEntry
from tasks.model.clock import fixed_clock
from tasks.model.records import InboxFile, sha256_of
from tasks.model.rules import ReportingRules
from tests.builders import TODAY, take_file, write_submission, zip_parts

NOW = datetime(2025, 5, 16, 8, tzinfo=UTC)
OLE = bytes.fromhex("D0CF11E0A1B11AE1")


def _inbox(workspace: Path) -> DropFolder:
    folder = DropFolder.agency_inbox(workspace)
    folder.ensure(["SNV"])
    return folder


def _collect(workspace: Path, db: Database, registry: Registry) -> list[FileOutcome]:
    folder = _inbox(workspace)
    outcomes = [take_file(i, folder, db, registry, now=NOW)
                for i in folder.pending()]
    return [o for o in outcomes if o is not None]


def _stored(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(SubmissionRow)).scalar_one())


def _receipt(workspace: Path, outcome: FileOutcome) -> str:
    text = Path(outcome.kept_at + ".loi.txt").read_text(encoding="utf-8")
    assert str(workspace) not in text  # no server folders on a receipt
    return text


def _valid(workspace: Path, registry: Registry, name: str = "bc.xlsx") -> Path:
    return write_submission(workspace / "inbox" / "SNV" / name, registry, "SNV",
                            entries=[TaskEntry("IV.1", "Đang thực hiện", 50)])


def _rejected_with(workspace: Path, db: Database, registry: Registry, advice: str) -> str:
    [outcome] = _collect(workspace, db, registry)
    assert outcome.outcome == "rejected", outcome
    assert _stored(db) == 0
    text = _receipt(workspace, outcome)
    assert advice in text, text
    return text


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_text_file_renamed_xlsx(workspace: Path, db: Database, registry: Registry) -> None:
    (workspace / "inbox" / "SNV").mkdir(parents=True)
    (workspace / "inbox" / "SNV" / "bc.xlsx").write_text("Mã đơn vị;SNV\n", encoding="utf-8")
    _rejected_with(workspace, db, registry, "lưu lại bằng Excel dưới dạng .xlsx")


def test_a_truncated_zip(workspace: Path, db: Database, registry: Registry) -> None:
    path = _valid(workspace, registry)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    _rejected_with(workspace, db, registry, "lưu lại bằng Excel dưới dạng .xlsx")


def _ole_file(directory_entry: str) -> bytes:
    """An OLE2 compound file's header and one directory sector naming ``directory_entry``
    (written by hand: enough for the file-kind check, as Excel's files start)."""
    header = OLE + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + bytes(512 - 32)
    entry = directory_entry.encode("utf-16-le").ljust(64, b"\0")
    return header + entry + bytes(512 - len(entry))


def test_a_password_protected_workbook(workspace: Path, db: Database,
                                      registry: Registry) -> None:
    (workspace / "inbox" / "SNV").mkdir(parents=True)
    (workspace / "inbox" / "SNV" / "bc.xlsx").write_bytes(_ole_file("EncryptedPackage"))
    _rejected_with(workspace, db, registry, "gỡ mật khẩu")


def test_an_old_xls_workbook(workspace: Path, db: Database, registry: Registry) -> None:
    (workspace / "inbox" / "SNV").mkdir(parents=True)
    (workspace / "inbox" / "SNV" / "bc.xls").write_bytes(_ole_file("Workbook"))
    _rejected_with(workspace, db, registry, "Excel 97-2003 (.xls)")


def test_an_xlsm_with_macros_is_read_for_its_values_only(
        workspace: Path, db: Database, registry: Registry) -> None:
    """Decision: a macro-enabled workbook is accepted; its values are read, its macros
    (``xl/vbaProject.bin``) are never run nor stored anywhere but the archive copy."""
    path = _valid(workspace, registry)
    parts = _parts(path)
    parts["xl/vbaProject.bin"] = OLE + b"Attribute VB_Name = \"Module1\"\nShell \"calc\"\n"
    path.with_suffix(".xlsm").write_bytes(zip_parts(parts))
    path.unlink()
    [outcome] = _collect(workspace, db, registry)
    assert outcome.outcome == "accepted" and _stored(db) == 1


def test_a_zip_bomb(workspace: Path, db: Database, registry: Registry) -> None:
    path = _valid(workspace, registry)
    parts = _parts(path)
    parts["xl/media/padding.bin"] = bytes(60 * 1024 * 1024)  # 60 MB of zeros, packs to ~60 kB
    path.write_bytes(zip_parts(parts))
    assert path.stat().st_size < 1024 * 1024
    _rejected_with(workspace, db, registry, "khi giải nén quá lớn")


_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1
                                                     else b"&lol;") * 10)
                      for i in range(1, 10))
           + b"]>")


def _body(xml: bytes) -> bytes:
    return xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml


def test_an_entity_attack_in_the_workbook_part(workspace: Path, db: Database,
                                               registry: Registry) -> None:
    """xl/workbook.xml is parsed with defusedxml: entity declarations are refused."""
    path = _valid(workspace, registry)
    parts = _parts(path)
    body = _body(parts["xl/workbook.xml"])
    parts["xl/workbook.xml"] = _LAUGHS + body.replace(b"<sheets>", b"<sheets>&lol9;", 1)
    path.write_bytes(zip_parts(parts))
    _rejected_with(workspace, db, registry, "lưu lại bằng Excel dưới dạng .xlsx")


def test_an_entity_attack_in_a_worksheet(workspace: Path, db: Database,
                                         registry: Registry) -> None:
    """Worksheets are streamed by the scan that refuses any DTD before calamine reads."""
    path = _valid(workspace, registry)
    parts = _parts(path)
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = _LAUGHS + _body(parts[sheet]).replace(b"<sheetData>", b"<sheetData>&lol9;", 1)
    path.write_bytes(zip_parts(parts))
    _rejected_with(workspace, db, registry, "lưu lại bằng Excel dưới dạng .xlsx")


def test_openpyxl_parses_with_defusedxml() -> None:
    assert openpyxl.DEFUSEDXML is True


def test_control_characters_and_a_very_long_name(workspace: Path, db: Database,
                                                 registry: Registry) -> None:
    name = "bc\x07\x1b[31m" + "đ" * 100 + ".xlsx"  # 216 bytes: near the 255-byte limit
    assert len(os.fsencode(name)) > 200
    (workspace / "inbox" / "SNV").mkdir(parents=True)
    (workspace / "inbox" / "SNV" / name).write_bytes(b"not a workbook")
    [outcome] = _collect(workspace, db, registry)
    assert outcome.outcome == "rejected" and _stored(db) == 0
    kept = Path(outcome.kept_at)
    assert kept.exists() and len(kept.name) <= 110 and "\x1b" not in kept.name
    text = _receipt(workspace, outcome)
    assert "\x07" not in text and "\x1b" not in text and "bc??[31m" in text


def test_a_symlink_swapped_in_after_listing_is_not_followed(
        workspace: Path, db: Database, registry: Registry, tmp_path: Path) -> None:
    secret = _valid(tmp_path / "elsewhere", registry)  # a valid file outside the inbox
    path = _valid(workspace, registry)
    folder = _inbox(workspace)
    [item] = folder.pending()
    assert not item.is_symlink
    path.unlink()
    path.symlink_to(secret)  # swapped between the listing and the reading
    outcome = take_file(item, folder, db, registry, now=NOW)
    assert outcome is not None and outcome.outcome == "rejected"
    assert "liên kết (symlink)" in _receipt(workspace, outcome)
    assert _stored(db) == 0 and not list((workspace / "archive").rglob("*.xlsx"))
    assert secret.exists() and Path(outcome.kept_at).is_symlink()


def test_a_hard_link_is_refused(workspace: Path, db: Database, registry: Registry,
                                tmp_path: Path) -> None:
    secret = _valid(tmp_path / "elsewhere", registry)
    (workspace / "inbox" / "SNV").mkdir(parents=True)
    os.link(secret, workspace / "inbox" / "SNV" / "bc.xlsx")
    _rejected_with(workspace, db, registry, "liên kết cứng")
    assert secret.exists()


def test_the_hashed_archived_and_parsed_bytes_are_the_same(
        workspace: Path, db: Database, registry: Registry) -> None:
    """The file is rewritten while it is being checked: what is archived and stored is
    what was read once, and its hash matches the archive copy."""
    path = _valid(workspace, registry)
    original = path.read_bytes()
    folder = _inbox(workspace)
    [item] = folder.pending()

    class Rewriting(Intake):
        def check(self, item: InboxFile, today: date) -> CheckedFile:
            assert item.path != path  # checks a private copy, not the inbox file
            path.write_bytes(b"swapped while being read")
            return check_submission(item, self.registry, TODAY, self.rules)

    outcome = Rewriting(folder, db, registry, rules=ReportingRules(),
                        index766=load_index766(REGISTRY_DIR), clock=fixed_clock(NOW)).take(item)
    assert outcome is not None and outcome.outcome == "accepted"
    kept = Path(outcome.kept_at)
    assert kept.read_bytes() == original and sha256_of(kept) == outcome.content_hash


@pytest.mark.parametrize("content", [b"{", b"[1, 2]", json.dumps({"x": "\x00"}).encode()])
def test_broken_json(workspace: Path, db: Database, registry: Registry, content: bytes) -> None:
    (workspace / "inbox" / "SNV").mkdir(parents=True)
    (workspace / "inbox" / "SNV" / "bc.json").write_bytes(content)
    [outcome] = _collect(workspace, db, registry)
    assert outcome.outcome == "rejected" and _stored(db) == 0 and outcome.problems
