"""The queue's Decision 766 hints (issue 14 item 2) against the dashboard's definitions, on random data, and
the queue page: the hint beside each row in both languages, and the filter "costs points this week" with its
count.

* "late without an apology letter" (and every other 2.1 lateness hint) marks exactly the dossiers the
  dashboard counts as "overdue now" (statistics.queries.dossiers.dossier_ids), split by whether a letter moved
  the appointment;
* "no electronic result: fails 4.1" marks exactly the ready dossiers the dashboard would count as paper results
  without an e-result;
* the SQL filter (portal.steering.queries) lists exactly the rows whose hints cost points this week.
"""

from __future__ import annotations

import random
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from portal.calendar.queries import local_now
from portal.domain.dossier_status import DossierStatus as S
from portal.domain.score_effects import Effect, costs_this_week
from portal.dossiers.models import DossierFile
from portal.extensions import db
from portal.staff.queries import QueueFilter, queue_page
from portal.statistics import dashboard
from portal.statistics.queries.dossiers import dossier_ids
from portal.steering.effects import hints_for_rows
from tests.statistics.test_scoring import SLOW, _random_dossiers
from tests.statistics.test_timeliness_agreement import DAYS

LATE_2_1 = {Effect.LATE_WITHOUT_LETTER, Effect.LATE, Effect.TOO_MANY_REQUESTS}


def _rows(today, **criteria):
    rows, _next = queue_page(
        QueueFilter(agency_id=None, me=0, kind="dossier", **criteria), today, size=100000
    )
    return rows


@SLOW
@given(rng=st.randoms(use_true_random=False), count=st.integers(1, 50))
def test_the_queues_hints_agree_with_the_dashboard(app, rng: random.Random, count):
    now = local_now().replace(microsecond=0) - timedelta(minutes=1)
    today = now.date()
    savepoint = db.session.begin_nested()
    try:
        _agencies, made = _random_dossiers(rng, count, now)
        for dossier in made:
            if dossier.original_appointment_on and rng.random() < 0.3:  # an apology letter's later date
                dossier.appointment_on = dossier.original_appointment_on + timedelta(days=rng.randint(1, 9))
            if dossier.status in (S.DONE, S.RETURNED) and rng.random() < 0.5:
                db.session.add(
                    DossierFile(
                        dossier_id=dossier.id,
                        kind="result",
                        stored_name=f"r{dossier.id}",
                        display_name="kq.pdf",
                        mimetype="application/pdf",
                        size=1,
                    )
                )
        db.session.flush()
        rows = _rows(today)
        hints = hints_for_rows(rows, today)
        made_ids = {dossier.id for dossier in made}

        def hinted(*effects):
            return {
                i
                for (_k, i), found in hints.items()
                if i in made_ids and {h.effect for h in found} & set(effects)
            }

        period = dashboard.Period(today - timedelta(days=DAYS), today)
        overdue = dossier_ids("overdue", dashboard.Scope(None), period) & made_ids
        assert hinted(*LATE_2_1) == overdue
        by_id = {dossier.id: dossier for dossier in made}
        without_letter = {
            i
            for i in overdue
            if by_id[i].status in (S.RECEIVED, S.PROCESSING)
            and (by_id[i].appointment_on or by_id[i].original_appointment_on)
            <= by_id[i].original_appointment_on
            and not hinted(Effect.TOO_MANY_REQUESTS) & {i}
        }
        assert hinted(Effect.LATE_WITHOUT_LETTER) == without_letter
        # 4.1: the dashboard's paper result without an e-result, among the dossiers the queue lists (9)
        with_file = {f.dossier_id for f in db.session.query(DossierFile).filter(DossierFile.kind == "result")}
        ready = {i for i in made_ids if by_id[i].status == S.DONE}
        assert hinted(Effect.NO_E_RESULT) == ready - with_file
        # the filter is the hints' costs_this_week, row by row
        costly = {row.id for row in _rows(today, costly=True)} & made_ids
        assert costly == {
            i for (_k, i), found in hints.items() if i in made_ids and costs_this_week(found, today)
        }
    finally:
        savepoint.rollback()
