"""Staff side of payments: counter view, counter confirmation, unmatched credits, flagged list."""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import select

from portal.dossiers.models import Dossier
from portal.events.models import Event
from portal.extensions import db
from portal.payments.models import BankTransaction, Payment
from tests.support.factories import account, make_account
from tests.support.payments import payment_of, signed

RECEPTIONIST, PROCESSOR, LEADER = "receptionist", "processor", "leader"
AGENCY_ADMIN, ADMIN, CITIZEN = "agency_admin", "admin", "citizen"
FINANCE = "finance"
OTHER_RECEPTIONIST, OTHER_LEADER = "tiepnhan.syt@example.com", "lanhdao.syt@example.com"


# --- helpers ------------------------------------------------------------------------------------------


def pending() -> Payment:
    payment = payment_of("Hà Văn Nam")
    assert payment.status == "pending" and payment.dossier.status == 6
    return payment


def dossier_events(dossier_id: int, action: str) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event).where(
                Event.subject_type == "dossier", Event.subject_id == dossier_id, Event.action == action
            )
        )
    )


def snapshot() -> dict:
    db.session.expire_all()
    return {
        "transactions": db.session.execute(
            select(
                BankTransaction.bank_transaction_id,
                BankTransaction.state,
                BankTransaction.payment_id,
                BankTransaction.resolved_by_id,
            ).order_by(BankTransaction.id)
        ).all(),
        "payments": db.session.execute(
            select(
                Payment.reference,
                Payment.status,
                Payment.received_vnd,
                Payment.method,
            ).order_by(Payment.id)
        ).all(),
        "dossiers": db.session.execute(select(Dossier.code, Dossier.status).order_by(Dossier.id)).all(),
        "events": db.session.execute(select(Event.action).where(Event.action != "viewed").order_by(Event.id))
        .scalars()
        .all(),
    }


def request(client, method: str, url: str, **kwargs):
    response = client.open(url, method=method, **kwargs)
    response.get_data()
    response.close()
    return response


def page_text(client, url: str) -> str:
    response = request(client, "GET", url)
    assert response.status_code == 200, (url, response.status_code)
    return unescape(response.get_data(as_text=True))


def resolve(client, credit: BankTransaction, reference: str):
    return request(
        client, "POST", f"/staff/payments/unmatched/{credit.id}/resolve", data={"reference": reference}
    )


@pytest.fixture
def other_agency():
    """A receptionist and a leader of Sở Y tế (the Department of Health), not of the demo ward."""
    for email, role, name in (
        (OTHER_RECEPTIONIST, "receptionist", "Lường Thị Sen"),
        (OTHER_LEADER, "leader", "Cầm Văn Pấng"),
    ):
        make_account(role, agency="so-y-te", email=email, full_name=name)
    db.session.flush()


@pytest.fixture
def english(client):
    client.set_cookie("portal_lang", "en")


def unmatched_credit(client, amount: int, transaction_id: str = "FT-LOST-1") -> BankTransaction:
    body, headers = signed(
        {
            "transaction_id": transaction_id,
            "amount": amount,
            "description": "CHUYEN TIEN NOP LE PHI HA VAN NAM",
        }
    )
    response = client.post("/webhooks/bank", data=body, headers=headers)
    assert response.status_code == 200 and response.get_json()["status"] == "unmatched"
    response.close()
    return db.session.scalar(
        select(BankTransaction).where(BankTransaction.bank_transaction_id == transaction_id)
    )


# --- counter view ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("email", [RECEPTIONIST, PROCESSOR, LEADER, ADMIN])
def test_counter_view_for_staff_of_the_dossier_agency(client, login, email):
    payment = pending()
    login(email)
    body = page_text(client, f"/staff/payments/{payment.reference}/counter")
    assert payment.reference in body
    # The address names the version of the image (?v=), so the browser may keep it: see test_qr_caching.py.
    assert f'src="/payments/{payment.reference}/qr.svg?v=' in body and 'class="counter-qr"' in body


def test_counter_view_accepts_a_lower_case_reference(client, login):
    payment = pending()
    login(RECEPTIONIST)
    assert request(client, "GET", f"/staff/payments/{payment.reference.lower()}/counter").status_code == 200


@pytest.mark.usefixtures("other_agency")
def test_counter_view_of_another_agency_is_404(client, login):
    payment = pending()
    login(OTHER_RECEPTIONIST)
    assert request(client, "GET", f"/staff/payments/{payment.reference}/counter").status_code == 404
    # ... the same answer as a reference that does not exist: nothing tells the payment is there.
    assert request(client, "GET", "/staff/payments/SL000000000X/counter").status_code == 404


@pytest.mark.parametrize("email", [CITIZEN, AGENCY_ADMIN])
def test_counter_view_is_forbidden_to_citizens_and_other_roles(client, login, email):
    login(email)
    assert request(client, "GET", f"/staff/payments/{pending().reference}/counter").status_code == 403


