"""The leader's "awaiting my approval" count: dossiers whose result a processor proposed (issue 16 item 6).

Read only for leaders, from the agency's open dossiers in processing (ix_dossiers_queue_status), inside the
page statement (portal.staff.queries): one small indexed count, no statement of its own but on an empty page;
the list itself is the queue's `approval` filter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from portal.extensions import db

from .queries import waiting_for_approval


def waiting(agency_id: int | None, rows: Sequence[Any] = ()) -> int:
    """How many dossiers of the agency (every agency: None) wait for a leader's approval: read by the page
    statement with the rows (`queue_page(..., approvals=True)`), else counted here (an empty page)."""
    if rows:
        return rows[0].approvals or 0
    statement = waiting_for_approval(agency_id is not None)
    return db.session.scalar(statement, {"agency_id": agency_id}) or 0
