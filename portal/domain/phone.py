"""Vietnamese mobile numbers: parse to E.164, mask for display (VIETNAM.md §9). Pure: stdlib only."""

import re
import unicodedata

# Separators people type: spaces, dots, parentheses, hyphen and the Unicode dashes/minus.
_SEPARATORS = re.compile(r"[\s.()\-\u2010-\u2015\u2212]")
# Country prefix (+84, 84, 0084) or trunk 0 or nothing, then a 9-digit mobile number starting 3/5/7/8/9.
# [0-9], not \d: \d also matches other scripts' digits that int() and SMS gateways may not handle.
_MOBILE = re.compile(r"(?:\+?84|0084|0)?([35789][0-9]{8})")


class InvalidPhone(ValueError):
    """The text is not a Vietnamese mobile number."""


def normalise_mobile(raw: str) -> str:
    """Return the mobile number in `raw` as E.164 ("+84912345678"), or raise InvalidPhone.

    Accepts "0912 345 678", "+84 912345678", "84912345678", "0084912345678", "912345678" and
    full-width digits (NFKC). Landlines (Sơn La: 0212 + 7 digits) are rejected.
    """
    if not isinstance(raw, str):
        raise InvalidPhone("phone number must be text")
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))
    match = _MOBILE.fullmatch(compact)
    if match is None:
        raise InvalidPhone("not a Vietnamese mobile number")
    return "+84" + match.group(1)


def _national_digits(e164: str | None) -> str:
    digits = "".join(ch for ch in e164 or "" if ch in "0123456789")
    if (e164 or "").startswith("+84"):
        return "0" + digits[2:]
    return digits


def mask(e164: str | None, keep: int = 3) -> str:
    """Mask for staff lists: "+84912345678" → "*******678" (national 10-digit form, last `keep` shown).

    Empty or None gives "".
    """
    if keep < 0:
        raise ValueError("keep must not be negative")
    national = _national_digits(e164)
    shown = min(keep, len(national))
    # Slice from an explicit index: national[-0:] would reveal the whole number.
    return "*" * (len(national) - shown) + national[len(national) - shown :]


def last_digits(e164: str | None, n: int = 4) -> str:
    """The last `n` digits of the number (e.g. for "số điện thoại đuôi 5678"); "" for empty input."""
    if n < 0:
        raise ValueError("n must not be negative")
    national = _national_digits(e164)
    return national[len(national) - min(n, len(national)) :]


def national_format(e164: str | None) -> str:
    """'+84912345678' -> '0912 345 678', the way numbers are written on paper forms."""
    digits = _national_digits(e164)
    if len(digits) != 10:
        return digits
    return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
