"""SMS text: fold Vietnamese to the GSM 03.38 alphabet, count segments, fit one message. Pure: stdlib only.

Most brandname routes in Vietnam bill and carry the 7-bit GSM alphabet (160 characters a segment); a text
with diacritics must go as UCS-2, 70 characters a segment, which costs more and splits sooner
(VIETNAM.md §8 on folding). So a notice is folded the way people write "không dấu": tone and vowel marks
dropped, đ → d, Đ → D, case kept ("Sơn La" → "Son La").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# GSM 03.38 basic character set (one septet each) and its extension table (two septets: ESC + char).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
SINGLE_GSM, PART_GSM = 160, 153  # a multipart message spends 7 septets per part on its header (UDH)
SINGLE_UCS2, PART_UCS2 = 70, 67
ELLIPSIS = "..."

# Letters with no decomposition, and punctuation a phone keyboard or a template may produce.
_FOLD = str.maketrans(
    {
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": ELLIPSIS,
        "\u00a0": " ",
        "\t": " ",
    }
)


def fold_gsm(text: str) -> str:
    """Vietnamese without diacritics, in the GSM alphabet: "Đã nhận hồ sơ" → "Da nhan ho so".

    Every remaining character outside the GSM sets becomes "?" (a phone shows it rather than dropping the
    whole message), and GSM's own accented letters (é, à ...) are folded too: Vietnamese readers expect
    plain letters.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return "".join(ch if ch in GSM_BASIC or ch in GSM_EXTENDED else "?" for ch in bare)


def is_gsm(text: str) -> bool:
    return all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text)


def septets(text: str) -> int:
    """Length in GSM septets: the extension characters take two."""
    return sum(2 if ch in GSM_EXTENDED else 1 for ch in text)


@dataclass(frozen=True)
class Encoded:
    text: str
    encoding: str  # "gsm7" or "ucs2"
    segments: int


def segments(text: str, encoding: str) -> int:
    """How many billed segments `text` takes (an empty text still costs one)."""
    if encoding == "gsm7":
        size, single, part = septets(text), SINGLE_GSM, PART_GSM
    else:
        # UCS-2 counts UTF-16 code units: a character outside the BMP takes two.
        size, single, part = len(text.encode("utf-16-le")) // 2, SINGLE_UCS2, PART_UCS2
    if size <= single:
        return 1
    return -(-size // part)


def _cut(text: str, fits) -> str:
    if fits(text):
        return text
    while text and not fits(text + ELLIPSIS):
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def prepare(text: str, *, unicode: bool, max_segments: int = 1) -> Encoded:
    """The text to send: folded to GSM-7 unless the gateway takes Unicode, whitespace collapsed, and cut
    (ending "...") to `max_segments` segments. A text already in GSM-7 goes as GSM-7 either way."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    encoding = "ucs2" if unicode and not is_gsm(text) else "gsm7"
    if encoding == "gsm7":
        text = fold_gsm(text)
    text = _cut(text, lambda candidate: segments(candidate, encoding) <= max_segments)
    return Encoded(text, encoding, segments(text, encoding))
