"""The signed bank webhook (/webhooks/bank): authentication, idempotency, matching, flags, e-receipts.

Most tests run on the shared, rolled-back app. Secret rotation and the five concurrent deliveries run
against an app of their own on a throwaway database (a SQLite file, or a fresh PostgreSQL database
with TEST_DATABASE_URL), because concurrent requests need real commits on separate connections.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from portal.dossiers.models import Dossier
from portal.events.models import Event
from portal.extensions import db
from portal.payments import routes as webhook_routes
from portal.payments.models import BankTransaction, Payment
from tests.conftest import build_app, migrate_and_seed
from tests.support.clients import sign_in
from tests.support.databases import throwaway_database
from tests.support.payments import SECRET, payment_of, signed

URL = "/webhooks/bank"
NEW_SECRET = "rotated-webhook-secret-" + "n" * 24
OLD_SECRET = "previous-webhook-secret-" + "o" * 24


# --- helpers ------------------------------------------------------------------------------------------


def pending() -> Payment:
    payment = payment_of("Hà Văn Nam")
    assert payment.status == "pending" and payment.dossier.status == 6
    return payment


def events(dossier_id: int, action: str | None = None) -> int:
    query = select(func.count(Event.id)).where(
        Event.subject_type == "dossier", Event.subject_id == dossier_id
    )
    if action:
        query = query.where(Event.action == action)
    return db.session.scalar(query)


def paid_lines(dossier_id: int) -> int:
    """The lines saying the fee was paid: the dossier's own "fees paid" when the payment moved it on, else
    the payment's; never both (one payment, one line)."""
    return sum(
        events(dossier_id, action) for action in ("payment_received", "confirm_fee", "payment_confirmed")
    )


def snapshot() -> dict:
    """Everything a webhook call could change."""
    db.session.expire_all()
    return {
        "transactions": db.session.execute(
            select(
                BankTransaction.bank_transaction_id,
                BankTransaction.state,
                BankTransaction.payment_id,
                BankTransaction.amount_vnd,
            ).order_by(BankTransaction.id)
        ).all(),
        "payments": db.session.execute(
            select(
                Payment.reference,
                Payment.status,
                Payment.received_vnd,
                Payment.paid_at,
            ).order_by(Payment.id)
        ).all(),
        "dossiers": db.session.execute(select(Dossier.code, Dossier.status).order_by(Dossier.id)).all(),
        # A refused call leaves its audit line (tests/payments/test_refusals.py) and nothing else.
        "events": db.session.scalar(select(func.count(Event.id)).where(Event.action != "webhook_refused")),
    }


def refusal_events() -> list[Event]:
    return list(db.session.scalars(select(Event).where(Event.action == "webhook_refused").order_by(Event.id)))


def post(client, body: bytes, headers: dict):
    response = client.post(URL, data=body, headers=headers)
    response.get_data()
    response.close()
    return response


def deliver(client, data: dict, **kwargs):
    body, headers = signed(data, **kwargs)
    return post(client, body, headers)


def credit(transaction_id: str, amount: int, description: str, **extra) -> dict:
    return {"transaction_id": transaction_id, "amount": amount, "description": description, **extra}


def rows(transaction_id: str) -> int:
    return db.session.scalar(
        select(func.count(BankTransaction.id)).where(BankTransaction.bank_transaction_id == transaction_id)
    )


