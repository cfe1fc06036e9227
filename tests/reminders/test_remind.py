"""Issue 14 item 3: `flask remind` e-mails each officer their items due on the next working day and overdue,
each leader their agency's overdue items, escalates unanswered feedback (leader, then province after N
working days, on the timeline), and sends each message once per day however often it runs.

Dates by hand: Thu 10/12/2026; the next working day is Fri 11/12. Feedback due Thu 3/12 is 5 working days
late on Thu 10/12 (4, 7, 8, 9, 10)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.events.models import Event
from portal.extensions import db
from portal.jobs.models import OutboxJob
from portal.reminders import operations
from tests.support.dossiers import make_dossier
from tests.support.factories import make_account
from tests.support.open311 import with_mail

TODAY = date(2026, 12, 10)


def keys(prefix: str) -> list[str]:
    return list(db.session.scalars(select(OutboxJob.key).where(OutboxJob.key.like(prefix + "%"))))


def test_each_message_once_per_day(app, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", with_mail(app))
    officer = make_account("processor")
    leader = make_account("leader")
    tomorrow = make_dossier(received=True)
    tomorrow.assignee_id, tomorrow.appointment_on = officer.id, date(2026, 12, 11)
    late = make_dossier(received=True)
    late.assignee_id, late.appointment_on = officer.id, date(2026, 12, 9)
    db.session.flush()
    with app.test_request_context():
        first = operations.run(TODAY, 5)
        again = operations.run(TODAY, 5)
    assert first >= 2 and again == 0
    [mine] = keys(f"remind:officer:{officer.id}:")
    assert mine == f"remind:officer:{officer.id}:2026-12-10"
    assert keys(f"remind:leader:{leader.id}:") == [f"remind:leader:{leader.id}:2026-12-10"]
    job = db.session.scalar(select(OutboxJob).where(OutboxJob.key == mine))
    assert tomorrow.code in job.payload and late.code in job.payload
    with app.test_request_context():
        assert operations.run(date(2026, 12, 11), 5) >= 1  # a new day: a new message


def test_unanswered_feedback_escalates_to_the_leader_then_the_province(app, monkeypatch):
    from tests.support.feedback import make_item

    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", with_mail(app))
    item = make_item()
    item.due_on = date(2026, 12, 3)
    db.session.flush()
    with app.test_request_context():
        operations.run(date(2026, 12, 9), 5)  # 4 working days late: the leader only
        actions = set(
            db.session.scalars(
                select(Event.action).where(Event.subject_type == "feedback", Event.subject_id == item.id)
            )
        )
        assert operations.TO_LEADER in actions and operations.TO_PROVINCE not in actions
        operations.run(TODAY, 5)  # 5 working days late: the province too
        operations.run(TODAY, 5)
    escalations = db.session.scalars(
        select(Event.action).where(
            Event.subject_type == "feedback", Event.subject_id == item.id, Event.action.like("escalated%")
        )
    ).all()
    assert sorted(escalations) == [operations.TO_LEADER, operations.TO_PROVINCE]  # each once
