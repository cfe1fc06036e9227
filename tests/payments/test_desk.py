"""Payments at the desk (issue 16 item 11): numbered e-receipts, cash shown as cash, overpayments settled
with their excess refunded. The concurrent numbering is in test_receipt_race.py, the statement's time zone in
test_statement.py."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from portal.events.models import Event
from portal.extensions import db
from portal.payments import operations, receipts
from portal.payments.models import Payment
from portal.sequences import DailySequence
from tests.support.factories import account, make_account
from tests.support.payments import payment_of, signed

RECEPTIONIST, PROCESSOR, FINANCE = "receptionist", "processor", "finance"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def pending() -> Payment:
    payment = payment_of("Hà Văn Nam")
    assert payment.status == "pending" and payment.dossier.status == 6
    return payment


def events(dossier_id: int, action: str) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.subject_type == "dossier", Event.subject_id == dossier_id, Event.action == action)
            .order_by(Event.id)
        )
    )


def page(client, url: str, method: str = "GET", **kwargs) -> tuple[int, str]:
    response = client.open(url, method=method, follow_redirects=method == "POST", **kwargs)
    text = unescape(response.get_data(as_text=True))
    response.close()
    return response.status_code, text


def words(body: str) -> str:
    """The page's text without its tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def pay_by_transfer(client, payment: Payment, amount: int, transaction_id: str = "FT-DESK-1") -> None:
    body, headers = signed(
        {"transaction_id": transaction_id, "amount": amount, "description": f"CT {payment.reference}"}
    )
    response = client.post("/webhooks/bank", data=body, headers=headers)
    assert response.status_code == 200 and response.get_json()["status"] == "matched"
    response.close()
    db.session.expire_all()


@pytest.fixture
def english(client):
    client.set_cookie("portal_lang", "en")


def last_number(series: str, year: int) -> int:
    row = db.session.get(DailySequence, (f"receipt:{series}", datetime(year, 1, 1).date()))
    return row.last_value if row else 0


# --- e-receipt numbers ----------------------------------------------------------------------------------


def test_a_settled_fee_gets_the_next_number_of_its_year_s_series(client, login, english):
    payment = pending()
    series = receipts.series_for(datetime.now(UTC))
    year = datetime.now(VN).year
    before = last_number(series, year)
    pay_by_transfer(client, payment, payment.amount_vnd)
    assert series == f"SL-{year % 100:02d}E"
    assert (payment.receipt_series, payment.receipt_number) == (series, before + 1)
    login(RECEPTIONIST)
    status, body = page(client, f"/payments/{payment.reference}/receipt")
    assert status == 200
    assert f"Series {series} · Number {before + 1:07d}" in words(body)


def test_numbers_follow_on_without_gaps_and_start_again_each_year(app):
    """Two settlements on 31 December (local) and one on 1 January: 1, 2 in the old year's series, 1 in the
    new one's. 31/12 23:30 in Sơn La is 16:30 UTC, still the old year there."""
    officer = account(RECEPTIONIST)
    first, second, third = (make_payment(n) for n in range(3))
    old_year = datetime(2031, 12, 31, 23, 30, tzinfo=VN)
    new_year = datetime(2032, 1, 1, 0, 10, tzinfo=VN)
    operations.confirm_at_counter(first, officer, "cash", "", now=old_year.astimezone(UTC))
    operations.confirm_at_counter(second, officer, "counter", "", now=old_year.astimezone(UTC))
    operations.confirm_at_counter(third, officer, "cash", "", now=new_year.astimezone(UTC))
    assert [(p.receipt_series, p.receipt_number) for p in (first, second, third)] == [
        ("SL-31E", 1),
        ("SL-31E", 2),
        ("SL-32E", 1),
    ]


