"""The queue page's statements per request have a stated bound, whatever the role, filter or page: ONE
statement for the page (the signed-in account is kept per process: portal/accounts/loader.py), and none at
all for a page asked for again within queue_rows.ROWS_SECONDS. The page statement also reads what is shown
beside the rows (holders' names, the calendar's version token, the leader's approvals count). A look-up
added per row (an N+1) or per page fails here: the count is the same with 3 holders or 25, and with 1 row or 26."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import event

from portal.accounts import sessions
from portal.domain.roles import LEADERS
from portal.extensions import cache, db
from portal.staff import queue_rows
from tests.staff.test_queue_page import Desk, Statements
from tests.support.clients import sign_in
from tests.support.dossiers import make_dossier
from tests.support.factories import make_account
from tests.support.feedback import make_item

# The page. Nothing else on a warm page (the account is kept per process, counts and dropdowns are cached
# per agency; the calendar is kept per process under the token the page statement read).
BOUND = 1
ADDRESSES = (
    "/staff/queue",
    "/staff/queue?status=accepted",
    "/staff/queue?status=4",
    "/staff/queue?costly=1",
    "/staff/queue?overdue=1",
    "/staff/queue?mine=1",
    "/staff/queue?unassigned=1",
    "/staff/queue?kind=dossier",
    "/staff/queue?approval=1",
    "/staff/queue?q=Ph%E1%BA%A3n",
    "/staff/queue?status=nonsense",
)


@pytest.fixture(autouse=True)
def _empty_cache(app):
    with app.app_context():
        cache.clear()


@pytest.fixture
def desk(app) -> Desk:
    return Desk()


def sign_in_fully(client, account) -> None:
    """Signed in with the second step done, as production's staff are (a session without it reads the
    account's second factor and the sign-in policy on each request: portal.accounts, not the queue)."""
    sign_in(client, account)
    with client.session_transaction() as session:
        session[sessions.SECOND_FACTOR_PASSED] = True


def next_page(body: str) -> str | None:
    found = re.search(r'class="button secondary" href="(/staff/queue\?[^"]*after=[^"]+)"', body)
    return html.unescape(found[1]) if found else None


def statements_of(client, address: str) -> tuple[list[str], str]:
    """The statements of `address` once everything shared is warm but its rows are not kept."""
    client.get(address)  # warm: the account, the agency's counts, the dropdowns, the built calendar
    queue_rows.clear()  # the page statement itself is what is measured
    with Statements(db.engine) as seen:
        response = client.get(address)
    assert response.status_code == 200, address
    return list(seen), response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["processor", "leader", "agency_admin", "admin"])
def test_every_queue_request_runs_at_most_the_bound(client, desk, role):
    officer = (
        desk.officer
        if role == "processor"
        else make_account(role, agency=None if role == "admin" else desk.agency)
    )
    sign_in_fully(client, officer)
    for address in ADDRESSES:
        seen, body = statements_of(client, address)
        empty = '<span class="q-code"><a ' not in body
        # A leader's empty page counts the approvals on its own (no row carries the count).
        bound = BOUND + (role in LEADERS and empty)
        assert len(seen) <= bound, (address, [sql[:90] for sql in seen])
        assert sum("calendar_version" in sql and "page" not in sql for sql in seen) == 0, (address, seen)
        assert not any(sql.startswith("SELECT accounts.id, accounts.full_name") for sql in seen), (
            address,
            seen,
        )
    body = client.get("/staff/queue").get_data(as_text=True)
    following = next_page(body)
    assert following is not None  # 34 open items: a second page
    seen, _body = statements_of(client, following)
    assert len(seen) <= BOUND, seen