def get(client, url: str, **kwargs):
    """GET and close the response (its body stays readable): no unclosed streams, no ResourceWarning."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def signature(secret: str, stamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()


# --- authentication: 401 and nothing changes ----------------------------------------------------------


def _bad_requests(reference: str, amount: int, now: int) -> dict:
    body, headers = signed(credit("FT-AUTH-1", amount, f"CT {reference}"), timestamp=now)
    cases = {}
    cases["bad signature"] = (body, {**headers, "X-Portal-Signature": "0" * 64})
    stamp = int(headers["X-Portal-Timestamp"])
    cases["signature of another body"] = (
        body,
        {**headers, "X-Portal-Signature": signature(SECRET, str(stamp), b"{}")},
    )
    cases["wrong secret"] = signed(json.loads(body), secret="wrong-secret-" + "w" * 30, timestamp=stamp)
    cases["empty signature"] = (body, {**headers, "X-Portal-Signature": ""})
    cases["no signature header"] = (body, {k: v for k, v in headers.items() if k != "X-Portal-Signature"})
    cases["no timestamp header"] = (body, {k: v for k, v in headers.items() if k != "X-Portal-Timestamp"})
    cases["no headers at all"] = (body, {"Content-Type": "application/json"})
    cases["timestamp changed after signing"] = (body, {**headers, "X-Portal-Timestamp": str(now + 1)})
    cases["signature without the timestamp"] = (
        body,
        {**headers, "X-Portal-Signature": hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()},
    )
    cases["timestamp not a number"] = (
        body,
        {**headers, "X-Portal-Timestamp": "soon", "X-Portal-Signature": signature(SECRET, "soon", body)},
    )
    cases["negative timestamp"] = (
        body,
        {**headers, "X-Portal-Timestamp": "-1", "X-Portal-Signature": signature(SECRET, "-1", body)},
    )
    cases["301 s old"] = signed(json.loads(body), timestamp=now - 301)
    cases["301 s in the future"] = signed(json.loads(body), timestamp=now + 301)
    cases["an hour old"] = signed(json.loads(body), timestamp=now - 3600)
    for position in (0, len(body) // 2, len(body) - 1):  # one changed byte: first, middle, last
        changed = bytearray(body)
        changed[position] ^= 0x01
        cases[f"byte {position} changed"] = (bytes(changed), headers)
    cases["one byte appended"] = (body + b" ", headers)
    cases["amount changed"] = (body.replace(str(amount).encode(), str(amount * 10).encode()), headers)
    return cases


CASES = list(_bad_requests("SL000000000X", 20000, 0))  # the names only; built per test with the real values


@pytest.fixture
def frozen_clock(monkeypatch) -> int:
    """The webhook's clock stands still at a whole second, so a case 301 s from it stays 301 s from it.

    Without it a slow machine (over a second between signing and checking) moved "301 s in the future" inside
    the window and the test failed by chance (CI, 2026-12-05); only the route's clock is frozen.
    """
    now = int(time.time())
    monkeypatch.setattr(webhook_routes, "time", SimpleNamespace(time=lambda: float(now)))
    return now


@pytest.mark.parametrize("case", CASES)
def test_unauthenticated_call_is_refused_and_changes_nothing(client, frozen_clock, case):
    payment = pending()
    body, headers = _bad_requests(payment.reference, payment.amount_vnd, frozen_clock)[case]
    before, audited = snapshot(), len(refusal_events())
    response = post(client, body, headers)
    assert response.status_code == 401, (case, response.status_code)
    assert response.get_json() == {"error": "unauthorized"}
    assert snapshot() == before
    assert len(refusal_events()) == audited + 1


def test_superscript_timestamp_is_refused_not_a_server_error(client):
    body, headers = signed(credit("FT-AUTH-2", 1000, "x"))
    response = post(
        client,
        body,
        {**headers, "X-Portal-Timestamp": "²", "X-Portal-Signature": signature(SECRET, "²", body)},
    )
    assert response.status_code == 401


def test_timestamp_within_the_window_is_accepted(client, frozen_clock):
    for offset in (-300, -299, 299, 300):
        response = deliver(
            client, credit(f"FT-WINDOW{offset}", 5000, "chuyen tien"), timestamp=frozen_clock + offset
        )
        assert response.status_code == 200, offset


def test_upper_case_signature_is_accepted(client):
    body, headers = signed(credit("FT-UPPER-SIG", 5000, "chuyen tien"))
    response = post(client, body, {**headers, "X-Portal-Signature": headers["X-Portal-Signature"].upper()})
    assert response.status_code == 200


# --- a valid call ---------------------------------------------------------------------------------------


def test_valid_call_pays_and_moves_the_dossier_on(client):
    payment = pending()
    dossier_id = payment.dossier_id
    received_before = paid_lines(dossier_id)
    response = deliver(
        client,
        credit(
            "FT-OK-1",
            payment.amount_vnd,
            f"MBVCB.1.{payment.reference}.CT tu HA VAN NAM",
            account_number="113366668888",
            occurred_at="2026-11-23T10:15:00+07:00",
        ),
    )
    assert response.status_code == 200
    assert response.get_json() == {"status": "matched", "duplicate": False, "reference": payment.reference}
    db.session.expire_all()
    assert (payment.status, payment.received_vnd, payment.method) == ("paid", payment.amount_vnd, "transfer")
    assert payment.paid_at is not None and payment.dossier.status == 4
    assert paid_lines(dossier_id) == received_before + 1 and events(dossier_id, "confirm_fee") == 1
    row = db.session.scalar(select(BankTransaction).where(BankTransaction.bank_transaction_id == "FT-OK-1"))
    assert (row.state, row.source, row.payment_id, row.amount_vnd) == (
        "matched",
        "webhook",
        payment.id,
        payment.amount_vnd,
    )
    assert row.occurred_at is not None and row.occurred_at.utcoffset().total_seconds() == 0
    assert row.occurred_at.hour == 3  # 10:15 in Vietnam is 03:15 UTC


def test_same_notification_twice_is_one_payment(client):
    payment = pending()
    data = credit("FT-TWICE", payment.amount_vnd, payment.reference)
    first = deliver(client, data)
    second = deliver(client, data)
    assert first.status_code == second.status_code == 200
    assert first.get_json()["duplicate"] is False and second.get_json()["duplicate"] is True
    assert second.get_json()["status"] == "matched" and second.get_json()["reference"] == payment.reference
    db.session.expire_all()
    assert rows("FT-TWICE") == 1 and payment.received_vnd == payment.amount_vnd and payment.status == "paid"
    assert paid_lines(payment.dossier_id) == 1


# --- matching ---------------------------------------------------------------------------------------------

DESCRIPTIONS = {
    "as written": lambda r: r,
    "lower case": lambda r: r.lower(),
    "bank upper-cased the memo": lambda r: f"mbvcb.8855.{r.lower()}.ct tu ha van nam".upper(),
    "spaces dropped, text glued on": lambda r: f"CTTU0912345678{r}HAVANNAMNOPLEPHI",
    "spaces inside the code": lambda r: f"Nop le phi {r[:4]} {r[4:8]} {r[8:]} cho ho so",
    "hyphens and dots": lambda r: f"LE PHI {r[:2]}-{r[2:7]}.{r[7:]} / HA VAN NAM",
    "Vietnamese text around it": lambda r: f"Nộp lệ phí đăng ký thường trú {r} – Hà Văn Nam",
    "after another long number": lambda r: f"IBFT 970415113366668888 {r}",
}


@pytest.mark.parametrize("variant", list(DESCRIPTIONS))
def test_reference_is_found_in_what_the_bank_sends(client, variant):
    payment = pending()
    description = DESCRIPTIONS[variant](payment.reference)
    response = deliver(client, credit("FT-FIND-1", payment.amount_vnd, description))
    assert response.status_code == 200
    assert response.get_json()["status"] == "matched", description
    assert response.get_json()["reference"] == payment.reference
    db.session.expire_all()
    assert payment.status == "paid" and payment.dossier.status == 4


def test_a_mistyped_reference_is_not_matched_to_anyone(client):
    payment = pending()
    before = snapshot()
    last = payment.reference[-1]
    typo = payment.reference[:-1] + ("0" if last != "0" else "1")
    response = deliver(client, credit("FT-TYPO", payment.amount_vnd, f"CT {typo}"))
    assert response.status_code == 200 and response.get_json()["status"] == "unmatched"
    after = snapshot()
    assert after["payments"] == before["payments"] and after["dossiers"] == before["dossiers"]


@pytest.mark.parametrize("delta, status", [(-1, "underpaid"), (-1000, "underpaid")])
def test_less_than_the_fee_is_flagged_not_paid(client, delta, status):
    payment = pending()
    dossier_id = payment.dossier_id
    response = deliver(client, credit("FT-AMOUNT", payment.amount_vnd + delta, payment.reference))
    assert response.status_code == 200 and response.get_json()["status"] == "matched"
    db.session.expire_all()
    assert payment.status == status and payment.received_vnd == payment.amount_vnd + delta
    assert payment.paid_at is None and payment.dossier.status == 6
    assert events(dossier_id, "payment_received") == 0 and events(dossier_id, "confirm_fee") == 0


@pytest.mark.parametrize("delta", [1, 50000])
def test_more_than_the_fee_settles_it_and_records_the_excess(client, delta):
    """Issue 16 item 11 (was: flagged and the dossier left waiting for its fee): the fee is paid, the dossier
    moves on, and the excess is recorded for a refund."""
    payment = pending()
    dossier_id = payment.dossier_id
    response = deliver(client, credit("FT-AMOUNT", payment.amount_vnd + delta, payment.reference))
    assert response.status_code == 200 and response.get_json()["status"] == "matched"
    db.session.expire_all()
    assert payment.status == "overpaid" and payment.received_vnd == payment.amount_vnd + delta
    assert payment.paid_at is not None and payment.dossier.status == 4
    assert (payment.excess_vnd, payment.refund_due_vnd) == (delta, delta)
    assert paid_lines(dossier_id) == 1 and events(dossier_id, "confirm_fee") == 1
    assert events(dossier_id, "payment_overpaid") == 1


def test_the_rest_of_an_underpayment_pays(client):
    payment = pending()
    deliver(client, credit("FT-PART-1", payment.amount_vnd - 5000, payment.reference))
    deliver(client, credit("FT-PART-2", 5000, payment.reference))
    db.session.expire_all()
    assert payment.status == "paid" and payment.dossier.status == 4


def test_a_paid_reference_paid_again_is_flagged_and_the_dossier_is_not_touched_twice(client):
    payment = payment_of("Quàng Thị Nga")
    assert payment.status == "paid" and payment.dossier.status == 4
    dossier_id = payment.dossier_id
    counts = {action: events(dossier_id, action) for action in ("payment_received", "confirm_fee")}
    dossier_before = (payment.dossier.status, payment.dossier.appointment_on, len(payment.dossier.pauses))
    response = deliver(client, credit("FT-AGAIN", payment.amount_vnd, f"CT {payment.reference}"))
    assert response.status_code == 200 and response.get_json()["status"] == "matched"
    db.session.expire_all()
    assert payment.status == "overpaid" and payment.received_vnd == 2 * payment.amount_vnd
    dossier = payment.dossier
    assert (dossier.status, dossier.appointment_on, len(dossier.pauses)) == dossier_before
    assert {action: events(dossier_id, action) for action in counts} == counts


def test_a_paid_reference_paid_again_keeps_its_receipt(client):
    sign_in_desk(client)  # the receipt names the payer: the agency's staff (or the citizen) only
    payment = payment_of("Quàng Thị Nga")
    deliver(client, credit("FT-AGAIN-2", payment.amount_vnd, payment.reference))
    assert get(client, f"/payments/{payment.reference}/receipt").status_code == 200
    assert 'class="pay-qr"' not in get(client, f"/payments/{payment.reference}").get_data(as_text=True)


def test_an_overpaid_reference_does_not_ask_for_another_payment(client):
    payment = pending()
    deliver(client, credit("FT-OVER", payment.amount_vnd + 10000, payment.reference))
    db.session.expire_all()
    assert payment.status == "overpaid"
    body = get(client, f"/payments/{payment.reference}").get_data(as_text=True)
    assert 'class="pay-qr"' not in body and "download=1" not in body


def test_unknown_reference_is_answered_200_and_kept_unmatched(client):
    before = snapshot()
    response = deliver(client, credit("FT-UNKNOWN", 35000, "CHUYEN TIEN LE PHI SL000000000X NGUYEN VAN A"))
    assert response.status_code == 200
    assert response.get_json() == {"status": "unmatched", "duplicate": False, "reference": None}
    row = db.session.scalar(
        select(BankTransaction).where(BankTransaction.bank_transaction_id == "FT-UNKNOWN")
    )
    assert (row.state, row.payment_id, row.amount_vnd) == ("unmatched", None, 35000)
    after = snapshot()
    assert after["payments"] == before["payments"] and after["dossiers"] == before["dossiers"]
    again = deliver(client, credit("FT-UNKNOWN", 35000, "CHUYEN TIEN LE PHI SL000000000X NGUYEN VAN A"))
    assert again.get_json() == {"status": "unmatched", "duplicate": True, "reference": None}
    assert rows("FT-UNKNOWN") == 1


def test_a_credit_to_another_account_is_not_paid(client):
    payment = pending()
    response = deliver(
        client,
        credit("FT-OTHER-ACCOUNT", payment.amount_vnd, payment.reference, account_number="999988887777"),
    )
    assert response.status_code == 200 and response.get_json()["status"] == "unmatched"
    db.session.expire_all()
    assert payment.status == "pending" and payment.dossier.status == 6


# --- malformed bodies with a valid signature: 400, no row -------------------------------------------

MALFORMED = {
    "not JSON": b"{transaction_id: FT-BAD",
    "not UTF-8": b'{"transaction_id": "FT-BAD", "amount": 20000, "description": "\xff\xfe"}',
    "empty body": b"",
    "a JSON list": b"[]",
    "JSON null": b"null",
    "no transaction_id": {"amount": 20000, "description": "x"},
    "empty transaction_id": {"transaction_id": "", "amount": 20000, "description": "x"},
    "no amount": {"transaction_id": "FT-BAD", "description": "x"},
    "amount not a number": {"transaction_id": "FT-BAD", "amount": "hai muoi nghin", "description": "x"},
    "amount zero": {"transaction_id": "FT-BAD", "amount": 0, "description": "x"},
    "amount negative": {"transaction_id": "FT-BAD", "amount": -20000, "description": "x"},
    "amount null": {"transaction_id": "FT-BAD", "amount": None, "description": "x"},
    "occurred_at not a date": {
        "transaction_id": "FT-BAD",
        "amount": 20000,
        "description": "x",
        "occurred_at": "hôm qua",
    },
}
MALFORMED_BUGS = {
    "amount with a fraction": (
        {"transaction_id": "FT-BAD", "amount": 20000.5, "description": "x"},
        "int(20000.5) silently becomes 20000 (and pays a 20,000 fee)",
    ),
    "amount true": (
        {"transaction_id": "FT-BAD", "amount": True, "description": "x"},
        "int(True) is stored as a 1-dong credit",
    ),
    "transaction_id null": (
        {"transaction_id": None, "amount": 20000, "description": "x"},
        "str(None) is stored as the bank id 'None', so every later null id is a 'duplicate'",
    ),
}


def _check_malformed(client, data) -> None:
    body, headers = signed(data if isinstance(data, bytes) else json.dumps(data).encode())
    before, audited = snapshot(), len(refusal_events())
    response = post(client, body, headers)
    assert response.status_code == 400, response.status_code
    answer = response.get_json()
    assert answer["error"] == "malformed" and answer["reason"], answer
    assert set(answer) == {"error", "reason"}
    assert snapshot() == before
    assert len(refusal_events()) == audited + 1


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_body_with_a_valid_signature_is_400_and_no_row(client, case):
    _check_malformed(client, MALFORMED[case])


@pytest.mark.parametrize("case", [pytest.param(name) for name, (_data, why) in MALFORMED_BUGS.items()])
def test_malformed_values_that_python_coerces_are_400_too(client, case):
    _check_malformed(client, MALFORMED_BUGS[case][0])


# --- pages of a paid reference ------------------------------------------------------------------------


def test_paid_reference_page_links_the_e_receipt(client):
    sign_in_desk(client)  # the receipt names the payer: the agency's staff (or the citizen) only
    payment = pending()
    assert get(client, f"/payments/{payment.reference}/receipt").status_code == 404  # not paid yet
    deliver(client, credit("FT-RECEIPT", payment.amount_vnd, payment.reference))
    for lang in ("vi", "en"):
        page = get(client, f"/payments/{payment.reference}?lang={lang}")
        body = page.get_data(as_text=True)
        assert page.status_code == 200 and f'lang="{lang}"' in body
        assert f'href="/payments/{payment.reference}/receipt"' in body
        assert 'class="pay-qr"' not in body  # nothing more to pay
        receipt = get(client, f"/payments/{payment.reference}/receipt?lang={lang}")
        text = receipt.get_data(as_text=True)
        assert receipt.status_code == 200 and f'lang="{lang}"' in text
        assert payment.reference in text and payment.dossier.code in text and "Hà Văn Nam" in text
    english = get(client, f"/payments/{payment.reference}/receipt?lang=en").get_data(as_text=True)
    assert "Bank transfer (VietQR)" in english


def test_receipt_of_an_unpaid_reference_is_404(client):
    for name in ("Hà Văn Nam", "Sồng A Chứ"):  # pending, underpaid
        payment = payment_of(name)
        assert payment.status in ("pending", "underpaid")
        assert get(client, f"/payments/{payment.reference}/receipt").status_code == 404


def test_demo_paid_reference_has_a_receipt(client):
    sign_in_desk(client)  # the receipt names the payer: the agency's staff (or the citizen) only
    payment = payment_of("Quàng Thị Nga")
    assert get(client, f"/payments/{payment.reference}/receipt").status_code == 200
    assert f'href="/payments/{payment.reference}/receipt"' in get(
        client, f"/payments/{payment.reference}"
    ).get_data(as_text=True)


def test_unknown_or_check_invalid_references_are_404(client):
    payment = pending()
    last = payment.reference[-1]
    typo = payment.reference[:-1] + ("0" if last != "0" else "1")
    swapped = payment.reference[:3] + payment.reference[4] + payment.reference[3] + payment.reference[5:]
    unknown = "SL000000000X"  # check-valid? whatever it is, no payment has it
    for reference in (typo, swapped, unknown, "SL", "x" * 40, "SL5G2EQ7QNK%3F"):
        if reference == payment.reference:
            continue
        for suffix in ("", ".json", "/receipt", "/qr.png", "/qr.svg"):
            assert get(client, f"/payments/{reference}{suffix}").status_code == 404, (reference, suffix)


# --- an app of its own: secret rotation and concurrent deliveries --------------------------------------


@pytest.fixture(scope="module")
def own_app(tmp_path_factory):
    """A separately migrated and seeded app with two webhook secrets (new first, then the previous one)."""
    folder = tmp_path_factory.mktemp("webhook-instance")
    with throwaway_database(folder, "webhook") as url:
        application = build_app(folder, url, bank_webhook_secrets=(NEW_SECRET, OLD_SECRET))
        migrate_and_seed(application)
        yield application
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_previous_secret_is_accepted_during_a_rotation(own_app):
    client = own_app.test_client()
    assert deliver(client, credit("FT-ROT-NEW", 5000, "chuyen tien"), secret=NEW_SECRET).status_code == 200
    assert deliver(client, credit("FT-ROT-OLD", 5000, "chuyen tien"), secret=OLD_SECRET).status_code == 200
    assert deliver(client, credit("FT-ROT-GONE", 5000, "chuyen tien"), secret=SECRET).status_code == 401
    with own_app.app_context():
        assert rows("FT-ROT-NEW") == rows("FT-ROT-OLD") == 1 and rows("FT-ROT-GONE") == 0
        db.session.remove()


def _at_once(application, body: bytes, headers: dict, count: int = 5) -> list:
    """POST the same request from `count` threads released together; returns (status, json) per thread."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        client = application.test_client()
        try:
            barrier.wait(timeout=30)
            response = client.post(URL, data=body, headers=headers)
            results[index] = (response.status_code, response.get_json(silent=True))
            response.close()
        except Exception as error:  # reported by the assertions below, not as a thread warning
            results[index] = ("exception", repr(error))

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads), "a delivery hung"
    return results