def make_payment(n: int) -> Payment:
    """Another open fee of the demo dossier's kind: a copy of Hà Văn Nam's payment with its own reference."""
    template = pending()
    payment = Payment(
        reference=f"SLTEST{n:05d}X"[:12], dossier_id=template.dossier_id, amount_vnd=template.amount_vnd
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def test_a_confirmation_that_loses_keeps_no_number(app):
    payment, officer = pending(), account(RECEPTIONIST)
    operations.confirm_at_counter(payment, officer, "cash", "")
    number = payment.receipt_number
    with pytest.raises(operations.PaymentError):
        operations.confirm_at_counter(payment, officer, "cash", "")
    assert payment.receipt_number == number
    assert last_number(payment.receipt_series, datetime.now(VN).year) == number


# --- cash is cash ---------------------------------------------------------------------------------------


def test_cash_at_the_counter_is_shown_as_cash_never_vietqr(client, login, english):
    """Was: the dossier's "fees paid" line read "VietQR" whatever the method, and the receipt named the bank
    account the cash never went into."""
    payment = pending()
    login(RECEPTIONIST)
    page(client, f"/staff/payments/{payment.reference}/confirm", "POST", data={"method": "cash", "note": ""})
    db.session.expire_all()
    assert payment.method == "cash"
    [moved] = events(payment.dossier_id, "confirm_fee")
    assert moved.note == f"{payment.reference} {payment.amount_vnd} cash"  # the payment's one line
    _status, item = page(client, f"/staff/dossiers/{payment.dossier.code}")
    assert "Cash at the desk" in item and "VietQR" not in item.split("Full history")[1]
    _status, receipt = page(client, f"/payments/{payment.reference}/receipt")
    assert "Cash at the desk" in receipt and "Paid into" not in receipt


def test_confirming_the_fee_on_the_dossier_records_how_it_was_paid(client, login):
    """Was: the dossier's own "confirm fees paid" recorded every payment as a transfer checked at the desk."""
    payment = pending()
    login(RECEPTIONIST)
    code = payment.dossier.code
    page(client, f"/staff/dossiers/{code}/confirm_fee", "POST", data={"note": "", "payment_method": "cash"})
    db.session.expire_all()
    assert (payment.status, payment.method, payment.dossier.status) == ("paid", "cash", 4)
    assert payment.receipt_number is not None


def test_the_dossier_form_asks_how_the_fee_was_paid_with_nothing_chosen_in_advance(client, login):
    """Was: the dossier's form came with "cash" ticked, while the payment's counter page made the officer
    choose; a transfer confirmed without a look was recorded (and receipted) as cash."""
    payment = pending()
    login(RECEPTIONIST)
    _status, body = page(client, f"/staff/dossiers/{payment.dossier.code}")
    methods = re.findall(r'<input type="radio"[^>]*name="payment_method"[^>]*>', body)
    assert [re.search(r'value="(\w+)"', tag)[1] for tag in methods] == ["cash", "counter"]
    assert not [tag for tag in methods if "checked" in tag], methods
    assert "required" in methods[0]  # one radio required: the browser asks for a choice


NO_METHOD = "Choose how the fee was paid: cash, or a transfer checked at the desk."


def test_confirming_the_fee_on_the_dossier_without_a_method_is_refused(client, login, english):
    """Was: a post without a method was confirmed as cash."""
    payment = pending()
    login(RECEPTIONIST)
    code = payment.dossier.code
    _status, body = page(client, f"/staff/dossiers/{code}/confirm_fee", "POST", data={"note": ""})
    assert NO_METHOD in body
    db.session.expire_all()
    assert (payment.status, payment.paid_at, payment.dossier.status) == ("pending", None, 6)
    assert events(payment.dossier_id, "confirm_fee") == []


def test_confirming_at_the_counter_without_a_method_says_what_is_missing(client, login, english):
    payment = pending()
    login(RECEPTIONIST)
    _status, body = page(client, f"/staff/payments/{payment.reference}/confirm", "POST", data={"note": ""})
    assert NO_METHOD in body
    db.session.expire_all()
    assert (payment.status, payment.dossier.status) == ("pending", 6)


# --- overpayment and refund -----------------------------------------------------------------------------


def test_an_overpaid_fee_is_settled_and_its_excess_refunded_once(client, login, english):
    payment = pending()
    excess = 7000
    pay_by_transfer(client, payment, payment.amount_vnd + excess)
    assert (payment.status, payment.dossier.status) == ("overpaid", 4)
    assert payment.receipt_number is not None and payment.refund_due_vnd == excess
    login(FINANCE)
    _status, listed = page(client, "/staff/payments")
    assert "To refund to the payer:" in listed
    assert f'action="/staff/payments/{payment.reference}/refund"' in listed
    status, after = page(
        client, f"/staff/payments/{payment.reference}/refund", "POST", data={"note": "CK hoàn trả FT999"}
    )
    assert status == 200 and "Refund of" in after and payment.reference in after
    db.session.expire_all()
    assert (payment.refunded_vnd, payment.refund_due_vnd) == (excess, 0) and payment.refunded_at is not None
    [done] = events(payment.dossier_id, "refund_done")
    assert done.actor_id == payment.refunded_by_id and f"{payment.reference} {excess}" in done.note
    assert f'action="/staff/payments/{payment.reference}/refund"' not in after
    # A second click records nothing more.
    _status, again = page(client, f"/staff/payments/{payment.reference}/refund", "POST", data={"note": ""})
    assert "Nothing is left to refund" in again
    assert len(events(payment.dossier_id, "refund_done")) == 1


def test_a_credit_after_the_fee_was_paid_is_owed_back(client):
    payment = pending()
    pay_by_transfer(client, payment, payment.amount_vnd, "FT-DESK-A")
    number = payment.receipt_number
    pay_by_transfer(client, payment, 3000, "FT-DESK-B")
    assert (payment.status, payment.refund_due_vnd, payment.receipt_number) == ("overpaid", 3000, number)


def test_another_agency_may_not_mark_the_refund(client, login):
    payment = pending()
    pay_by_transfer(client, payment, payment.amount_vnd + 1000)
    login(make_account("receptionist", agency="so-y-te"))
    status, _body = page(client, f"/staff/payments/{payment.reference}/refund", "POST", data={"note": ""})
    assert status == 404
    db.session.expire_all()
    assert payment.refund_due_vnd == 1000
    assert db.session.scalar(select(func.count(Event.id)).where(Event.action == "refund_done")) == 0


def test_a_processor_may_not_mark_the_refund(client, login):
    payment = pending()
    pay_by_transfer(client, payment, payment.amount_vnd + 1000)
    login(PROCESSOR)
    status, _body = page(client, f"/staff/payments/{payment.reference}/refund", "POST", data={"note": ""})
    assert status == 403
