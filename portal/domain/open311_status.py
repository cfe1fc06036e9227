"""Feedback states as Open311 sees them. Pure: stdlib only.

GeoReport v2 knows only `open` and `closed`; mySociety's extension (used by FixMyStreet) adds upper-case
extended statuses. Our mapping, state by state (OPEN311.md §5 and §6):
- new: received, nobody has looked yet: open, OPEN (FixMyStreet's `open` is its "confirmed").
- accepted: an officer is handling it: open, IN_PROGRESS.
- info_requested: the agency waits for the citizen's information: open, INVESTIGATING (the nearest
  extended status: the matter is still being looked into; the clock is paused).
- answered: the agency's official answer is published: closed, CLOSED. Not FIXED: an answer may explain,
  refuse or schedule rather than repair, and a FixMyStreet client would mark the map "fixed".
- refused: closed, with the reason: duplicate -> DUPLICATE, out of the province's authority ->
  NOT_COUNCILS_RESPONSIBILITY, spam or too little information -> NO_FURTHER_ACTION.
- closed: closed, CLOSED.
A timeline line that reopens a report (staff reopening, or the citizen's "not satisfied") is REOPEN.
"""

from __future__ import annotations

OPEN_STATES = frozenset({"new", "accepted", "info_requested"})
EXTENDED = {
    "new": "OPEN",
    "accepted": "IN_PROGRESS",
    "info_requested": "INVESTIGATING",
    "answered": "CLOSED",
    "closed": "CLOSED",
}
REFUSED = {
    "duplicate": "DUPLICATE",
    "out_of_scope": "NOT_COUNCILS_RESPONSIBILITY",
    "spam": "NO_FURTHER_ACTION",
    "insufficient": "NO_FURTHER_ACTION",
}
REOPENING_ACTIONS = frozenset({"reopen", "rate_unsatisfied", "fix_denied", "fix_unanswered_reopen"})
EXTENDED_STATUSES = (
    "OPEN",
    "IN_PROGRESS",
    "INVESTIGATING",
    "CLOSED",
    "DUPLICATE",
    "NOT_COUNCILS_RESPONSIBILITY",
    "NO_FURTHER_ACTION",
    "REOPEN",
)


def open_or_closed(status: str) -> str:
    """GeoReport v2's own status."""
    return "open" if status in OPEN_STATES else "closed"


def extended(status: str, refusal_reason: str = "") -> str:
    """mySociety's extended status of a state (a refused report's from its reason)."""
    if status == "refused":
        return REFUSED.get(refusal_reason, "NO_FURTHER_ACTION")
    return EXTENDED.get(status, "OPEN")


def extended_of_update(action: str, to_status: str | None, refusal_reason: str = "") -> str:
    """The extended status a timeline line reports: REOPEN for a reopening, else its resulting state's."""
    if action in REOPENING_ACTIONS:
        return "REOPEN"
    return extended(to_status or "new", refusal_reason)
