"""Vietnamese text: NFC normalisation, cleaning and search folding (VIETNAM.md §8). Pure: stdlib only."""

import re
import unicodedata

# Cc: control characters (\x00, \x1b ...); Cf: invisible format characters (zero-width space, BOM,
# soft hyphen, bidi marks); Cs: lone surrogates, which cannot be encoded to UTF-8 for the database.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs"})

# A search term is a run of letters/digits; '.' is kept only *between* them so procedure codes such
# as "1.001193" or "2.000815.000.00.00.h55" stay whole while a full stop at the end of a word goes.
_TERM = re.compile(r"[^\W_]+(?:[.\-][^\W_]+)*")  # codes like 1.001193 and SL-025 stay whole
MAX_TERM_LENGTH = 64


def nfc(s: str) -> str:
    """Return `s` in Unicode NFC; nothing else changes (callers strip).

    macOS/iOS keyboards and pasted text may arrive as NFD, which looks the same but compares unequal.
    """
    return unicodedata.normalize("NFC", s)


def _drop_invisible(s: str) -> str:
    # A printable string (str.isprintable: no character of the Other or Separator categories but the ASCII
    # space, checked in C) has nothing to drop: most text does, and the per-character walk below was most of
    # a report's search keys and cleaning (bench/notes/submit4.md).
    if s.isprintable():
        return s
    # Whitespace controls (\t, \n, \r ...) are Cc too; keep them so they become word separators.
    return "".join(ch for ch in s if ch.isspace() or unicodedata.category(ch) not in _INVISIBLE)


def clean(s: str) -> str:
    """NFC, drop control/invisible characters, collapse runs of whitespace to one space, strip."""
    # Drop first: removing a zero-width character may let a mark compose with its base letter.
    return " ".join(nfc(_drop_invisible(s)).split())


def clean_lines(s: str) -> str:
    """`clean` each line of a longer text, keeping its line breaks (any newline convention)."""
    return "\n".join(clean(line) for line in s.replace("\r\n", "\n").split("\n")).strip()


# Letters written for Đ/đ that have no decomposition either: Ð (U+00D0, eth, which text converted from the
# old TCVN3/VNI fonts often carries instead of Đ) and Ɖ (U+0189, African D); after casefold() they are ð, ɖ.
# Apostrophes in names such as H'Hen, Y'Điêng (ASCII ', the modifier letter ʼ U+02BC that Vietnamese
# keyboards produce, the typographic ’ and ‘, and ` ´ ′ typed in their place) separate the parts of the
# name: "H'Hen", "H’Hen", "Hʼ Hen" and "H Hen" all fold to "h hen".
_FOLD_MAP = str.maketrans(
    {"đ": "d", "ð": "d", "ɖ": "d"} | dict.fromkeys("'\u02bc\u2019\u2018\u02bb\u0060\u00b4\u2032", " ")
)


def fold(s: str) -> str:
    """Search key: no tone or vowel marks, đ → d, case-folded, single spaces.

    "Thuý Hoà" and "thúy hòa" (the two tone-placement conventions), NFC and NFD input all give
    "thuy hoa". đ/Đ have no Unicode decomposition, so they are mapped by hand, as are Ð (U+00D0) and the
    apostrophes of names like H'Hen (see `_FOLD_MAP`). Compatibility forms count as their ordinary
    letters (NFKD): full-width "ＳƠＮ ＬＡ" folds to "son la".
    """
    # NFKC first (full-width "Ｈ" → "H", "ℌ" → "H"), then casefold(), which can emit combining marks
    # (e.g. "İ" → "i̇"); NFKD then splits every mark off its letter for the Mn filter to drop.
    compatible = unicodedata.normalize("NFKC", _drop_invisible(s))
    decomposed = unicodedata.normalize("NFKD", compatible.casefold())
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(bare.translate(_FOLD_MAP).split())


def search_terms(query: str, max_terms: int = 8) -> list[str]:
    """Folded, de-duplicated search terms of `query`, in order, at most `max_terms` of them.

    Each term is cut to 64 characters, enough for any name or code and a bound on the SQL built
    from it.
    """
    if max_terms < 0:
        raise ValueError("max_terms must not be negative")
    terms: list[str] = []
    for match in _TERM.finditer(fold(query)):
        word = match.group()
        # A hyphen joins codes (SL-025, …-261123-0001) but only separates ordinary words (đăng-ký).
        for term in [word] if any(ch.isdigit() for ch in word) else word.split("-"):
            if len(terms) >= max_terms:
                return terms
            term = term[:MAX_TERM_LENGTH]
            if term not in terms:
                terms.append(term)
    return terms
