"""Human-readable codes: feedback `PA-YYMMDD-NNNN`, dossier `{agency}-{YYMMDD}-{NNNN}`. Pure: stdlib only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

FEEDBACK_PREFIX = "PA"
FEEDBACK_SEQUENCE = "feedback"  # the daily counter (portal/sequences.py) whose numbers feedback codes carry
_FEEDBACK = re.compile(r"^PA-(\d{6})-(\d{4,6})$")
# Circular 01/2018/TT-VPCP Art. 19: receiving-unit code, date received, sequence of that unit's day.
# Live systems also print yyyymmdd and 5-7 digit sequences; parse them all, store codes as issued.
_DOSSIER = re.compile(r"^(?P<agency>[A-Z0-9][A-Z0-9.]{1,38}[A-Z0-9])-(?P<day>\d{6}|\d{8})-(?P<seq>\d{4,7})$")


class InvalidCode(ValueError):
    pass


@dataclass(frozen=True)
class DossierCode:
    agency: str
    received: date
    sequence: int


def _day(text: str) -> date:
    try:
        if len(text) == 8:
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:]))
    except ValueError:
        raise InvalidCode(f"bad date in code: {text}") from None


def feedback_code(day: date, sequence: int) -> str:
    if not 0 < sequence < 1_000_000:
        raise InvalidCode("sequence out of range")
    return f"{feedback_code_prefix(day)}{sequence_digits(sequence)}"


def feedback_code_prefix(day: date) -> str:
    """What every feedback code of `day` begins with; the sequence's digits follow."""
    return f"{FEEDBACK_PREFIX}-{day:%y%m%d}-"


def sequence_digits(sequence: int) -> str:
    """A code's sequence: at least four digits, zero-filled (0042, 12345)."""
    return f"{sequence:04d}"


def dossier_code(agency_code: str, day: date, sequence: int) -> str:
    if not 0 < sequence < 10_000_000:
        raise InvalidCode("sequence out of range")
    code = f"{agency_code}-{day:%y%m%d}-{sequence:04d}"
    parse_dossier_code(code)  # never issue a code we could not read back
    return code


def parse_dossier_code(text: str) -> DossierCode:
    match = _DOSSIER.match(text.strip().upper())
    if not match:
        raise InvalidCode(f"not a dossier code: {text!r}")
    return DossierCode(match["agency"], _day(match["day"]), int(match["seq"]))


def parse_feedback_code(text: str) -> tuple[date, int]:
    match = _FEEDBACK.match(text.strip().upper())
    if not match:
        raise InvalidCode(f"not a feedback code: {text!r}")
    return _day(match[1]), int(match[2])


def looks_like_feedback_code(text: str) -> bool:
    return bool(_FEEDBACK.match(text.strip().upper()))
