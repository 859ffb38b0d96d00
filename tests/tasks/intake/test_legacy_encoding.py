"""Legacy Vietnamese encodings (TCVN3/ABC and VNI) read from agency spreadsheets.

The expected forms come from hand-written fixtures in tests/fixtures/legacy/: the 134
letters with diacritics in both code charts (letters.txt) and sentences from the notice and
the registers (sentences.txt). A cell typed in a legacy font holds the font's bytes read as
Windows-1252, so the byte columns are decoded with cp1252 to get what openpyxl returns.
"""

from __future__ import annotations

import ast
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from config.settings import REGISTRY_DIR
from tasks.intake import legacy_encoding
from tasks.intake.legacy_encoding import (
    Conversion,
    convert,
    detect,
    encode,
    is_capitals_font,
    to_unicode,
)
from tests import paths

FIXTURES = paths.FIXTURES / "legacy"


@dataclass(frozen=True)
class Letter:
    letter: str
    tcvn3: str
    tcvn3_font: str
    vni: str


def _bytes(hex_codes: str) -> str:
    return bytes.fromhex(hex_codes).decode("cp1252")


def _rows(name: str) -> list[list[str]]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


LETTERS = [
    Letter(letter, _bytes(tcvn3), font, _bytes(vni))
    for letter, tcvn3, font, vni in _rows("letters.txt")
]
SENTENCES = _rows("sentences.txt")
TCVN3_SENTENCES = [(u, t, font) for u, t, font, _ in SENTENCES if t != "-"]
VNI_SENTENCES = [(u, v) for u, _, _, v in SENTENCES]


def _expected_letters() -> set[str]:
    """The 134 letters, built from the alphabet rather than from the fixture."""
    vowels = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]
    tones = "\u0300\u0309\u0303\u0301\u0323"  # huyền, hỏi, ngã, sắc, nặng
    lower = {unicodedata.normalize("NFC", v + t) for v in vowels for t in tones}
    lower |= set("ăâêôơưđ")
    return lower | {ch.upper() for ch in lower}


def test_letter_chart_holds_the_134_vietnamese_letters_once_each() -> None:
    letters = [row.letter for row in LETTERS]
    assert len(letters) == 134
    assert len(set(letters)) == 134
    assert set(letters) == _expected_letters()
    assert sum(ch.islower() for ch in letters) == 67


@pytest.mark.parametrize("row", LETTERS, ids=[row.letter for row in LETTERS])
def test_tcvn3_letter_converts_both_ways(row: Letter) -> None:
    capitals = is_capitals_font(row.tcvn3_font)
    assert convert(row.tcvn3, "tcvn3", capitals=capitals) == row.letter
    assert to_unicode(row.tcvn3, row.tcvn3_font).converted == row.letter
    assert encode(row.letter, "tcvn3", capitals=capitals) == row.tcvn3


@pytest.mark.parametrize("row", LETTERS, ids=[row.letter for row in LETTERS])
def test_vni_letter_converts_both_ways(row: Letter) -> None:
    assert convert(row.vni, "vni") == row.letter
    assert to_unicode(row.vni, "VNI-Times").converted == row.letter
    assert encode(row.letter, "vni") == row.vni


def test_tcvn3_capital_with_a_tone_mark_has_no_slot_outside_an_h_font() -> None:
    with pytest.raises(ValueError, match="Ủ"):
        encode("Ủy ban", "tcvn3")


@pytest.mark.parametrize(("text", "legacy", "font"), TCVN3_SENTENCES)
def test_tcvn3_sentence_round_trips_and_is_recognised(text: str, legacy: str, font: str) -> None:
    capitals = is_capitals_font(font)
    assert convert(legacy, "tcvn3", capitals=capitals) == text
    assert encode(text, "tcvn3", capitals=capitals) == legacy
    by_font = to_unicode(legacy, font)
    assert (by_font.converted, by_font.encoding) == (text, "tcvn3")
    assert detect(legacy) == "tcvn3"  # by statistics, without the font name


@pytest.mark.parametrize(("text", "legacy"), VNI_SENTENCES)
def test_vni_sentence_round_trips_and_is_recognised(text: str, legacy: str) -> None:
    assert convert(legacy, "vni") == text
    assert encode(text, "vni") == legacy
    assert to_unicode(legacy, "VNI-Times").converted == text
    assert detect(legacy) == "vni"  # by statistics, without the font name
    assert to_unicode(legacy).converted == text


@pytest.mark.parametrize(("text", "legacy"), VNI_SENTENCES)
def test_converted_text_is_nfc(text: str, legacy: str) -> None:
    assert unicodedata.is_normalized("NFC", convert(legacy, "vni"))


def test_a_combining_mark_left_after_a_legacy_letter_is_composed() -> None:
    # a tone typed as a combining mark after the VNI ơ (ô) must come out precomposed
    assert convert("Sô\u0309", "vni") == "Sở"
    assert convert("S\u00ac\u0309", "tcvn3") == "Sở"


def test_vni_takes_the_longest_sequence_first() -> None:
    # "oâ" is ô, and "oá" is ố, not o followed by a stray mark
    assert convert("coâng", "vni") == "công"
    assert convert("soá", "vni") == "số"
    # a capital base with a lower-case mark still makes one capital letter
    assert convert("Aùnh", "vni") == "Ánh"


