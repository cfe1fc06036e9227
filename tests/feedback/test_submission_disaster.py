"""A report sent while a disaster is declared for its commune counts its answer date around the declared
days, as an item already open when the disaster was declared does (portal/disasters/operations.py), and is
told why on its timeline, with the event's effect recorded (portal.calendar.disasters.dated).

The submission computed the new item's deadlines before its commune's code was set (only the commune's
object was attached; the foreign key came with the flush), so the declared days of its commune were never
found and a report sent during a landslide got the ordinary date.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from portal.calendar.disasters import DisasterEffect, flagged
from portal.calendar.queries import LOCAL_TZ
from portal.disasters import operations as disasters
from portal.events.models import Event
from portal.extensions import db
from portal.feedback import deadlines
from tests.support.factories import make_account
from tests.support.feedback import TO_HIEU_COMMUNE, make_item
from tests.support.files import jpeg_bytes

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=LOCAL_TZ)
COMMUNE = "03646"  # Tô Hiệu ward: its leader declares for it


def test_a_report_sent_during_a_declared_disaster_counts_around_its_days(app):
    ordinary = make_item(agency=None, commune=COMMUNE, now=MONDAY)
    _declare_landslide()
    sent_during = make_item(agency=None, commune=COMMUNE, now=MONDAY)
    assert sent_during.due_on == deadlines.compute(sent_during).answer_by  # its commune's days counted
    assert sent_during.due_on > deadlines.compute(ordinary, spans=[]).answer_by


# The same report by hand (VIETNAM.md §6.2, 15 working days for roads; Saturdays and Sundays off; no holiday
# in December 2026; Fri 1/1/2027 is New Year's Day). Sent Mon 7/12/2026 09:00 with no event: day 0 Mon 7,
# Tue 8 (1) … Fri 11 (4), Mon 14 (5) … Fri 18 (9), Mon 21 (10) … Fri 25 (14), Mon 28/12 (15). With the
# landslide of Mon 7 – Fri 11 its days are rest days: day 0 Mon 14, Tue 15 (1) … Fri 18 (4), Mon 21 (5) …
# Fri 25 (9), Mon 28 (10) … Thu 31 (13), Mon 4/1/2027 (14), Tue 5/1/2027 (15).
WITHOUT_EVENT, WITH_EVENT = date(2026, 12, 28), date(2027, 1, 5)


def _declare_landslide():
    return disasters.declare(
        make_account("leader"),
        disasters.Declared(
            kind="landslide",
            communes=[COMMUNE],
            starts_on=date(2026, 12, 7),
            ends_on=date(2026, 12, 11),
            locate_by="place",
            legal_basis="Quyết định số 12/QĐ-UBND công bố tình huống bất khả kháng",
        ),
    )


def _timeline(item) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.subject_type == "feedback", Event.subject_id == item.id)
            .order_by(Event.id)
        )
    )


@pytest.mark.parametrize("photos", [(), (jpeg_bytes(size=(60, 40)),)], ids=["direct insert", "with a photo"])
def test_a_report_sent_during_a_declared_disaster_is_told_why_and_flagged(app, photos):
    """A report dated around declared days gets the event's effect and its public timeline line, as the
    reports already open when the event was declared do: before, its date was later with no reason given,
    and the dashboard's disaster flags did not count it."""
    event = _declare_landslide()
    december = (None, date(2026, 12, 1), date(2026, 12, 31))
    [(_, dossiers, reports)] = flagged(*december)  # the open items of the seed's commune it moved
    item = make_item(agency=None, commune=COMMUNE, now=MONDAY, photos=photos)
    db.session.commit()
    assert item.due_on == WITH_EVENT
    [effect] = db.session.scalars(
        select(DisasterEffect).where(
            DisasterEffect.subject_type == "feedback", DisasterEffect.subject_id == item.id
        )
    ).all()
    assert (effect.event_id, effect.subject_type) == (event.id, "feedback")
    assert (effect.due_before, effect.due_after) == (WITHOUT_EVENT, WITH_EVENT)
    lines = _timeline(item)
    assert [line.action for line in lines] == ["submitted", "disaster_pause"]
    assert lines[1].is_public and "Sạt lở đất" in lines[1].note and "05/01/2027" in lines[1].note
    [(flagged_event, dossiers_after, reports_after)] = flagged(*december)
    assert (flagged_event.id, dossiers_after, reports_after) == (event.id, dossiers, reports + 1)


def test_a_report_sent_after_the_declared_days_or_elsewhere_is_not_flagged(app):
    _declare_landslide()
    later = make_item(agency=None, commune=COMMUNE, now=datetime(2026, 12, 14, 9, 0, tzinfo=LOCAL_TZ))
    elsewhere = make_item(agency=None, commune=TO_HIEU_COMMUNE, now=MONDAY)
    db.session.commit()
    for item in (later, elsewhere):
        assert (
            db.session.scalars(
                select(DisasterEffect).where(
                    DisasterEffect.subject_type == "feedback", DisasterEffect.subject_id == item.id
                )
            ).all()
            == []
        )
        assert [line.action for line in _timeline(item)] == ["submitted"]
