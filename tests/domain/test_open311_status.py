"""Feedback states as Open311 statuses (OPEN311.md §5-§6), worked out from the meaning of each state."""

import pytest

from portal.domain.open311_status import EXTENDED_STATUSES, extended, extended_of_update, open_or_closed


@pytest.mark.parametrize(
    ("status", "reason", "simple", "rich"),
    [
        # Received, nobody has looked yet: still open; FixMyStreet's "open"/"confirmed".
        ("new", "", "open", "OPEN"),
        # An officer handles it: open, work in progress.
        ("accepted", "", "open", "IN_PROGRESS"),
        # The clock is paused waiting for the citizen: still open, still being looked into.
        ("info_requested", "", "open", "INVESTIGATING"),
        # The official answer is published: the request is closed for GeoReport; not FIXED, an answer
        # may explain or refuse rather than repair.
        ("answered", "", "closed", "CLOSED"),
        ("closed", "", "closed", "CLOSED"),
        # Refusals say why, as mySociety's extension can.
        ("refused", "duplicate", "closed", "DUPLICATE"),
        ("refused", "out_of_scope", "closed", "NOT_COUNCILS_RESPONSIBILITY"),
        ("refused", "spam", "closed", "NO_FURTHER_ACTION"),
        ("refused", "insufficient", "closed", "NO_FURTHER_ACTION"),
    ],
)
def test_states(status, reason, simple, rich):
    assert open_or_closed(status) == simple
    assert extended(status, reason) == rich
    assert rich in EXTENDED_STATUSES


@pytest.mark.parametrize(
    ("action", "to_status", "expected"),
    [
        ("submitted", "new", "OPEN"),
        ("accept", "accepted", "IN_PROGRESS"),
        ("answer", "answered", "CLOSED"),
        # Reopening is its own extended status, whatever state it lands in.
        ("reopen", "accepted", "REOPEN"),
        ("rate_unsatisfied", "accepted", "REOPEN"),
        # The citizen's last "not satisfied" closes without reopening.
        ("rate_unsatisfied_final", "closed", "CLOSED"),
        ("mark_duplicate", "refused", "DUPLICATE"),
    ],
)
def test_timeline_lines(action, to_status, expected):
    reason = "duplicate" if action == "mark_duplicate" else ""
    assert extended_of_update(action, to_status, reason) == expected
