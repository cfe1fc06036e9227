"""The demo's history (portal/demo_history.py): its items' timelines read in order and match their dates.

Found by a walk-through of the demo (07/12/2026): a report sent nine days ago showed "accepted" and "answered"
dated the moment the demo was loaded, and every demo dossier's steps were dated the moment it was sent (or the
seeding's), so a newcomer saw answers given before the report's own date could explain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.db_types import utcnow
from portal.demo_history import STEP, history_moments
from portal.dossiers.models import Dossier
from portal.events.models import Event
from portal.extensions import db
from portal.feedback.models import Feedback

DEMO = "%@demo.sonla.vn"


def lines_of(kind: str, item_id: int) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event).where(Event.subject_type == kind, Event.subject_id == item_id).order_by(Event.id)
        )
    )


def test_steps_follow_the_sending_two_hours_apart():
    sent = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert history_moments(sent, sent + timedelta(days=3), 3) == [
        sent + timedelta(hours=2),
        sent + timedelta(hours=4),
        sent + timedelta(hours=6),
    ]


def test_steps_of_an_item_sent_just_now_stay_in_the_past_and_in_order():
    sent = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    now = sent + timedelta(minutes=40)
    moments = history_moments(sent, now, 3)
    assert moments == sorted(moments)
    assert sent < moments[0] and moments[-1] < now
    assert STEP == timedelta(hours=2)


def test_demo_reports_were_worked_on_when_they_were_sent(app):
    now = utcnow()
    items = list(db.session.scalars(select(Feedback).where(Feedback.email.like(DEMO))))
    assert len(items) >= 9
    answered = [item for item in items if item.answered_at is not None]
    assert answered, "the demo has answered reports"
    for item in items:
        lines = lines_of("feedback", item.id)
        times = [line.occurred_at for line in lines]
        assert times[0] == item.submitted_at, item.title
        assert times == sorted(times), item.title
        assert times[-1] <= now
    for item in answered:
        # Sent at least nine days ago (ITEMS' days ago): the answer came then, not when the demo was loaded.
        assert item.submitted_at < now - timedelta(days=8)
        answer = next(line for line in lines_of("feedback", item.id) if line.action == "answer")
        assert answer.occurred_at == item.answered_at
        assert answer.occurred_at < item.submitted_at + timedelta(days=1)


def test_demo_dossiers_steps_are_dated_after_their_sending(app):
    now = utcnow()
    dossiers = list(db.session.scalars(select(Dossier).where(Dossier.email.like(DEMO))))
    worked = [dossier for dossier in dossiers if len(lines_of("dossier", dossier.id)) > 1]
    assert len(worked) >= 10
    for dossier in worked:
        times = [line.occurred_at for line in lines_of("dossier", dossier.id)]
        assert times[0] == dossier.submitted_at
        assert times == sorted(times) and len(set(times)) == len(times), dossier.applicant_name
        assert times[-1] <= now
    returned = next(dossier for dossier in worked if dossier.returned_at is not None)
    assert returned.submitted_at < now - timedelta(days=7)  # PLAN: sent eight days ago
    assert returned.returned_at < returned.submitted_at + timedelta(days=1)


def test_demo_dossier_addresses_do_not_repeat_their_ward(app):
    for dossier in db.session.scalars(select(Dossier).where(Dossier.email.like(DEMO))):
        assert "Tô Hiệu" not in dossier.address, dossier.address
