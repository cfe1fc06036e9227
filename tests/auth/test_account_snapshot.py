"""The signed-in account kept per process for a few seconds (portal/accounts/loader.py): any change this
process makes to an account applies to the very next request (disable, role, agency, password); a change
made elsewhere applies within SNAPSHOT_SECONDS; a repeated request reads no account at all."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from portal.accounts import loader, sessions
from portal.extensions import cache, db
from portal.staff import queue_rows
from tests.support.clients import sign_in
from tests.support.clocks import Clock, replace_clock
from tests.support.factories import make_account, make_agency
from tests.support.feedback import make_item


@pytest.fixture(autouse=True)
def _empty_caches(app):
    with app.app_context():
        cache.clear()
        queue_rows.clear()


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return replace_clock(monkeypatch, loader, 1_000.0)


@pytest.fixture
def officer(app):
    agency = make_agency()
    make_item(agency=agency.slug, title="Hố ga vỡ trước cổng trường")
    return make_account("processor", agency=agency)


def signed_in(client, account) -> None:
    sign_in(client, account)
    with client.session_transaction() as session:
        session[sessions.SECOND_FACTOR_PASSED] = True


def account_reads(client, address: str) -> tuple[int, int]:
    """(status, statements that read a whole account) of one request."""
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if "accounts.password_hash" in statement:  # a whole account read (the loader)
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        status = client.get(address).status_code
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return status, len(seen)


def test_a_repeated_request_reads_no_account_and_one_after_the_period(client, officer, clock):
    signed_in(client, officer)
    assert client.get("/staff/queue").status_code == 200
    assert account_reads(client, "/staff/queue") == (200, 0)
    clock.now += loader.SNAPSHOT_SECONDS
    assert account_reads(client, "/staff/queue") == (200, 1)


def test_a_disabled_officer_is_refused_on_the_next_request(client, officer, clock):
    signed_in(client, officer)
    assert client.get("/staff/queue").status_code == 200
    officer.is_enabled = False  # even without a new session version
    db.session.flush()
    response = client.get("/staff/queue")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_new_session_version_ends_the_session_at_once(client, officer, clock):
    signed_in(client, officer)
    assert client.get("/staff/queue").status_code == 200
    officer.session_version += 1  # a password change, a reset, "sign out everywhere"
    db.session.flush()
    response = client.get("/staff/queue")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_role_change_applies_on_the_next_request(client, officer, clock):
    signed_in(client, officer)
    assert client.get("/staff/queue").status_code == 200
    officer.role, officer.agency_id = "citizen", None
    db.session.flush()
    assert client.get("/staff/queue").status_code == 403


def test_an_officer_moved_to_another_agency_sees_only_its_items_at_once(client, officer, clock):
    signed_in(client, officer)
    assert "Hố ga vỡ trước cổng trường" in client.get("/staff/queue").get_data(as_text=True)
    other = make_agency()
    make_item(agency=other.slug, title="Đèn đường tắt cả tuần")
    officer.agency_id = other.id
    db.session.flush()
    body = client.get("/staff/queue").get_data(as_text=True)
    assert "Đèn đường tắt cả tuần" in body and "Hố ga vỡ trước cổng trường" not in body


def test_a_change_made_elsewhere_applies_within_the_period(client, officer, clock):
    """Another worker or node disabled the account: this process never saw the write (no ORM event here),
    so its snapshot answers until SNAPSHOT_SECONDS have passed, and not a moment longer."""
    signed_in(client, officer)
    assert client.get("/staff/queue").status_code == 200
    db.session.connection().execute(
        text("UPDATE accounts SET is_enabled = false WHERE id = :id"), {"id": officer.id}
    )
    clock.now += loader.SNAPSHOT_SECONDS - 1
    assert client.get("/staff/queue").status_code == 200
    clock.now += 1
    response = client.get("/staff/queue")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
