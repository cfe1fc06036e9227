"""The leader's "awaiting my approval" count: dossiers whose result a processor proposed (issue 16 item 6).

Read only for leaders, from the agency's open dossiers in processing (ix_dossiers_queue_status), so it costs
one small indexed count per leader's page; the list itself is the queue's `approval` filter.
"""

from __future__ import annotations

from sqlalchemy import func, select

from portal.dossiers.models import Dossier
from portal.extensions import db

from .queries import awaiting_approval


def waiting(agency_id: int | None) -> int:
    """How many dossiers of the agency (every agency: None) wait for a leader's approval."""
    table = Dossier.__table__.c
    statement = select(func.count()).where(table.queue_due.is_not(None), *awaiting_approval(table))
    if agency_id is not None:
        statement = statement.where(table.agency_id == agency_id)
    return db.session.scalar(statement) or 0