def test_five_concurrent_deliveries_make_one_payment(own_app):
    with own_app.app_context():
        payment = pending()
        reference, amount, dossier_id = payment.reference, payment.amount_vnd, payment.dossier_id
        db.session.remove()
    body, headers = signed(
        credit("FT-CONCURRENT", amount, f"MBVCB.77.{reference}.CT tu HA VAN NAM"), secret=NEW_SECRET
    )
    results = _at_once(own_app, body, headers)
    assert [status for status, _ in results] == [200] * 5, results
    assert sorted(data["duplicate"] for _, data in results) == [False, True, True, True, True], results
    assert all(data["status"] == "matched" and data["reference"] == reference for _, data in results), results
    with own_app.app_context():
        assert rows("FT-CONCURRENT") == 1
        assert paid_lines(dossier_id) == 1
        assert events(dossier_id, "confirm_fee") == 1
        payment = db.session.scalar(select(Payment).where(Payment.reference == reference))
        assert (payment.status, payment.received_vnd, payment.dossier.status) == ("paid", amount, 4)
        db.session.remove()


def test_concurrent_deliveries_of_unmatched_credits_store_one_row_each(own_app):
    for round_ in range(3):
        transaction_id = f"FT-CONCURRENT-UNMATCHED-{round_}"
        body, headers = signed(
            credit(transaction_id, 12000 + round_, "chuyen tien khong ma"), secret=OLD_SECRET
        )
        results = _at_once(own_app, body, headers)
        assert [status for status, _ in results] == [200] * 5, results
        assert sorted(data["duplicate"] for _, data in results) == [False, True, True, True, True], results
        with own_app.app_context():
            assert rows(transaction_id) == 1
            db.session.remove()


def sign_in_desk(client):
    sign_in(client, "receptionist")


def test_the_receipt_is_not_public(client, app):
    payment = db.session.scalar(select(Payment).where(Payment.paid_at.is_not(None)))
    stranger = app.test_client()
    assert get(stranger, f"/payments/{payment.reference}/receipt").status_code == 404
