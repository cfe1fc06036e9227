"""The queue page's rows kept for a second or two (portal/staff/queue_rows.py): a change this process makes
shows at once, to the officer who made it and to everybody else; the officer who acted sees it at once
whatever worker answers; a change made elsewhere shows within ROWS_SECONDS; a search is never kept."""

from __future__ import annotations

import re

import pytest

from portal.accounts import sessions
from portal.extensions import cache, db
from portal.staff import queue_rows, routes
from tests.staff.test_queue_page import Desk
from tests.support.clients import fresh_client, sign_in


@pytest.fixture(autouse=True)
def _empty_cache(app):
    with app.app_context():
        cache.clear()
        queue_rows.clear()


class Clocks:
    """queue_rows' clocks, moved by hand: `now` for the entries' age, `wall` for the sessions' stamps."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.wall = 2_000_000_000.0


@pytest.fixture
def clocks(monkeypatch) -> Clocks:
    clocks = Clocks()
    monkeypatch.setattr(queue_rows, "clock", lambda: clocks.now)
    monkeypatch.setattr(queue_rows, "wall_clock", lambda: clocks.wall)
    return clocks


@pytest.fixture
def built(monkeypatch) -> list[str]:
    """The filters whose rows were read and written out: one entry per page statement run."""
    runs: list[str] = []
    real = routes._page

    def counting(criteria, today, officer):
        runs.append(criteria.status)
        return real(criteria, today, officer)

    monkeypatch.setattr(routes, "_page", counting)
    return runs


@pytest.fixture
def desk(app) -> Desk:
    return Desk()


def signed_in(client, account, clocks: Clocks) -> None:
    """Signed in with the second step done; the sign-in's own write stamp left behind (later tests move it)."""
    sign_in(client, account)
    with client.session_transaction() as session:
        session[sessions.SECOND_FACTOR_PASSED] = True
    clocks.wall += queue_rows.ROWS_SECONDS + queue_rows.CLOCK_SKEW


def row_of(body: str, code: str) -> str:
    found = re.search(rf"<li[^>]*>(?:(?!</li>).)*{re.escape(code)}(?:(?!</li>).)*</li>", body, re.S)
    assert found is not None, code
    return found[0]


def unassigned_claimable(desk: Desk):
    return next(
        item
        for kind, item in desk.items
        if kind == "feedback"
        and item.queue_due is not None
        and item.assignee_id is None
        and item.status == "new"
    )


def test_the_same_page_is_read_once_within_the_period_and_again_after(client, desk, clocks, built):
    signed_in(client, desk.officer, clocks)
    first = client.get("/staff/queue").get_data(as_text=True)
    second = client.get("/staff/queue").get_data(as_text=True)
    assert built == [""] and first == second
    clocks.now += queue_rows.ROWS_SECONDS  # an entry is never served this old: read again
    client.get("/staff/queue")
    assert built == ["", ""]


def test_a_claim_shows_at_once_to_the_officer_who_made_it(client, desk, clocks, built):
    item = unassigned_claimable(desk)
    signed_in(client, desk.officer, clocks)
    before = row_of(client.get("/staff/queue").get_data(as_text=True), item.code)
    assert f'name="claim" value="feedback:{item.id}"' in before
    response = client.post("/staff/queue/act", data={"claim": f"feedback:{item.id}"})
    assert response.status_code == 302
    after = row_of(client.get("/staff/queue").get_data(as_text=True), item.code)
    assert f'name="release" value="feedback:{item.id}"' in after
    assert desk.officer.full_name in after


def test_a_release_shows_at_once(client, desk, clocks):
    item = next(
        item
        for kind, item in desk.items
        if kind == "feedback" and item.queue_due is not None and item.assignee_id == desk.officer.id
    )
    signed_in(client, desk.officer, clocks)
    assert 'name="release"' in row_of(client.get("/staff/queue").get_data(as_text=True), item.code)
    client.post("/staff/queue/act", data={"release": f"feedback:{item.id}"})
    after = row_of(client.get("/staff/queue").get_data(as_text=True), item.code)
    assert 'class="nobody"' in after and 'name="release"' not in after


def test_a_colleagues_claim_in_this_process_shows_at_once(app, client, desk, clocks):
    item = unassigned_claimable(desk)
    signed_in(client, desk.officer, clocks)
    assert 'class="nobody"' in row_of(client.get("/staff/queue").get_data(as_text=True), item.code)
    colleague = fresh_client(app, "127.0.0.2")
    signed_in(colleague, desk.colleague, clocks)
    assert colleague.post("/staff/queue/act", data={"claim": f"feedback:{item.id}"}).status_code == 302
    after = row_of(client.get("/staff/queue").get_data(as_text=True), item.code)
    assert desk.colleague.full_name in after and "claim" not in after


def test_a_status_change_written_through_the_orm_shows_at_once(client, desk, clocks):
    item = unassigned_claimable(desk)
    signed_in(client, desk.officer, clocks)
    assert item.code in client.get("/staff/queue?status=new").get_data(as_text=True)
    item.status = "accepted"
    db.session.flush()
    assert item.code not in client.get("/staff/queue?status=new").get_data(as_text=True)
    assert item.code in client.get("/staff/queue?status=accepted").get_data(as_text=True)


def test_the_officer_who_wrote_reads_afresh_on_any_worker(client, desk, clocks, built):
    """Another worker has its own entries and never heard of this write: the session's stamp, which every
    worker reads, is what makes it read the page afresh."""
    signed_in(client, desk.officer, clocks)
    client.get("/staff/queue")
    with client.session_transaction() as session:
        session[queue_rows.WROTE] = clocks.wall  # as a write through another worker leaves it
    client.get("/staff/queue")
    client.get("/staff/queue")
    assert built == ["", "", ""]
    clocks.wall += queue_rows.ROWS_SECONDS + queue_rows.CLOCK_SKEW
    client.get("/staff/queue")  # the stamp is over: the entry kept by the last read (after the write)
    assert len(built) == 3


def test_a_staff_write_to_an_item_stamps_the_session_and_no_other_write_does(client, desk, clocks):
    item = unassigned_claimable(desk)
    signed_in(client, desk.officer, clocks)  # the sign-in wrote the account and an event: no item
    with client.session_transaction() as session:
        assert queue_rows.WROTE not in session
    client.post("/staff/queue/act", data={"claim": f"feedback:{item.id}"})
    with client.session_transaction() as session:
        assert session[queue_rows.WROTE] == clocks.wall


def test_an_entry_is_one_officers_and_one_languages(app, client, desk, clocks, built):
    signed_in(client, desk.officer, clocks)
    client.get("/staff/queue")
    client.get("/staff/queue?lang=en")
    colleague = fresh_client(app, "127.0.0.2")
    signed_in(colleague, desk.colleague, clocks)
    body = colleague.get("/staff/queue").get_data(as_text=True)
    assert built == ["", "", ""]
    mine = row_of(body, next(item.code for kind, item in desk.items if item.assignee_id == desk.officer.id))
    assert 'name="release"' not in mine  # the colleague cannot release the officer's item


def test_a_search_is_never_kept(app, client, desk, clocks, built):
    signed_in(client, desk.officer, clocks)
    client.get("/staff/queue?q=Ph%E1%BA%A3n")
    client.get("/staff/queue?q=Ph%E1%BA%A3n")
    assert built == ["", ""]
    assert app.extensions.get("staff_queue_rows", {}) == {}
