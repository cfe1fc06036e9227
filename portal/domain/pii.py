"""Personal details typed into free text (a report's title or description): found and masked before the
text is shown publicly. Pure: stdlib only.

What is found (VIETNAM.md §9 for the numbers):
- phone numbers: mobiles (0 or +84/84 and a 9-digit number starting 3/5/7/8/9) and landlines (0 or +84 and
  2xx + 8 digits, Sơn La's 0212 …), written with spaces, dots or hyphens between the digits;
- e-mail addresses;
- 12-digit citizen identity numbers (CCCD), also in groups of three or four;
- licence plates: province code, series (one or two letters, perhaps a digit) and 4 or 5 digits, as
  "26A-123.45", "26B1-234.56", "29A 12345", "26-B1 234.56".

Masking keeps the text's shape and hides every letter and digit of a match ("0912 345 678" → "**** *** ***"):
the reader sees that something was hidden, and nothing of it. False positives (a 12-digit amount written
without separators) cost a masked number on a public page, which is the safe side.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SEP = r"[ .\-]?"
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w])")
_CCCD = re.compile(r"(?<![\d])(?:\d{12}|\d{3}(?:[ .]\d{3}){3}|\d{4}(?:[ .]\d{4}){2})(?![\d])")
_PHONE = re.compile(
    r"(?<![\d+])"
    r"(?:\(?(?:\+84|84|0084)\)?[ .\-]?|0)"  # country prefix or trunk 0
    rf"(?:[35789](?:{_SEP}\d){{8}}|2(?:{_SEP}\d){{9}})"  # mobile: 9 digits; landline: 10 (2xx + 7 or 8)
    r"(?![\d])"
)
_PLATE = re.compile(
    r"(?<![0-9A-Za-z])"
    r"[1-9][0-9][ \-]?[A-Z]{1,2}[0-9]?"  # province code and series: 26A, 26B1, 29-LD
    r"(?:[ .\-] ?)?"
    r"(?:[0-9]{3}\.?[0-9]{2}|[0-9]{4})"  # 123.45, 12345 or the older 1234
    r"(?![0-9A-Za-z])"
)
# The order matters where matches overlap: the first kind that claims characters keeps them.
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", _EMAIL),
    ("cccd", _CCCD),
    ("phone", _PHONE),
    ("plate", _PLATE),
)
KINDS = tuple(kind for kind, _ in _KINDS)


@dataclass(frozen=True)
class Found:
    kind: str  # one of KINDS
    start: int
    end: int
    text: str


def find(text: str) -> list[Found]:
    """The personal details in `text`, in order, none overlapping another."""
    taken: list[Found] = []
    for kind, pattern in _KINDS:
        for match in pattern.finditer(text or ""):
            if any(match.start() < f.end and f.start < match.end() for f in taken):
                continue
            taken.append(Found(kind, match.start(), match.end(), match.group()))
    return sorted(taken, key=lambda f: f.start)


def kinds(text: str) -> list[str]:
    """Which kinds of personal detail `text` holds, in KINDS order (for a warning)."""
    present = {f.kind for f in find(text)}
    return [kind for kind in KINDS if kind in present]


def _hide(fragment: str) -> str:
    return "".join("*" if ch.isalnum() else ch for ch in fragment)


def as_published(text: str, redacted: str | None) -> str:
    """A citizen's text (a report's title or description) as every public view shows it: staff's redacted
    text where they gave one, else the citizen's, with personal details masked either way. The one rule for
    the report's page, the feed, the Open311 API and the public search key."""
    return mask(redacted if redacted is not None else text)


def mask(text: str) -> str:
    """`text` with every personal detail's letters and digits replaced by "*"."""
    if not text:
        return text or ""
    parts: list[str] = []
    last = 0
    for found in find(text):
        parts.extend((text[last : found.start], _hide(found.text)))
        last = found.end
    parts.append(text[last:])
    return "".join(parts)


def _letters(text: str) -> str:
    """`text` with each character's marks dropped and in lower case, one character for one (so that a
    match in it is a match at the same place in `text`): "Thuý", "Thúy" and "Thuy" all read "thuy"."""
    return "".join("d" if ch in "đĐ" else unicodedata.normalize("NFD", ch)[0].lower() for ch in text)


def mask_name(text: str, name: str) -> str:
    """`text` with each whole occurrence of the full name `name` masked as `mask` masks. Names cannot be found
    in free text the way numbers can, but a reply to a report may name its sender, whose name the portal
    knows. The words are compared without their marks and case, with any spacing between them: the tone
    mark of "Thuý" / "Thúy" or "Hoà" / "Hòa" sits where the typist put it, and an officer may type without
    diacritics. Only a name of two words or more is looked for: one word alone ("Thành", "Hà") is too often
    an ordinary Vietnamese word. The text is returned in NFC, the form a keyboard types."""
    words = _letters(unicodedata.normalize("NFC", name or "")).split()
    if not text or len(words) < 2:
        return text or ""
    text = unicodedata.normalize("NFC", text)
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(re.escape(word) for word in words) + r"(?!\w)")
    parts: list[str] = []
    last = 0
    for match in pattern.finditer(_letters(text)):
        parts.extend((text[last : match.start()], _hide(text[match.start() : match.end()])))
        last = match.end()
    parts.append(text[last:])
    return "".join(parts)
