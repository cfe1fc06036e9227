"""Refused bank notifications are audited (issue 9 item 12), one line per source address and minute with a
count, never the unauthenticated body, and a flood of refusals cannot flood the audit log."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.db_types import utcnow
from portal.events.models import Event
from portal.extensions import db
from portal.payments import refusals
from portal.payments.models import WebhookRefusal
from tests.support.clients import sign_in
from tests.support.payments import signed

URL = "/webhooks/bank"
PRIVATE = "NGUYEN VAN BI MAT 0912345678"  # would be personal data if the body were stored


def refused_events() -> list[Event]:
    db.session.expire_all()
    return list(db.session.scalars(select(Event).where(Event.action == "webhook_refused").order_by(Event.id)))


def forged(client, address: str = "203.0.113.7", body: bytes | None = None):
    body = (
        body or json.dumps({"transaction_id": "FT-FORGED", "amount": 20000, "description": PRIVATE}).encode()
    )
    response = client.post(
        URL,
        data=body,
        environ_base={"REMOTE_ADDR": address},
        headers={
            "Content-Type": "application/json",
            "X-Portal-Timestamp": "1",
            "X-Portal-Signature": "0" * 64,
        },
    )
    response.close()
    return response


def test_a_refused_call_is_audited_with_reason_and_address_but_not_the_body(client):
    body = json.dumps({"transaction_id": "FT-FORGED", "amount": 20000, "description": PRIVATE}).encode()
    assert forged(client, body=body).status_code == 401
    [event] = refused_events()
    assert (event.subject_type, event.ip_address, event.actor_id) == ("bank_webhook", "203.0.113.7", None)
    assert event.note.startswith("stale_timestamp; 203.0.113.7;") and f"{len(body)} bytes" in event.note
    assert PRIVATE not in event.note and "FT-FORGED" not in event.note and len(event.note) < 120


@pytest.mark.parametrize(
    "headers, reason",
    [
        ({}, "missing_signature"),
        ({"X-Portal-Timestamp": "soon", "X-Portal-Signature": "00"}, "bad_timestamp"),
        ({"X-Portal-Timestamp": "NOW", "X-Portal-Signature": "0" * 64}, "bad_signature"),
    ],
)
def test_each_kind_of_refusal_names_its_reason(client, headers, reason):
    import time

    headers = {key: (str(int(time.time())) if value == "NOW" else value) for key, value in headers.items()}
    response = client.post(URL, data=b"{}", headers={"Content-Type": "application/json", **headers})
    response.close()
    assert response.status_code == 401
    [event] = refused_events()
    assert event.note.startswith(f"{reason};")


def test_a_malformed_signed_body_is_audited_with_its_reason(client):
    body, headers = signed({"transaction_id": "FT-X", "amount": 10**16, "description": PRIVATE})
    response = client.post(URL, data=body, headers=headers)
    response.close()
    assert response.status_code == 400
    [event] = refused_events()
    assert event.note.startswith("amount_too_large;") and PRIVATE not in event.note


def test_a_flood_from_one_address_is_one_audit_line_with_the_count(client):
    for _ in range(50):
        assert forged(client).status_code == 401
    [event] = refused_events()
    row = db.session.get(WebhookRefusal, event.subject_id)
    assert (row.source, row.count, row.last_reason) == ("203.0.113.7", 50, "stale_timestamp")


def test_each_address_and_each_minute_gets_its_own_line(app):
    now = utcnow().replace(second=30)
    for minute in (0, 1):
        for address in ("203.0.113.7", "198.51.100.9", "203.0.113.7"):
            refusals.record_refusal("bad_signature", address, b"{}", now + timedelta(minutes=minute))
    events = refused_events()
    assert len(events) == 4
    counts = sorted((row.source, row.count) for row in db.session.scalars(select(WebhookRefusal)))
    assert counts == [("198.51.100.9", 1), ("198.51.100.9", 1), ("203.0.113.7", 2), ("203.0.113.7", 2)]


def test_one_ipv6_subscriber_is_one_source(app):
    for host in range(1, 40):
        refusals.record_refusal("bad_signature", f"2001:db8:1:2::{host:x}", b"{}")
    refusals.record_refusal("bad_signature", "::ffff:203.0.113.7", b"{}")
    [first, second] = refused_events()
    assert "2001:db8:1:2::/64" in first.note and "; 203.0.113.7;" in second.note


def test_many_addresses_at_once_are_bounded_per_minute(app, monkeypatch):
    monkeypatch.setattr(refusals, "MAX_SOURCES_PER_MINUTE", 5)
    now = utcnow()
    for host in range(1, 200):
        refusals.record_refusal("bad_signature", f"192.0.2.{host}", b"{}", now)
    assert len(refused_events()) == 6  # five addresses, then one line for all the others
    overflow = db.session.scalar(select(WebhookRefusal).where(WebhookRefusal.source == refusals.OVERFLOW))
    assert overflow.count == 199 - 5


def test_the_audit_log_shows_refused_notifications_to_the_province_admin(client):
    for _ in range(3):
        forged(client)
    assert sign_in(client, "admin")
    client.set_cookie("portal_lang", "en")
    response = client.get("/staff/audit?action=webhook_refused")
    page = response.get_data(as_text=True)
    response.close()
    assert response.status_code == 200
    assert "Refused bank notifications" in page and "203.0.113.7: 3 refused in this minute" in page


def test_a_leader_does_not_see_them(client):
    forged(client)
    assert sign_in(client, "leader")
    response = client.get("/staff/audit?action=webhook_refused")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="audit-list"' not in page and "203.0.113.7" not in page
    response.close()


def test_a_failing_audit_never_turns_a_refusal_into_a_500(client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def broken(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr("portal.payments.routes.record_refusal", broken)
    assert forged(client).status_code == 401
