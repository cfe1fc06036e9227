"""Leaders drill down (issue 16 item 12): every dashboard figure links to the items behind it, counted by the
same definitions (the list's length is the figure, on random data), paginated, within the leader's agency."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.calendar.queries import local_now
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.statistics import dashboard, drilldown
from portal.statistics.view import FIGURES
from tests.statistics.test_scoring import SLOW, _random_dossiers
from tests.statistics.test_timeliness_agreement import DAYS
from tests.support.factories import make_account


def expected(board: dashboard.Dashboard) -> dict[str, tuple[int, int | None]]:
    """Figure key -> (how many items its list must hold, the population of a share or None), from the facts
    the dashboard shows (portal.domain.indicators)."""
    shown, d, f = board.figures, board.dossiers, board.feedback
    feedback_population = f.handled_on_time + f.handled_late + f.open_within_deadline + f.open_overdue
    return {
        "received": (shown.received, None),
        "handled": (shown.handled, None),
        "processed": (shown.processed, None),
        "on_time": (shown.on_time, None),
        "late": (shown.late, None),
        "open_within": (shown.open_within, None),
        "overdue_now": (shown.overdue_now, None),
        "online_submission_share": (d.online_qualifying, d.received),
        "online_payment_share": (d.paid_online, d.fee_bearing),
        "digitised_share": (d.digitised, d.received),
        "average_processing_days": (d.results_ready, None),
        "feedback_received": (f.received, None),
        "feedback_on_time_share": (f.handled_on_time + f.open_within_deadline, feedback_population),
        "dossier_satisfaction": (d.satisfied, d.rated),
        "feedback_satisfaction": (f.satisfied, f.satisfied + f.unsatisfied),
    }


def test_every_figure_has_its_list():
    assert {key for key, _label, _kind in FIGURES} == set(drilldown.SETS)


@SLOW
@given(rng=st.randoms(use_true_random=False), count=st.integers(1, 60), back=st.integers(0, 40))
def test_each_list_holds_exactly_the_items_its_figure_counts(app, rng, count, back):
    now = local_now().replace(microsecond=0) - timedelta(minutes=1)
    today = now.date()
    savepoint = db.session.begin_nested()
    try:
        agencies, _made = _random_dossiers(rng, count, now)
        scopes = [dashboard.Scope(None)] + [dashboard.Scope(agency) for agency in agencies]
        periods = [
            dashboard.Period(today - timedelta(days=DAYS), today),
            dashboard.Period(today - timedelta(days=DAYS), today - timedelta(days=back)),
        ]
        for scope in scopes:
            for period in periods:
                board = dashboard.build(scope, period)
                for key, (size, population) in expected(board).items():
                    found = drilldown.items(key, scope, period)
                    assert (len(found.ids), found.of) == (size, population), (key, scope.agency_id, period)
                    share = getattr(board.figures, key)
                    if population is not None and isinstance(share, Fraction):
                        assert share == Fraction(size, population), key
                    if found.kind == drilldown.DOSSIER and scope.agency_id is not None and found.ids:
                        agencies_seen = set(
                            db.session.scalars(select(Dossier.agency_id).where(Dossier.id.in_(found.ids)))
                        )
                        assert agencies_seen == {scope.agency_id}, key
    finally:
        savepoint.rollback()


# --- the pages ----------------------------------------------------------------------------------------------


def shown_count(body: str) -> int:
    return int(re.search(r'data-count="([0-9]+)"', body)[1])


def get(client, url: str):
    response = client.get(url)
    body = response.get_data(as_text=True)
    response.close()
    return response.status_code, body


def test_the_dashboard_links_every_figure(client, login):
    login(make_account("leader"))
    status, body = get(client, "/staff/dashboard")
    assert status == 200
    for key, _label, _kind in FIGURES:
        assert f'data-drill="{key}"' in body, key
        link = re.search(rf'href="([^"]+)" data-drill="{key}"', body)[1].replace("&amp;", "&")
        status, listed = get(client, link)
        assert status == 200, key


def test_a_leader_s_list_is_paginated_and_its_length_is_the_figure(client, login):
    leader = make_account("leader")
    now = local_now().replace(microsecond=0) - timedelta(minutes=1)
    savepoint = db.session.begin_nested()
    try:
        rng = random.Random(16)
        _random_dossiers(rng, 60, now)
        today = now.date()
        period = dashboard.Period(today - timedelta(days=DAYS), today)
        board = dashboard.build(dashboard.Scope(leader.agency), period)
        login(leader)
        query = f"from={period.first}&to={period.last}"
        _status, page_one = get(client, f"/staff/dashboard/items?figure=handled&{query}")
        assert shown_count(page_one) == board.figures.handled
        listed = re.findall(r'href="/staff/dossiers/([^"]+)" class="mono"', page_one)
        assert len(listed) == min(50, board.figures.handled)
        codes = set(listed)
        pages = -(-board.figures.handled // 50)
        for number in range(2, pages + 1):
            _status, later = get(client, f"/staff/dashboard/items?figure=handled&{query}&page={number}")
            more = re.findall(r'href="/staff/dossiers/([^"]+)" class="mono"', later)
            assert not codes & set(more)
            codes |= set(more)
        assert len(codes) == board.figures.handled
        own = set(db.session.scalars(select(Dossier.code).where(Dossier.agency_id == leader.agency_id)))
        assert codes <= own
    finally:
        savepoint.rollback()


def test_a_leader_cannot_list_another_agency_s_items(client, login):
    leader = make_account("leader")
    other = db.session.scalar(select(Agency).where(Agency.id != leader.agency_id, Agency.is_active).limit(1))
    login(leader)
    assert get(client, f"/staff/dashboard/items?figure=received&agency={other.slug}")[0] == 403
    assert get(client, "/staff/dashboard/items?figure=received&agency=all")[0] == 403
    assert get(client, "/staff/dashboard/items?figure=nothing")[0] == 404


def test_processors_and_receptionists_have_no_drill_down(client, login):
    for role in ("processor", "receptionist"):
        login(make_account(role))
        assert get(client, "/staff/dashboard/items?figure=received")[0] == 403
