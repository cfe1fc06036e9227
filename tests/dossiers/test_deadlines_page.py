"""A list page of dossiers judges each one's timeliness without a query per dossier.

The stop moment of a stopped dossier lives in the event log; reading it dossier by dossier made the
/staff/dossiers?status=8 page run one query per row (up to 100).
"""

from datetime import UTC, date, datetime
from types import SimpleNamespace

from sqlalchemy import event

from portal.dossiers import deadlines
from portal.events.models import Event
from portal.extensions import db


def stopped_dossier(dossier_id: int) -> SimpleNamespace:
    return SimpleNamespace(
        id=dossier_id,
        status=8,
        original_appointment_on=date(2026, 3, 9),
        pauses=[],
        finished_at=None,
        returned_at=None,
    )


def statements_during(action) -> int:
    seen = []
    engine = db.engine

    def count(*_args):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_stop_moments_of_a_page_are_read_in_one_query(app):
    base = 900_000
    for offset, day in enumerate((5, 6, 9, 10, 11)):  # stopped before, on and after the due date (9 March)
        db.session.add(
            Event(
                subject_type="dossier",
                subject_id=base + offset,
                action="stop",
                occurred_at=datetime(2026, 3, day, 3, 0, tzinfo=UTC),  # 10:00 in Vietnam, same day
            )
        )
    db.session.flush()
    one = [stopped_dossier(base)]
    five = [stopped_dossier(base + offset) for offset in range(5)]
    today = date(2026, 3, 20)
    assert statements_during(lambda: deadlines.timeliness_of_page(one, today)) == 1
    assert statements_during(lambda: deadlines.timeliness_of_page(five, today)) == 1
    # Decision 766, indicator 2.1: a stopped dossier ends on its stop day. Due Monday 9 March: stopped
    # on the 5th or 6th is before it (early), on the 9th is on it (on time), the 10th and 11th after (late).
    verdicts = deadlines.timeliness_of_page(five, today)
    page_words = [verdicts[base + offset] for offset in range(5)]
    assert page_words == ["early", "early", "on_time", "late", "late"]
    assert page_words == [deadlines.timeliness(dossier, today) for dossier in five]
    db.session.rollback()
