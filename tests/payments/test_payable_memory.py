"""The QR images' short memory of what is payable (portal/payments/payable_cache.py, issue 17).

The rule: the same reference asked for again within `STALE_SECONDS` (5 s) runs no SQL. A change this process
makes to a payment or to the fee account, however it is made (a route, an ORM flush, a raw UPDATE, a
rollback), shows at once: a paid or cancelled reference is a 404 from the next request on. A change another
process makes shows within 5 s: tested with two app instances on one database, the clock moved by hand.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import event, select, text

from portal.extensions import db
from portal.payments import payable_cache
from portal.payments.models import Payment
from tests.conftest import build_app, migrate_and_seed
from tests.support.clocks import Clock, replace_clock
from tests.support.databases import throwaway_database
from tests.support.payments import payment_of, signed

STALE = payable_cache.STALE_SECONDS


@pytest.fixture
def fake_clock(monkeypatch) -> Clock:
    """Starts at the real reading (so what earlier tests kept is no younger than it really is), then moves
    only when told."""
    return replace_clock(monkeypatch, payable_cache, time.monotonic())


@pytest.fixture
def clock(app, fake_clock) -> Clock:
    """The fake clock, and the suite app's memory emptied (what earlier tests kept is on the real clock)."""
    app.extensions[payable_cache.EXTENSION].forget_all()
    return fake_clock


@pytest.fixture
def statements(app):
    """SQL statements sent through the app's engine (a before_cursor_execute listener)."""
    sent: list[str] = []

    def count(conn, cursor, statement, *args):
        sent.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    yield sent
    event.remove(engine, "before_cursor_execute", count)


def get(client, url: str, **kwargs):
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def pending() -> Payment:
    payment = payment_of("Hà Văn Nam")
    assert payment.status == "pending"
    return payment


# --- the same reference again: no SQL -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_the_same_image_again_within_the_bound_runs_no_sql(client, clock, statements, kind):
    url = f"/payments/{pending().reference}/qr.{kind}"
    first = get(client, url)
    assert first.status_code == 200
    statements.clear()
    clock.now += STALE - 0.5
    again = get(client, url)
    revalidated = get(client, url, headers={"If-None-Match": first.headers["ETag"]})
    assert (again.status_code, revalidated.status_code) == (200, 304)
    assert again.data == first.data
    assert statements == []


def test_after_the_bound_the_database_is_asked_again(client, clock, statements):
    url = f"/payments/{pending().reference}/qr.png"
    assert get(client, url).status_code == 200
    clock.now += STALE
    statements.clear()
    assert get(client, url).status_code == 200
    assert len([s for s in statements if "payments" in s]) == 1


def test_an_unknown_reference_is_remembered_too(client, clock, statements):
    url = "/payments/SL000000000X/qr.png"
    assert get(client, url).status_code == 404
    statements.clear()
    assert get(client, url).status_code == 404
    assert statements == []


# --- a change made by this process shows at once -------------------------------------------------------------


def test_paid_by_the_bank_here_is_a_404_at_once(client, clock):
    payment = pending()
    url = f"/payments/{payment.reference}/qr.png"
    assert get(client, url).status_code == 200
    body, headers = signed(
        {"transaction_id": "FT-MEMORY-PAID", "amount": payment.amount_vnd, "description": payment.reference}
    )
    assert client.post("/webhooks/bank", data=body, headers=headers).status_code == 200
    assert get(client, url).status_code == 404  # the clock has not moved
    assert get(client, url.replace(".png", ".svg")).status_code == 404


def test_a_raw_update_here_is_seen_at_once(client, clock):
    payment = pending()
    url = f"/payments/{payment.reference}/qr.png"
    assert get(client, url).status_code == 200
    db.session.execute(text("UPDATE payments SET status = 'cancelled' WHERE id = :id"), {"id": payment.id})
    assert get(client, url).status_code == 404


def test_an_underpayment_here_shows_the_rest_at_once(client, clock):
    payment = pending()
    url = f"/payments/{payment.reference}/qr.png"
    before = get(client, url)
    body, headers = signed(
        {
            "transaction_id": "FT-MEMORY-PART",
            "amount": payment.amount_vnd - 1000,
            "description": payment.reference,
        }
    )
    assert client.post("/webhooks/bank", data=body, headers=headers).status_code == 200
    after = get(client, url)
    assert after.status_code == 200 and after.data != before.data  # asks for the 1,000 đ still due
    assert after.headers["ETag"] != before.headers["ETag"]


def test_a_rolled_back_change_is_forgotten_too(client, clock):
    payment = pending()
    url = f"/payments/{payment.reference}/qr.png"
    assert get(client, url).status_code == 200
    savepoint = db.session.begin_nested()
    payment.status = "cancelled"
    db.session.flush()
    assert get(client, url).status_code == 404  # seen inside the transaction that made it
    savepoint.rollback()
    assert db.session.scalar(select(Payment.status).where(Payment.id == payment.id)) == "pending"
    assert get(client, url).status_code == 200  # not the 404 read before the rollback


def test_a_read_that_raced_a_write_is_not_kept(app, clock):
    memory = payable_cache.ShortMemory[str](seconds=STALE)

    def slow_read(key: str) -> str:
        memory.forget_all()  # a write committed while this read was on its way
        return "old"

    assert memory.get("R", slow_read) == "old"
    assert memory.get("R", lambda key: "new") == "new"  # read again, not the raced answer


def test_the_memory_is_bounded_oldest_out_first(clock):
    memory = payable_cache.ShortMemory[str](seconds=STALE, size=3)
    for key in "ABCD":
        memory.get(key, str.lower)
    assert list(memory.entries) == ["B", "C", "D"]


# --- a change made by another process shows within the bound -----------------------------------------------


@pytest.fixture
def two_nodes(tmp_path):
    """Two app instances on one database, as two gunicorn workers or two nodes: separate engines and memories."""
    with throwaway_database(tmp_path, "nodes") as url:
        first = build_app(tmp_path / "a", url)
        migrate_and_seed(first)
        second = build_app(tmp_path / "b", url)
        yield first, second
        for node in (first, second):
            with node.app_context():
                db.session.remove()
                db.engine.dispose()


def test_another_node_sees_a_payment_paid_here_within_the_bound(two_nodes, fake_clock):
    clock = fake_clock
    here, there = two_nodes
    with here.app_context():
        payment = pending()
        reference, amount = payment.reference, payment.amount_vnd
        db.session.remove()
    url = f"/payments/{reference}/qr.png"
    here_client, there_client = here.test_client(), there.test_client()
    assert get(here_client, url).status_code == 200
    assert get(there_client, url).status_code == 200  # remembered there from now
    body, headers = signed({"transaction_id": "FT-NODES", "amount": amount, "description": reference})
    assert here_client.post("/webhooks/bank", data=body, headers=headers).status_code == 200
    assert get(here_client, url).status_code == 404  # at once where it was paid
    clock.now += STALE - 0.5
    assert get(there_client, url).status_code == 200  # the stated staleness: still served there ...
    clock.now += 0.5
    assert get(there_client, url).status_code == 404  # ... and never longer than STALE_SECONDS
