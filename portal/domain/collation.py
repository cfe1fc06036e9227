"""Vietnamese alphabetical order (VIETNAM.md §8 "Sorting"), as a pure sort key. Stdlib only.

Python's `sorted()` compares code points, so "Bình" comes before "Bắc" and every name starting with Đ, Ă,
Â, Ơ or Ư after Z. PyICU's `vi_VN` collator is not installed here; this key follows the same CLDR rules
for Vietnamese text:

1. Letters (primary): a < ă < â < b < c < d < đ < e < ê < … < o < ô < ơ < p < … < u < ư < v < … < y; the
   letters Vietnamese borrows for foreign words (f, j, w, z) take their Latin places. Spaces and
   punctuation come before digits, digits before letters. A run of digits is compared by its value
   ("Tổ 2" before "Tổ 10"), as ICU does with its numeric option.
2. Tones (secondary, only between names equal in their letters), in dictionary order: ngang (none) <
   huyền (`) < hỏi (?) < ngã (~) < sắc (´) < nặng (.) — CLDR's Vietnamese tailoring
   `&̀<<̉<<̃<<́<<̣`. A syllable's tone counts once, wherever the mark sits, so "hoà" and "hòa" (the two
   placements, §8) sort alike.
3. Case (tertiary): lower case before upper case; last, the text itself, so that the order is total.

`Ð` (U+00D0, from text converted out of the old TCVN3/VNI fonts) counts as `Đ`; full-width letters count
as their ordinary forms (NFKC).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

# Combining marks, by role. Vowel marks make new letters (primary); tone marks are the secondary weight.
BREVE, CIRCUMFLEX, HORN = "\u0306", "\u0302", "\u031b"
TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng

ALPHABET = (
    "a",
    "a" + BREVE,
    "a" + CIRCUMFLEX,
    "b",
    "c",
    "d",
    "đ",
    "e",
    "e" + CIRCUMFLEX,
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "o" + CIRCUMFLEX,
    "o" + HORN,
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "u" + HORN,
    "v",
    "w",
    "x",
    "y",
    "z",
)
_LETTER = {letter: index for index, letter in enumerate(ALPHABET)}
_D_STROKE = str.maketrans({"ð": "đ", "ɖ": "đ"})  # Ð U+00D0 and Ɖ U+0189 after casefold(): written for Đ

# Weight classes of the primary key: every element is a tuple whose first item is its class.
SPACE, PUNCTUATION, DIGITS, LETTER, OTHER = range(5)

Key = tuple[tuple[tuple[int, ...], ...], tuple[int, ...], tuple[int, ...], str]


def _letters(word: str) -> Iterable[tuple[str, str]]:
    """(base letter with its vowel mark, its other marks) for each letter of one NFD word."""
    base, marks = "", ""
    for ch in word:
        if unicodedata.combining(ch) and base:
            marks += ch
            continue
        if base:
            yield base, marks
        base, marks = ch, ""
    if base:
        yield base, marks


def sort_key(text: str) -> Key:
    """The key that sorts `text` in Vietnamese alphabetical order (see the module's docstring)."""
    cleaned = " ".join(unicodedata.normalize("NFKC", text).split())
    primary: list[tuple[int, ...]] = []
    tones: list[int] = []
    case: list[int] = []
    for word in cleaned.split(" "):
        if primary:
            primary.append((SPACE,))
        tone = 0
        digits = ""
        for base, marks in _letters(unicodedata.normalize("NFD", word)):
            if base.isdigit() and base.isascii():
                digits += base
                continue
            if digits:
                primary.append((DIGITS, int(digits), len(digits)))
                digits = ""
            lower = base.casefold().translate(_D_STROKE)
            case.append(int(lower != base))
            vowel_mark = next((mark for mark in marks if mark in (BREVE, CIRCUMFLEX, HORN)), "")
            tone = next((TONES[mark] for mark in marks if mark in TONES), tone)
            letter = _LETTER.get(lower + vowel_mark, _LETTER.get(lower))
            if letter is not None:
                primary.append((LETTER, letter))
            elif base.isalpha():
                primary.append((OTHER, ord(lower)))
            else:
                primary.append((PUNCTUATION, ord(base)))
        if digits:
            primary.append((DIGITS, int(digits), len(digits)))
        tones.append(tone)
    return tuple(primary), tuple(tones), tuple(case), text


def person_key(full_name: str) -> tuple[Key, Key]:
    """Personal names as official lists order them: by given name (the last word), then the full name.

    "Nguyễn Văn An" comes before "Trần Thị Bình" (An < Bình) although N > T.
    """
    words = full_name.split()
    return sort_key(words[-1] if words else ""), sort_key(full_name)


def sorted_vi(items: Iterable[T], key: Callable[[T], str] = str) -> list[T]:
    """`items` in Vietnamese order of `key(item)`."""
    return sorted(items, key=lambda item: sort_key(key(item)))