@pytest.mark.parametrize(
    ("font", "expected"),
    [
        (".VnTime", "tcvn3"),
        (".VnArial", "tcvn3"),
        (".VnTimeH", "tcvn3"),
        (".vntime", "tcvn3"),
        ("VNI-Times", "vni"),
        ("VNI-Helve", "vni"),
        ("Times New Roman", "unicode"),
        ("Calibri", "unicode"),
    ],
)
def test_detection_by_font_name(font: str, expected: str) -> None:
    # plain text with a font name: the font decides, even where statistics could not
    assert detect("Ho so", font) == expected


def test_font_name_wins_over_statistics() -> None:
    assert detect("Së Néi vô", "Times New Roman") == "unicode"
    assert detect("Sôû Noäi vuï", ".VnTime") == "tcvn3"


def test_unicode_text_in_a_legacy_font_cell_is_left_alone() -> None:
    # Unicode pasted into a cell that still carries a .VnTime font: ơ, ộ, ụ exist in no
    # legacy table, so the text is Unicode whatever the font
    conversion = to_unicode("Sở Nội vụ tỉnh An Giang", ".VnTime")
    assert conversion.encoding == "unicode"
    assert not conversion.changed


def test_h_font_text_becomes_capitals() -> None:
    conversion = to_unicode("së néi vô", ".VnTimeH")
    assert conversion.converted == "SỞ NỘI VỤ"
    assert to_unicode("së néi vô", ".VnTime").converted == "sở nội vụ"


def test_conversion_keeps_one_sample_for_the_receipt() -> None:
    conversion = to_unicode("Së Néi vô")
    assert conversion == Conversion(original="Së Néi vô", converted="Sở Nội vụ", encoding="tcvn3")
    assert conversion.changed
    unchanged = to_unicode("Báo cáo tháng 5")
    assert unchanged.encoding == "unicode"
    assert not unchanged.changed


@pytest.mark.parametrize(
    "text",
    [
        "",
        "UBND",
        "KH-UBND 12/2025",
        "Tân Châu",
        "Chợ Mới",
        "Tân Châu ×2",
        "© 2025 Văn phòng",
        "Nhiệt độ 30°C",
        "José Müller",
        "«Báo cáo»",
        "So lieu × 2",
        "Bao cao © 2025",
    ],
)
def test_statistics_leave_ordinary_text_as_unicode(text: str) -> None:
    assert detect(text) == "unicode"
    assert not to_unicode(text).changed


@pytest.mark.parametrize(("legacy", "text"), [("vÒ", "về"), ("chÊt", "chất")])
def test_statistics_see_a_capital_inside_a_word(legacy: str, text: str) -> None:
    # TCVN3 ề and ấ are the Latin-1 capitals Ò and Ê: lower-cased, "vò" and "chêt" would
    # pass for Vietnamese; only the capital after a small letter gives them away
    assert to_unicode(legacy) == Conversion(original=legacy, converted=text, encoding="tcvn3")


def test_statistics_leave_an_ambiguous_word_alone() -> None:
    # "Kæ" reads as a syllable in both tables (TCVN3 "kổ", VNI "kỉ"): no table wins
    assert detect("Kæ") == "unicode"


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _project_texts() -> list[str]:
    texts: list[str] = []
    for path in sorted((REGISTRY_DIR / "tasks").glob("*.yaml")):
        register = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts += [task["text"] for task in register["tasks"]]
        texts += list(_strings(register["document"]))
    for name in ("agencies.yaml", "communes.yaml"):
        data = yaml.safe_load((REGISTRY_DIR / name).read_text(encoding="utf-8"))
        for agency in data["agencies"]:
            texts.append(agency["name"])
            texts += agency.get("aliases") or []
    return texts


def test_project_texts_are_many_and_vietnamese() -> None:
    texts = _project_texts()
    assert len(texts) > 100
    assert any("cải cách hành chính" in text for text in texts)


def test_no_false_positives_on_the_project_texts() -> None:
    # whole texts and each word alone: single words lack the letters (ơ, ư, ạ …) that prove
    # Unicode on sight, so they exercise the statistics
    wrong = [
        piece
        for text in _project_texts()
        for piece in [text, *text.split()]
        if detect(piece) != "unicode" or to_unicode(piece).changed
    ]
    assert wrong == []


_ALPHABET = "".join(sorted(_expected_letters())) + "abcdeghiklmnopqrstuvxyABCDEGHIKLMNOPQRSTUVXY "


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_any_vietnamese_text_survives_vni_both_ways(text: str) -> None:
    # no VNI sequence may swallow the start of the next letter
    assert convert(encode(text, "vni"), "vni") == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_any_vietnamese_text_survives_tcvn3_both_ways(text: str) -> None:
    lower = text.lower()
    assert convert(encode(lower, "tcvn3"), "tcvn3") == lower
    assert convert(encode(text, "tcvn3", capitals=True), "tcvn3", capitals=True) == text.upper()


def test_module_imports_only_the_standard_library() -> None:
    # the lead wires it into the reader: it must not pull in any project module
    source = Path(legacy_encoding.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {"__future__", "re", "unicodedata", "dataclasses", "typing"}