def test_the_count_does_not_grow_with_the_rows_or_their_holders(client, desk):
    """25 more items, each held by another colleague: the same statements, every name shown."""
    sign_in_fully(client, desk.officer)
    before, _body = statements_of(client, "/staff/queue?status=accepted")
    colleagues = [
        make_account("processor", agency=desk.agency, full_name=f"Cán bộ <số {n}> & Co") for n in range(25)
    ]
    for n, colleague in enumerate(colleagues):
        if n % 2:
            item = make_item(agency=desk.agency.slug, title=f"Thêm {n}")
            item.status = "accepted"
        else:
            item = make_dossier(name=f"Người nộp thêm {n}")
            item.agency_id, item.status = desk.agency.id, 4
        item.assignee_id = colleague.id
    db.session.flush()
    for address in ("/staff/queue?status=accepted", "/staff/queue", "/staff/queue?status=4"):
        seen, body = statements_of(client, address)
        assert len(seen) <= BOUND, (address, seen)
    shown = set()
    for address in ("/staff/queue", "/staff/queue?status=accepted", "/staff/queue?status=4"):
        while address:
            body = client.get(address).get_data(as_text=True)
            shown |= set(re.findall(r'<span class="q-holder">.*?</span>([^<]*)</span>', body))
            address = next_page(body)
    names = {html.unescape(name) for name in shown}
    assert "Cán bộ <số 0> & Co" in names and "&lt;số" in "".join(shown)  # escaped in the page
    assert {colleague.full_name for colleague in colleagues} <= names


def test_a_leaders_approvals_count_is_read_with_the_page(client, desk):
    leader = make_account("leader", agency=desk.agency)
    waiting = [item for kind, item in desk.items if kind == "dossier" and item.status == 4][:1]
    for dossier in waiting:
        dossier.result_proposed = True
    db.session.flush()
    sign_in_fully(client, leader)
    seen, body = statements_of(client, "/staff/queue?lang=en")
    assert len(seen) <= BOUND, seen
    expected = sum(
        1
        for kind, item in desk.items
        if kind == "dossier" and item.queue_due is not None and item.status == 4 and item.result_proposed
    )
    assert expected >= 1
    seen, empty = statements_of(client, "/staff/queue?status=nonsense&lang=en")
    # no row to carry it: counted on its own
    assert len(seen) <= BOUND + 1 and any("result_proposed" in sql for sql in seen), seen
    assert re.search(r"Awaiting my approval[^<]*\((\d+)\)", body)[1] == str(expected)
    assert re.search(r"Awaiting my approval[^<]*\((\d+)\)", empty)[1] == str(expected)


def test_the_page_statement_fits_the_drivers_parse_cache(client, desk):
    """psycopg parses a statement of MAX_CACHED_STATEMENT_LENGTH characters or more again on every execution
    (page 1 was 5,498): page 1, a later page and both kinds of status stay under it. The conditions' values
    stay parameters: a literal rank in the WHERE clause let PostgreSQL's generic plan for the prepared
    statement read every open item of the agency."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's parse cache: PostgreSQL only")
    from psycopg import _queries

    sign_in_fully(client, desk.officer)
    body = client.get("/staff/queue").get_data(as_text=True)
    addresses = ["/staff/queue", next_page(body), "/staff/queue?status=accepted", "/staff/queue?status=4"]
    for address in addresses:
        assert address is not None
        client.get(address)  # warm
        queue_rows.clear()
        raw: list[str] = []

        def note(conn, cursor, statement, parameters, context, executemany, raw=raw):
            if "queue_due" in statement:
                raw.append(statement)

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            assert client.get(address).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        assert len(raw) == 1, address
        assert len(raw[0]) < _queries.MAX_CACHED_STATEMENT_LENGTH, (address, len(raw[0]))
        assert "agency_id = %(agency_id)s" in raw[0], address
        if "status=" not in address and "after=" not in address:
            assert "queue_rank >= %(" in raw[0], raw[0]


def test_a_page_asked_for_again_runs_no_statement(client, desk, monkeypatch):
    """The account and the page's rows are kept: the same page within ROWS_SECONDS reads nothing."""
    sign_in_fully(client, desk.officer)
    later = queue_rows.wall_clock() + queue_rows.ROWS_SECONDS + queue_rows.CLOCK_SKEW
    monkeypatch.setattr(queue_rows, "wall_clock", lambda: later)  # past the sign-in's own write stamp
    for address in ("/staff/queue", "/staff/queue?status=accepted", "/staff/queue?status=4"):
        client.get(address)
        with Statements(db.engine) as seen:
            assert client.get(address).status_code == 200
        assert list(seen) == [], address
