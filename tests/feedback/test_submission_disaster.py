"""A report sent while a disaster is declared for its commune counts its answer date around the declared
days, as an item already open when the disaster was declared does (portal/disasters/operations.py).

The submission computed the new item's deadlines before its commune's code was set (only the commune's
object was attached; the foreign key came with the flush), so the declared days of its commune were never
found and a report sent during a landslide got the ordinary date.
"""

from __future__ import annotations

from datetime import date, datetime

from portal.calendar.queries import LOCAL_TZ
from portal.disasters import operations as disasters
from portal.feedback import deadlines
from tests.support.factories import make_account
from tests.support.feedback import make_item

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=LOCAL_TZ)
COMMUNE = "03646"  # Tô Hiệu ward: its leader declares for it


def test_a_report_sent_during_a_declared_disaster_counts_around_its_days(app):
    ordinary = make_item(agency=None, commune=COMMUNE, now=MONDAY)
    disasters.declare(
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
    sent_during = make_item(agency=None, commune=COMMUNE, now=MONDAY)
    assert sent_during.due_on == deadlines.compute(sent_during).answer_by  # its commune's days counted
    assert sent_during.due_on > deadlines.compute(ordinary, spans=[]).answer_by
