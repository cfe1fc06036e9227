""" "Overdue" (Quá hạn) in SQL for the staff queue: `portal.domain.indicators.is_overdue` on today's state.

The one definition is the domain's: a dossier of 2.1's population, not ended, already late (its clock ran
past the legal due date, its fee was asked for after it, or it had more than one supplement request).
This is that rule written over the dossier row as it is now, from the same named sets of
`portal.domain.timeliness`, for the queue's mark, its "Overdue" filter and its count; the dashboard's
"overdue now" is the same rule in its CASE (queries/dossiers.py). tests/statistics/test_scoring.py checks
on random dossiers that the queue's overdue set is the dashboard's and the rule's, dossier by dossier.

Now is simpler than a past range's end: a dossier now in 2, 4 or 6 has no end moment (finished, returned,
stop and supplement request belong to 9, 10, 8 and 5), so it is open; every other status is ended, never
received, refused or withdrawn, and never overdue. (A row in 5 with no open request, which the portal does
not make, would be open for the dashboard; the queue leaves it out.)
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, or_, select

from portal.domain import timeliness as rule
from portal.dossiers.models import Dossier, DossierPause

from .sql import local_date

OPEN_NOW = sorted(rule.CLOCK_RUNNING | rule.WAITING_FOR_FEE)  # 2, 4, 6: open, by their status alone


def overdue_now(today) -> ColumnElement[bool]:
    """True for the dossiers (of a statement over the `dossiers` table) overdue on `today`, a local date
    (a value or a bound parameter)."""
    d, p = Dossier.__table__.c, DossierPause.__table__.c
    due = d.original_appointment_on
    requests = (
        select(func.count())
        .where(p.dossier_id == d.id, p.reason == "supplement")
        .correlate(Dossier.__table__)
        .scalar_subquery()
    )
    fee_since = (
        select(func.max(p.started_at))
        .where(p.dossier_id == d.id, p.reason == "fee", p.resumed_at.is_(None))
        .correlate(Dossier.__table__)
        .scalar_subquery()
    )
    return and_(
        d.status.in_(OPEN_NOW),
        d.received_at.is_not(None),
        due.is_not(None),
        d.finished_at.is_(None),
        d.returned_at.is_(None),
        or_(
            requests > rule.SUPPLEMENT_REQUESTS_ALLOWED,  # Case.OPEN_TOO_MANY
            and_(d.status.in_(sorted(rule.WAITING_FOR_FEE)), local_date(fee_since) > due),  # FEE_AFTER_DUE
            and_(d.status.in_(sorted(rule.CLOCK_RUNNING)), due < today),  # RUNNING_PAST_DUE
        ),
    )
