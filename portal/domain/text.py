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
    # Whitespace controls (\t, \n, \r ...) are Cc too; keep them so they become word separators.
    return "".join(ch for ch in s if ch.isspace() or unicodedata.category(ch) not in _INVISIBLE)


def clean(s: str) -> str:
    """NFC, drop control/invisible characters, collapse runs of whitespace to one space, strip."""
    # Drop first: removing a zero-width character may let a mark compose with its base letter.
    return " ".join(nfc(_drop_invisible(s)).split())


def clean_lines(s: str) -> str:
    """`clean` each line of a longer text, keeping its line breaks (any newline convention)."""
    return "\n".join(clean(line) for line in s.replace("\r\n", "\n").split("\n")).strip()


def fold(s: str) -> str:
    """Search key: no tone or vowel marks, đ → d, case-folded, single spaces.

    "Thuý Hoà" and "thúy hòa" (the two tone-placement conventions), NFC and NFD input all give
    "thuy hoa". đ/Đ have no Unicode decomposition, so they are mapped by hand.
    """
    # casefold() first: it can emit combining marks (e.g. "İ" → "i̇") that the Mn filter then drops.
    decomposed = unicodedata.normalize("NFD", _drop_invisible(s).casefold())
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(bare.replace("đ", "d").split())


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
