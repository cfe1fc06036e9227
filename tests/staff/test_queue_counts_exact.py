"""The queue's quick-filter counts (portal/staff/queue_counts.py) on a hand-made agency, against figures worked
out by hand from the rules (not from the code): open items by kind and assignee, "overdue" (the dashboard's
"overdue now" for dossiers: clock running past the legal due date, the fee asked for after it, more than one
supplement request; an answer past its due date for feedback) and "costs points this week" (overdue, a
running clock due by Sunday, a result without its electronic file; a feedback answer due by Sunday, a late
answer reopened, a late first request for information).

Today is Wednesday 9 December 2026, so this week ends on Sunday 13 December. Dates are the stored ones:
working days and holidays went into them when they were set (the count compares them, it computes none).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.domain.dossier_status import DossierStatus as S
from portal.dossiers.models import Dossier, DossierFile, DossierPause
from portal.extensions import db
from portal.staff import queue_cache, queue_counts
from tests.support.dossiers import make_dossier
from tests.support.factories import make_account, make_agency
from tests.support.feedback import make_item

TODAY = date(2026, 12, 9)  # a Wednesday


def at(day: int, hour: int = 3) -> datetime:
    """A UTC instant in December 2026 (03:00 UTC is 10:00 in Sơn La)."""
    return datetime(2026, 12, day, hour, tzinfo=UTC)


@pytest.fixture
def agency(app):
    return make_agency()


@pytest.fixture
def officers(agency):
    return make_account("processor", agency=agency), make_account("processor", agency=agency)


def dossier(agency, status: S, due: date | None, assignee=None, *, moved_to: date | None = None) -> Dossier:
    made = make_dossier(received=True)
    made.agency_id = agency.id
    made.status = status.value
    made.original_appointment_on = due
    made.appointment_on = moved_to or due  # an apology letter (form 04) moves only the appointment
    made.assignee_id = assignee.id if assignee else None
    if status is S.SUBMITTED:
        made.received_at = None
    if status in (S.DONE, S.RETURNED):
        made.finished_at = at(8)
    if status is S.RETURNED:
        made.returned_at = at(8, 5)
    db.session.flush()
    return made


def pause(made: Dossier, reason: str, started: datetime, resumed: datetime | None = None) -> None:
    db.session.add(DossierPause(dossier_id=made.id, reason=reason, started_at=started, resumed_at=resumed))


def feedback(agency, status: str, due: date | None, assignee=None, *, reopened_late=False, info_late=False):
    item = make_item(agency=agency.slug)
    item.status = status
    item.due_on = due
    item.assignee_id = assignee.id if assignee else None
    item.reopened_late = reopened_late
    item.info_request_late = info_late
    db.session.flush()
    return item


def test_the_counts_match_the_rules_worked_by_hand(agency, officers):
    a, b = officers
    # Dossiers.
    dossier(agency, S.PROCESSING, date(2026, 12, 8), a)  # D1 clock past due since yesterday: overdue
    dossier(agency, S.PROCESSING, TODAY, a)  # D2 due today, not yet late: due this week (costly)
    dossier(agency, S.RECEIVED, date(2026, 12, 14))  # D3 due next Monday: neither
    d4 = dossier(agency, S.SUPPLEMENT_REQUESTED, date(2026, 12, 1), b)  # D4 paused (5): neither
    pause(d4, "supplement", at(1), at(2))
    pause(d4, "supplement", at(3))
    d5 = dossier(agency, S.PROCESSING, date(2026, 12, 20), b)  # D5 two supplement requests: late already
    pause(d5, "supplement", at(1), at(2))
    pause(d5, "supplement", at(3), at(4))
    d6 = dossier(agency, S.PROCESSING, date(2026, 12, 20))  # D6 one request (allowed), a fee pause: neither
    pause(d6, "supplement", at(1), at(2))
    pause(d6, "fee", at(2), at(3))
    # D7 fee asked for at 01:00 on the 5th in Sơn La (18:00 UTC on the 4th), after the due date (the 4th):
    # overdue (by the UTC date it would not be)
    d7 = dossier(agency, S.FEE_REQUESTED, date(2026, 12, 4), a)
    pause(d7, "fee", at(4, 18))
    # D8 fee asked for before its due date (an earlier fee pause after it was answered): neither
    d8 = dossier(agency, S.FEE_REQUESTED, date(2026, 12, 4), a)
    pause(d8, "fee", at(5), at(6))
    pause(d8, "fee", at(3))
    dossier(agency, S.DONE, date(2026, 12, 1))  # D9 result ready without its electronic file: costly (4.1)
    d10 = dossier(agency, S.DONE, date(2026, 12, 1), b)  # D10 ready, with its result file: neither
    db.session.add(
        DossierFile(
            dossier_id=d10.id, kind="result", stored_name="kq", display_name="kq.pdf", mimetype="x", size=1
        )
    )
    dossier(agency, S.RETURNED, date(2026, 12, 1), a)  # D11 returned: not in the queue at all
    dossier(agency, S.SUBMITTED, None)  # D12 submitted online, not received: open, neither
    # D13 legal due date last Monday, moved by an apology letter to the 15th: still overdue (the legal date)
    dossier(agency, S.PROCESSING, date(2026, 12, 7), moved_to=date(2026, 12, 15))
    dossier(make_agency(), S.PROCESSING, date(2026, 12, 1), a)  # another agency's: not counted here
    # Feedback.
    feedback(agency, "accepted", date(2026, 12, 8), a)  # F1 answer due yesterday: overdue
    feedback(agency, "accepted", date(2026, 12, 13), a)  # F2 due Sunday: costly
    feedback(agency, "new", date(2026, 12, 14))  # F3 due next Monday: neither
    feedback(agency, "info_requested", None, b)  # F4 paused for the citizen (no due date): neither
    feedback(agency, "accepted", date(2026, 12, 20), b, reopened_late=True)  # F5 reopened late: costly
    feedback(agency, "info_requested", None, info_late=True)  # F6 paused, its request was late: costly
    feedback(agency, "answered", date(2026, 12, 1), a, reopened_late=True)  # F7 answered: not counted
    feedback(agency, "accepted", TODAY)  # F8 due today: costly, not overdue
    db.session.flush()

    counted = queue_cache._count(agency.id, TODAY)

    assert (counted["dossier"], counted["feedback"]) == (12, 7)  # D1-D10, D12, D13; F1-F6, F8
    assert counted["overdue"] == 4 + 1  # D1, D5, D7, D13; F1
    assert counted["costly"] == 6 + 5  # the overdue dossiers, D2, D9; F1, F2, F5, F6, F8
    assert counted["by_assignee"] == {a.id: 6, b.id: 5, None: 8}  # a: D1 D2 D7 D8 F1 F2; b: D4 D5 D10 F4 F5
    assert queue_cache.for_officer(counted, a.id)["mine"] == 6


def test_a_count_in_a_thread_of_the_hub_equals_the_requests(app):
    """What a count in a thread of the gevent hub reads (through the request's connection) is what the
    request's session counts."""
    today = date(2026, 12, 9)
    for agency_id in (*{item.agency_id for item in db.session.query(Dossier).limit(50)}, None):
        apart = queue_counts.run_apart(queue_cache._count, agency_id, today, db.session.connection())
        assert apart == {**queue_cache._count(agency_id, today), "at": apart["at"]}
