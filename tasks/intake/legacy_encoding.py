"""Vietnamese text typed in the legacy TCVN3 (ABC) and VNI encodings, turned into Unicode.

Older agency spreadsheets hold text typed with a TCVN3 font (.VnTime, .VnArial, and the
capital-only "H" fonts .VnTimeH, .VnArialH …) or a VNI font (VNI-Times, VNI-Helve …). Those
fonts draw Vietnamese letters in place of Latin-1 characters, so the same cell read as
Unicode from an .xlsx shows mojibake: TCVN3 "Së Néi vô", VNI "Sôû Noäi vuï" for "Sở Nội vụ".
Python's cp1258 codec covers neither.

`detect` says which encoding a text is in (by the cell's font name, else by character
statistics, conservatively), `convert` maps it with the tables below and normalises to NFC,
`to_unicode` does both and keeps a sample for the receipt, `encode` goes back (fixtures).
Standard library only; no project imports.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Encoding = Literal["unicode", "tcvn3", "vni"]

# --------------------------------------------------------------------------------------
# TCVN3 (ABC) → Unicode.
# Source: the VN3 code chart of TCVN 5712:1993 (the 8-bit set used by the ABC fonts
# .VnTime, .VnArial …), code points 0xA1–0xFE; the characters are those bytes read as
# Windows-1252, which is what a cell typed in a .Vn* font holds in an .xlsx. VN3 has slots
# for lower-case letters only (plus the seven capitals Ă Â Ê Ô Ơ Ư Đ); capitals with a tone
# mark are typed in the "H" fonts, which draw the lower-case slots as capitals. (The VN1
# variant's capitals in the C0/0x80–0x9F ranges are not used by the ABC fonts: not mapped.)
# Cross-checked against glibc iconv's TCVN5712-1 for 0xA1–0xFE except its VN1 extras.
# --------------------------------------------------------------------------------------
TCVN3_TO_UNICODE: dict[str, str] = {
    # capitals without tone mark (present in the normal fonts)
    "\u00a1": "Ă", "\u00a2": "Â", "\u00a3": "Ê", "\u00a4": "Ô",
    "\u00a5": "Ơ", "\u00a6": "Ư", "\u00a7": "Đ",
    # lower-case letters without tone mark
    "\u00a8": "ă", "\u00a9": "â", "\u00aa": "ê", "\u00ab": "ô",
    "\u00ac": "ơ", "\u00ad": "ư", "\u00ae": "đ",
    # tones in chart order: huyền, hỏi, ngã, sắc, nặng
    "\u00b5": "à", "\u00b6": "ả", "\u00b7": "ã", "\u00b8": "á", "\u00b9": "ạ",
    "\u00bb": "ằ", "\u00bc": "ẳ", "\u00bd": "ẵ", "\u00be": "ắ", "\u00c6": "ặ",
    "\u00c7": "ầ", "\u00c8": "ẩ", "\u00c9": "ẫ", "\u00ca": "ấ", "\u00cb": "ậ",
    "\u00cc": "è", "\u00ce": "ẻ", "\u00cf": "ẽ", "\u00d0": "é", "\u00d1": "ẹ",
    "\u00d2": "ề", "\u00d3": "ể", "\u00d4": "ễ", "\u00d5": "ế", "\u00d6": "ệ",
    "\u00d7": "ì", "\u00d8": "ỉ", "\u00dc": "ĩ", "\u00dd": "í", "\u00de": "ị",
    "\u00df": "ò", "\u00e1": "ỏ", "\u00e2": "õ", "\u00e3": "ó", "\u00e4": "ọ",
    "\u00e5": "ồ", "\u00e6": "ổ", "\u00e7": "ỗ", "\u00e8": "ố", "\u00e9": "ộ",
    "\u00ea": "ờ", "\u00eb": "ở", "\u00ec": "ỡ", "\u00ed": "ớ", "\u00ee": "ợ",
    "\u00ef": "ù", "\u00f1": "ủ", "\u00f2": "ũ", "\u00f3": "ú", "\u00f4": "ụ",
    "\u00f5": "ừ", "\u00f6": "ử", "\u00f7": "ữ", "\u00f8": "ứ", "\u00f9": "ự",
    "\u00fa": "ỳ", "\u00fb": "ỷ", "\u00fc": "ỹ", "\u00fd": "ý", "\u00fe": "ỵ",
}

# --------------------------------------------------------------------------------------
# VNI → Unicode.
# Source: the VNI Windows code table (VNI Software; the fonts VNI-Times, VNI-Helve …): a
# base letter followed by one mark character (bytes read as Windows-1252). ơ, ư, đ and the
# five toned i and ỵ are single characters. The capital forms use the capital mark
# characters, which are exactly the upper-case of the lower-case marks (ù → Ù, â → Â …),
# so the capital half of the table is derived from this one below.
# --------------------------------------------------------------------------------------
_VNI_LOWER: dict[str, str] = {
    # single characters
    "ô": "ơ", "ö": "ư", "ñ": "đ",
    "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ",
    # base + mark; tones: ù sắc, ø huyền, û hỏi, õ ngã, ï nặng
    "aù": "á", "aø": "à", "aû": "ả", "aõ": "ã", "aï": "ạ",
    "aâ": "â", "aá": "ấ", "aà": "ầ", "aå": "ẩ", "aã": "ẫ", "aä": "ậ",
    "aê": "ă", "aé": "ắ", "aè": "ằ", "aú": "ẳ", "aü": "ẵ", "aë": "ặ",
    "eù": "é", "eø": "è", "eû": "ẻ", "eõ": "ẽ", "eï": "ẹ",
    "eâ": "ê", "eá": "ế", "eà": "ề", "eå": "ể", "eã": "ễ", "eä": "ệ",
    "où": "ó", "oø": "ò", "oû": "ỏ", "oõ": "õ", "oï": "ọ",
    "oâ": "ô", "oá": "ố", "oà": "ồ", "oå": "ổ", "oã": "ỗ", "oä": "ộ",
    "ôù": "ớ", "ôø": "ờ", "ôû": "ở", "ôõ": "ỡ", "ôï": "ợ",
    "uù": "ú", "uø": "ù", "uû": "ủ", "uõ": "ũ", "uï": "ụ",
    "öù": "ứ", "öø": "ừ", "öû": "ử", "öõ": "ữ", "öï": "ự",
    "yù": "ý", "yø": "ỳ", "yû": "ỷ", "yõ": "ỹ",
}


def _vni_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for legacy, letter in _VNI_LOWER.items():
        table[legacy] = letter
        table[legacy.upper()] = letter.upper()
        if len(legacy) == 2:
            # a capital base with a lower-case mark (or the reverse) still reads as one letter
            # whose case is the base letter's
            table[legacy[0].upper() + legacy[1]] = letter.upper()
            table[legacy[0] + legacy[1].upper()] = letter
    return table


VNI_TO_UNICODE: dict[str, str] = _vni_table()
_VNI_LONGEST = max(len(key) for key in VNI_TO_UNICODE)

# --------------------------------------------------------------------------------------
# Unicode letters of Vietnamese (the 134 letters with diacritics), used by the statistics.
# --------------------------------------------------------------------------------------
_TONED_LOWER = (
    "àảãáạ" "ằẳẵắặ" "ầẩẫấậ" "èẻẽéẹ" "ềểễếệ" "ìỉĩíị"
    "òỏõóọ" "ồổỗốộ" "ờởỡớợ" "ùủũúụ" "ừửữứự" "ỳỷỹýỵ"
)
VIETNAMESE_LETTERS_LOWER = "ăâêôơưđ" + _TONED_LOWER
VIETNAMESE_LETTERS = VIETNAMESE_LETTERS_LOWER + VIETNAMESE_LETTERS_LOWER.upper()
_VIETNAMESE_SET = frozenset(VIETNAMESE_LETTERS)
# letters no legacy text read as Windows-1252 can contain: proof the text is Unicode
_UNICODE_ONLY = frozenset(ch for ch in VIETNAMESE_LETTERS if ord(ch) > 0xFF)
_COMBINING_MARKS = frozenset("\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323")
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"

_ONSETS = (
    "ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
)
# rhymes (vần) without tone mark
_RHYMES = (  # noqa: SIM905 (a word list reads better than 150 quoted strings)
    "a ai ao au ay ac ach am an ang anh ap at "
    "ăc ăm ăn ăng ăp ăt "
    "â âc âm ân âng âp ât âu ây "
    "e eo ec em en eng ep et "
    "ê êch êm ên ênh êp êt êu "
    "i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu "
    "o oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt "
    "oe oen oeo oet oi oc om on ong op ot ooc oong "
    "ô ôc ôi ôm ôn ông ôp ôt "
    "ơ ơi ơm ơn ơp ơt "
    "u ua uân uâng uât uây uc ui um un ung up ut uê uêch uênh uy uya uych uyên uyêt "
    "uynh uyt uyu uôc uôi uôm uôn uông uôt uơ "
    "ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu "
    "y yêm yên yêt yêu"
).split()
_SYLLABLE = re.compile(
    "(?:" + _ONSETS + ")?(?:" + "|".join(sorted(_RHYMES, key=len, reverse=True)) + ")"
)
# a word for the statistics: a run of anything but spaces, ASCII digits and punctuation
_WORD = re.compile(r"[^\s!-@\[-`{-~]+")


@dataclass(frozen=True)
class Conversion:
    """One text turned into Unicode: what was read, what it became, and from which table."""

    original: str
    converted: str
    encoding: Encoding

    @property
    def changed(self) -> bool:
        return self.converted != self.original


def is_tcvn3_font(font_name: str) -> bool:
    """.VnTime, .VnArial, .VnTimeH … (the ABC fonts)."""
    return font_name.strip().lower().startswith(".vn")


def is_vni_font(font_name: str) -> bool:
    """VNI-Times, VNI-Helve … (also written with a space: "VNI Times")."""
    name = font_name.strip().lower()
    return name.startswith(("vni-", "vni "))


def is_capitals_font(font_name: str) -> bool:
    """A TCVN3 capitals font: .VnTimeH, .VnArialH … (the name ends in a capital H)."""
    return is_tcvn3_font(font_name) and font_name.strip().endswith("H")


def convert(text: str, encoding: Encoding, *, capitals: bool = False) -> str:
    """`text` typed in `encoding`, as Unicode NFC. `capitals`: typed in a TCVN3 "H" font.

    "unicode" returns the text unchanged. Characters outside the table pass through.
    """
    if encoding == "unicode":
        return text
    if encoding == "tcvn3":
        converted = "".join(TCVN3_TO_UNICODE.get(ch, ch) for ch in text)
        if capitals:
            converted = converted.upper()
    elif encoding == "vni":
        converted = _convert_vni(text)
    else:
        raise ValueError(f"unknown encoding {encoding!r}")
    return unicodedata.normalize("NFC", converted)


def _convert_vni(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        for size in range(min(_VNI_LONGEST, len(text) - i), 0, -1):
            letter = VNI_TO_UNICODE.get(text[i : i + size])
            if letter is not None:
                out.append(letter)
                i += size
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def detect(text: str, font_name: str | None = None) -> Encoding:
    """Which encoding `text` was typed in.

    A text holding a Vietnamese letter that no legacy table can produce (ơ, ư, ă, đ, ạ …,
    or a combining mark) is Unicode whatever the font says. Otherwise the font name decides
    when given (.Vn* → tcvn3, VNI* → vni, anything else → unicode); without a font name,
    the words are checked: a legacy encoding is chosen only when its conversion turns
    clearly more malformed words into Vietnamese syllables than the other table does.
    """
    if any(ch in _UNICODE_ONLY or ch in _COMBINING_MARKS for ch in text):
        return "unicode"
    if font_name is not None:
        if is_tcvn3_font(font_name):
            return "tcvn3"
        if is_vni_font(font_name):
            return "vni"
        return "unicode"
    if text.isascii():
        return "unicode"
    bad_original = _malformed_words(text)
    if bad_original == 0:
        return "unicode"
    bad_tcvn3 = _malformed_words(convert(text, "tcvn3"))
    bad_vni = _malformed_words(convert(text, "vni"))
    best: Encoding = "tcvn3" if bad_tcvn3 < bad_vni else "vni"
    bad_best = min(bad_tcvn3, bad_vni)
    if bad_tcvn3 == bad_vni or bad_best * 4 > bad_original:
        return "unicode"
    return best


def to_unicode(text: str, font_name: str | None = None) -> Conversion:
    """Detect and convert in one call; `Conversion.changed` says whether anything changed."""
    encoding = detect(text, font_name)
    capitals = encoding == "tcvn3" and font_name is not None and is_capitals_font(font_name)
    return Conversion(original=text, converted=convert(text, encoding, capitals=capitals),
                      encoding=encoding)


def encode(text: str, encoding: Encoding, *, capitals: bool = False) -> str:
    """Unicode `text` as typed in `encoding` (the inverse of `convert`, for fixtures).

    TCVN3 has no slot for a capital with a tone mark: with `capitals=True` (an "H" font) the
    text is lower-cased first; otherwise such a letter raises ValueError.
    """
    text = unicodedata.normalize("NFC", text)
    if encoding == "unicode":
        return text
    if encoding == "tcvn3":
        table = {letter: legacy for legacy, letter in TCVN3_TO_UNICODE.items()}
        source = text.lower() if capitals else text
        out: list[str] = []
        for ch in source:
            if ch in table:
                out.append(table[ch])
            elif ch in _VIETNAMESE_SET:
                raise ValueError(f"TCVN3 has no slot for {ch!r} outside an H font")
            else:
                out.append(ch)
        return "".join(out)
    if encoding == "vni":
        # the canonical forms: a lower-case base with a lower-case mark, or both capitals
        table = {letter: legacy for legacy, letter in _VNI_LOWER.items()}
        table.update({letter.upper(): legacy.upper() for legacy, letter in _VNI_LOWER.items()})
        return "".join(table.get(ch, ch) for ch in text)
    raise ValueError(f"unknown encoding {encoding!r}")


def _malformed_words(text: str) -> int:
    """How many words mixing ASCII letters with other characters are not Vietnamese syllables.

    Words of ASCII letters only (UBND, Excel) and of symbols only (×, «) are not counted:
    they say nothing about the encoding.
    """
    count = 0
    for word in _WORD.findall(text):
        if word.isascii() or not any("a" <= ch.lower() <= "z" for ch in word):
            continue
        if not _is_vietnamese_word(word):
            count += 1
    return count


def _is_vietnamese_word(word: str) -> bool:
    if any(not (ch.isascii() and ch.isalpha()) and ch not in _VIETNAMESE_SET for ch in word):
        return False
    if not (word.islower() or word.isupper() or word.istitle()):
        return False
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(decomposed.count(mark) for mark in _TONE_MARKS) > 1:
        return False
    toneless = unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if ch not in _TONE_MARKS)
    )
    return _SYLLABLE.fullmatch(toneless) is not None
