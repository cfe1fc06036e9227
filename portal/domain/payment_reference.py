"""Payment references: short codes a citizen types or a QR pre-fills as the transfer memo. Pure: stdlib only.

Format: "SL" (Sơn La) + 9 random symbols + 1 check symbol, e.g. "SL7K2M9Q4XAM": 12 characters, well
inside VietQR's 25-character purpose field (62.08), letters and digits only, so it survives banks that
strip punctuation. 45 random bits: collisions are rare (the caller still enforces uniqueness) and the
codes, which appear in URLs, are impractical to enumerate.

Alphabet: Crockford's base32, 0-9 and A-Z without I, L, O, U. No letter can be misread as a digit, so a
reader may map O→0 and I/L→1 (find_references does), and "U" avoids accidental words.

Check symbol: Damm's scheme over the field GF(32) (polynomial x⁵ + x² + 1): the symbols' values v₀…v₉ are
read as the polynomial Σ vᵢ·x^(9-i), and the check symbol makes it 0 (Horner: r ← r·x ⊕ v). A single
substitution changes the sum by e·xᵏ ≠ 0; swapping a ≠ b at distances d < 31 changes it by
(a ⊕ b)·xᵏ·(x^d + 1) ≠ 0. So every substitution and every transposition, adjacent or not, is caught.
Rejected: ISO 7064 MOD 37-2 needs a 37th symbol ("*") that banks strip; Luhn mod 32 misses one
adjacent transposition pair; Verhoeff is for decimal digits.
"""

import re

from portal.domain.text import fold

PREFIX = "SL"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DATA_LENGTH = 9  # random symbols, 5 bits each
LENGTH = len(PREFIX) + DATA_LENGTH + 1
RANDOM_BYTES = 6  # 48 bits in, the top 45 used

_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
_READ_AS = _VALUE | {"O": 0, "I": 1, "L": 1}  # Crockford: what a person may have typed for 0 and 1
_MODULUS = 0b100101  # x⁵ + x² + 1, irreducible, hence primitive (31 is prime)
# Banks and people put spaces, hyphens, dots, underscores or slashes inside or around a code.
_SEPARATORS = re.compile(r"[\s\-._/]+")


def _times_x(value: int) -> int:
    """Multiply by x in GF(32): shift, and reduce by the modulus when the degree reaches 5."""
    value <<= 1
    return value ^ _MODULUS if value & 0b100000 else value


def _remainder(values: list[int]) -> int:
    """Horner evaluation of the symbols as a polynomial over GF(32); 0 for a valid code."""
    remainder = 0
    for value in values:
        remainder = _times_x(remainder) ^ value
    return remainder


def check_symbol(data: str) -> str:
    """The check symbol for `data` (alphabet symbols, without the prefix)."""
    return ALPHABET[_times_x(_remainder([_VALUE[symbol] for symbol in data]))]


def new_reference(random_bytes: bytes) -> str:
    """A new reference from exactly RANDOM_BYTES bytes (pass `secrets.token_bytes(RANDOM_BYTES)`).

    The caller supplies the randomness so this stays pure and testable; the same bytes give the same
    reference, and the caller retries on the (rare) clash with a stored one.
    """
    if not isinstance(random_bytes, bytes) or len(random_bytes) != RANDOM_BYTES:
        raise ValueError(f"need exactly {RANDOM_BYTES} random bytes")
    number = int.from_bytes(random_bytes, "big") >> (8 * RANDOM_BYTES - 5 * DATA_LENGTH)
    data = "".join(ALPHABET[(number >> 5 * shift) & 31] for shift in reversed(range(DATA_LENGTH)))
    return PREFIX + data + check_symbol(data)


def is_valid(text: str) -> bool:
    """Whether `text` is a reference in canonical form (upper case, no spaces) with a correct check symbol.

    Use find_references to read what a person or a bank wrote.
    """
    if not isinstance(text, str) or len(text) != LENGTH or not text.startswith(PREFIX):
        return False
    body = text[len(PREFIX) :]
    return all(symbol in _VALUE for symbol in body) and _remainder([_VALUE[s] for s in body]) == 0


def _reference_at(text: str, start: int) -> str | None:
    """The valid reference whose "S" is text[start], reading through single separators, or None."""
    symbols: list[str] = []
    for char in text[start + 1 : start + 2 * LENGTH]:
        if char == " ":
            continue
        if not symbols and char != "L":
            return None
        if symbols and char not in _READ_AS:
            return None
        symbols.append(char if not symbols else ALPHABET[_READ_AS[char]])
        if len(symbols) == LENGTH - 1:
            candidate = "S" + "".join(symbols)
            return candidate if is_valid(candidate) else None
    return None


def find_references(description: str) -> list[str]:
    """Valid references in a bank transfer description, canonical, in order, without repeats.

    Tolerates what banks and payers do to a memo: upper or lower case, diacritics, spaces, hyphens or
    dots inside the code or dropped around it ("MBVCB.123456.SL7K2M9Q4XAM.CT tu ...", "sl 7k2m 9q4x
    am"), O for 0 and I/L for 1. Only check-valid codes are returned, so a mistyped one is not
    matched to someone else's fee; callers still match the amount and receiving account.
    """
    text = _SEPARATORS.sub(" ", fold(description).upper())
    found: list[str] = []
    for start, char in enumerate(text):
        if char == "S" and (reference := _reference_at(text, start)) and reference not in found:
            found.append(reference)
    return found