def test_counter_view_sends_anonymous_visitors_to_sign_in(client):
    response = request(client, "GET", f"/staff/payments/{pending().reference}/counter")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- counter confirmation -------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["cash", "counter"])
def test_counter_confirmation_is_audited_and_moves_the_dossier_on(client, login, english, method):
    payment = pending()
    dossier_id, officer = payment.dossier_id, account(RECEPTIONIST)
    login(RECEPTIONIST)
    response = request(
        client,
        "POST",
        f"/staff/payments/{payment.reference}/confirm",
        data={"method": method, "note": "Thu tiền mặt, biên lai giấy số 0042"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/staff/payments/{payment.reference}/counter"
    )
    db.session.expire_all()
    assert (payment.status, payment.method, payment.received_vnd) == ("paid", method, payment.amount_vnd)
    assert payment.confirmed_by_id == officer.id and payment.paid_at is not None
    assert payment.note == "Thu tiền mặt, biên lai giấy số 0042"
    assert payment.dossier.status == 4 and payment.dossier.appointment_on is not None
    # One payment, one line (was three: "fee paid", "fees paid" and "SL… counter …"): the dossier's own,
    # by the officer, naming the reference, the amount and the method.
    assert (
        dossier_events(dossier_id, "payment_confirmed")
        == dossier_events(dossier_id, "payment_received")
        == []
    )
    [moved] = dossier_events(dossier_id, "confirm_fee")
    assert (moved.from_status, moved.to_status, moved.actor_id) == ("6", "4", officer.id)
    assert moved.note == f"{payment.reference} {payment.amount_vnd} {method}" and moved.is_public
    page = page_text(client, f"/staff/payments/{payment.reference}/counter")
    assert f"Payment {payment.reference} confirmed." in page
    assert "Desk note: Thu tiền mặt, biên lai giấy số 0042" in page  # staff only: no longer on the timeline
    assert f'href="/payments/{payment.reference}/receipt"' in page and 'class="counter-qr"' not in page
    assert request(client, "GET", f"/payments/{payment.reference}/receipt").status_code == 200


def test_an_underpaid_payment_can_be_completed_at_the_counter(client, login):
    payment = payment_of("Sồng A Chứ")
    assert payment.status == "underpaid"
    login(RECEPTIONIST)
    request(
        client, "POST", f"/staff/payments/{payment.reference}/confirm", data={"method": "cash", "note": ""}
    )
    db.session.expire_all()
    assert payment.status == "paid" and payment.dossier.status == 4


def test_confirming_a_paid_payment_is_refused(client, login, english):
    payment = payment_of("Quàng Thị Nga")
    assert payment.status == "paid"
    login(RECEPTIONIST)
    before = snapshot()
    response = request(
        client,
        "POST",
        f"/staff/payments/{payment.reference}/confirm",
        data={"method": "cash", "note": "lần hai"},
    )
    assert response.status_code == 302
    assert "This payment cannot be confirmed." in page_text(client, response.headers["Location"])
    assert snapshot() == before


@pytest.mark.parametrize("method", ["", "bitcoin", "transfer", "CASH"])
def test_confirming_with_an_unknown_method_is_refused(client, login, method):
    payment = pending()
    login(RECEPTIONIST)
    before = snapshot()
    response = request(
        client, "POST", f"/staff/payments/{payment.reference}/confirm", data={"method": method, "note": "x"}
    )
    assert response.status_code == 302
    assert snapshot() == before


@pytest.mark.parametrize("email, status", [(PROCESSOR, 403), (AGENCY_ADMIN, 403), (CITIZEN, 403)])
def test_only_the_desk_may_confirm(client, login, email, status):
    payment = pending()
    login(email)
    before = snapshot()
    response = request(
        client, "POST", f"/staff/payments/{payment.reference}/confirm", data={"method": "cash", "note": "x"}
    )
    assert response.status_code == status
    assert snapshot() == before


@pytest.mark.usefixtures("other_agency")
def test_another_agency_cannot_confirm(client, login):
    payment = pending()
    login(OTHER_RECEPTIONIST)
    before = snapshot()
    response = request(
        client, "POST", f"/staff/payments/{payment.reference}/confirm", data={"method": "cash", "note": "x"}
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_anonymous_cannot_confirm(client):
    before = snapshot()
    response = request(
        client, "POST", f"/staff/payments/{pending().reference}/confirm", data={"method": "cash"}
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert snapshot() == before


# --- unmatched credits ----------------------------------------------------------------------------------


def test_finance_attaches_an_unmatched_credit_by_reference(client, login, english):
    payment = pending()
    credit = unmatched_credit(client, payment.amount_vnd)
    officer = account(FINANCE)  # the province's finance officer owns the account's unmatched credits
    login(FINANCE)
    assert "FT-LOST-1" in page_text(client, "/staff/payments")
    response = request(
        client,
        "POST",
        f"/staff/payments/unmatched/{credit.id}/resolve",
        data={"reference": f"  {payment.reference.lower()} "},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/payments")
    db.session.expire_all()
    assert (credit.state, credit.payment_id, credit.resolved_by_id) == ("resolved", payment.id, officer.id)
    assert (payment.status, payment.received_vnd, payment.dossier.status) == ("paid", payment.amount_vnd, 4)
    [resolved] = dossier_events(payment.dossier_id, "credit_resolved")
    assert resolved.actor_id == officer.id and resolved.note == "FT-LOST-1"
    page = page_text(client, "/staff/payments")
    assert f"Credit attached to {payment.reference}." in page and "FT-LOST-1" not in page


def test_a_resolved_credit_cannot_be_attached_again(client, login, english):
    payment, other = pending(), payment_of("Sồng A Chứ")
    credit = unmatched_credit(client, payment.amount_vnd)
    login(FINANCE)
    resolve(client, credit, payment.reference)
    before = snapshot()
    response = request(
        client, "POST", f"/staff/payments/unmatched/{credit.id}/resolve", data={"reference": other.reference}
    )
    assert "This credit was already resolved." in page_text(client, response.headers["Location"])
    assert snapshot() == before


def test_an_unmatched_credit_of_the_wrong_amount_is_flagged_when_attached(client, login):
    payment = pending()
    credit = unmatched_credit(client, payment.amount_vnd - 5000)
    login(FINANCE)
    resolve(client, credit, payment.reference)
    db.session.expire_all()
    assert credit.state == "resolved" and payment.status == "underpaid" and payment.dossier.status == 6


@pytest.mark.parametrize("reference", ["", "SL000000000X", "khong co"])
def test_attaching_to_an_unknown_reference_changes_nothing(client, login, english, reference):
    credit = unmatched_credit(client, 20000)
    login(FINANCE)
    before = snapshot()
    response = request(
        client, "POST", f"/staff/payments/unmatched/{credit.id}/resolve", data={"reference": reference}
    )
    assert "No payment has this reference." in page_text(client, response.headers["Location"])
    assert snapshot() == before


@pytest.mark.usefixtures("other_agency")
def test_a_leader_of_another_agency_cannot_attach_to_this_agency_payment(client, login):
    payment = pending()
    credit = unmatched_credit(client, payment.amount_vnd)
    login(OTHER_LEADER)
    before = snapshot()
    assert resolve(client, credit, payment.reference).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("email", [RECEPTIONIST, PROCESSOR, LEADER, AGENCY_ADMIN])
def test_only_the_province_finance_and_admin_attach_credits(client, login, email):
    payment = pending()
    credit = unmatched_credit(client, payment.amount_vnd)
    login(email)
    before = snapshot()
    response = request(
        client,
        "POST",
        f"/staff/payments/unmatched/{credit.id}/resolve",
        data={"reference": payment.reference},
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_attaching_a_credit_that_does_not_exist_is_404(client, login):
    login(FINANCE)
    assert (
        request(
            client,
            "POST",
            "/staff/payments/unmatched/999999/resolve",
            data={"reference": pending().reference},
        ).status_code
        == 404
    )


# --- flagged list ---------------------------------------------------------------------------------------


def test_flagged_list_shows_underpaid_and_overpaid(client, login, english):
    payment, underpaid = pending(), payment_of("Sồng A Chứ")
    body, headers = signed(
        {
            "transaction_id": "FT-TOO-MUCH",
            "amount": payment.amount_vnd + 10000,
            "description": payment.reference,
        }
    )
    request(client, "POST", "/webhooks/bank", data=body, headers=headers)
    login(RECEPTIONIST)
    page = page_text(client, "/staff/payments")
    for flagged, label in ((payment, "Paid more than due"), (underpaid, "Paid less than due")):
        start = page.index(f'href="/staff/payments/{flagged.reference}/counter"')
        item = page[page.rindex("<li", 0, start) : page.index("</li>", start)]
        assert 'class="overdue"' in item and label in item and flagged.dossier.code in item, item
    assert payment_of("Quàng Thị Nga").reference not in page  # paid: nothing to do


@pytest.mark.usefixtures("other_agency")
def test_flagged_list_of_another_agency_does_not_show_these_payments(client, login):
    login(OTHER_RECEPTIONIST)
    page = page_text(client, "/staff/payments")
    for name in ("Hà Văn Nam", "Sồng A Chứ"):
        assert payment_of(name).reference not in page


@pytest.mark.parametrize("email, status", [(PROCESSOR, 403), (CITIZEN, 403), (AGENCY_ADMIN, 403)])
def test_flagged_list_is_for_the_desk(client, login, email, status):
    login(email)
    assert request(client, "GET", "/staff/payments").status_code == status
