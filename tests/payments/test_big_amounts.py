"""No bank credit is ever lost (issue 9 item 3): 64-bit money on SQLite and PostgreSQL; absurd amounts refused
with their reason (webhook: 400 JSON; statement: a translated message naming the line), never a 500.

On PostgreSQL the 32-bit columns answered 500 to a signed 2,147,483,648 notification (the bank retries forever,
nothing stored) and lost a whole statement over one 3.000.000.000 line.
"""

from __future__ import annotations

import io
from html import unescape

import pytest
from sqlalchemy import func, select

from portal.dossiers.models import Dossier
from portal.events.models import Event
from portal.extensions import db
from portal.payments.amounts import MAX_CREDIT_VND
from portal.payments.models import BankTransaction, Payment
from tests.support.payments import signed

FINANCE = "finance"
HEADER = "transaction_id,date,amount,description\n"
INT32_OVERFLOW = 2_147_483_648


def pending() -> Payment:
    payment = db.session.scalar(select(Payment).join(Dossier).where(Dossier.applicant_name == "Hà Văn Nam"))
    assert payment.status == "pending" and payment.dossier.status == 6
    return payment


def stored(transaction_id: str) -> BankTransaction | None:
    db.session.expire_all()
    return db.session.scalar(
        select(BankTransaction).where(BankTransaction.bank_transaction_id == transaction_id)
    )


def deliver(client, data: dict):
    body, headers = signed(data)
    response = client.post("/webhooks/bank", data=body, headers=headers)
    response.close()
    return response


def credits() -> int:
    return db.session.scalar(select(func.count(BankTransaction.id)))


def import_statement(client, login, text: str) -> str:
    login(FINANCE)
    client.set_cookie("portal_lang", "en")
    response = client.post(
        "/staff/payments/statement",
        content_type="multipart/form-data",
        data={"statement": (io.BytesIO(text.encode()), "sao-ke.csv")},
    )
    assert response.status_code == 302, response.status_code
    response.close()
    page = client.get("/staff/payments")
    text = unescape(page.get_data(as_text=True))
    page.close()
    return text


# --- webhook --------------------------------------------------------------------------------------------


def test_a_2_147_483_648_credit_naming_a_reference_is_stored_and_flagged_overpaid(client):
    payment = pending()
    response = deliver(
        client,
        {"transaction_id": "FT-BIG-1", "amount": INT32_OVERFLOW, "description": f"CT {payment.reference}"},
    )
    assert response.status_code == 200, response.status_code
    assert response.get_json() == {"status": "matched", "duplicate": False, "reference": payment.reference}
    row = stored("FT-BIG-1")
    assert (row.amount_vnd, row.state, row.payment_id) == (INT32_OVERFLOW, "matched", payment.id)
    # Issue 16 item 11: more than the fee settles it (the dossier moves on) and the excess is owed back.
    assert (payment.status, payment.received_vnd, payment.dossier.status) == ("overpaid", INT32_OVERFLOW, 4)
    assert payment.refund_due_vnd == INT32_OVERFLOW - payment.amount_vnd


def test_a_2_147_483_648_credit_without_a_reference_waits_unmatched(client):
    response = deliver(
        client, {"transaction_id": "FT-BIG-2", "amount": INT32_OVERFLOW, "description": "CHUYEN TIEN"}
    )
    assert response.status_code == 200 and response.get_json()["status"] == "unmatched"
    assert (stored("FT-BIG-2").amount_vnd, stored("FT-BIG-2").state) == (INT32_OVERFLOW, "unmatched")


def test_a_fee_above_32_bits_is_paid_exactly(client):
    payment = pending()
    payment.amount_vnd = payment.dossier.fee_vnd = 2_500_000_000
    db.session.flush()
    response = deliver(
        client,
        {"transaction_id": "FT-BIG-3", "amount": "2500000000", "description": f"CT {payment.reference}"},
    )
    assert response.status_code == 200 and response.get_json()["status"] == "matched"
    db.session.expire_all()
    assert (payment.status, payment.received_vnd, payment.dossier.status) == ("paid", 2_500_000_000, 4)


def test_the_largest_credit_accepted_is_10_to_the_15(client):
    response = deliver(client, {"transaction_id": "FT-MAX", "amount": MAX_CREDIT_VND, "description": "x"})
    assert response.status_code == 200 and stored("FT-MAX").amount_vnd == 10**15


@pytest.mark.parametrize(
    "amount, reason",
    [
        (MAX_CREDIT_VND + 1, "amount_too_large"),
        (10**30, "amount_too_large"),
        (2**63, "amount_too_large"),
        ("1000000000000000000000", "amount_too_large"),
        (0, "amount_not_positive"),
        (-INT32_OVERFLOW, "amount_not_positive"),
        ("-5000", "amount_not_positive"),
        (2_147_483_648.5, "amount_not_whole_dong"),
        (1e16, "amount_not_whole_dong"),
        ("1e9", "amount_not_whole_dong"),
        ("3.000.000.000", "amount_not_whole_dong"),
        (True, "amount_not_whole_dong"),
        (None, "amount_not_whole_dong"),
        ([20000], "amount_not_whole_dong"),
    ],
)
def test_an_absurd_amount_is_refused_400_with_its_reason_and_nothing_stored(client, amount, reason):
    before = (
        credits(),
        db.session.scalar(select(func.count(Event.id)).where(Event.action != "webhook_refused")),
    )
    response = deliver(
        client, {"transaction_id": "FT-ABSURD", "amount": amount, "description": pending().reference}
    )
    assert response.status_code == 400
    assert response.get_json() == {"error": "malformed", "reason": reason}
    assert stored("FT-ABSURD") is None
    assert (
        credits(),
        db.session.scalar(select(func.count(Event.id)).where(Event.action != "webhook_refused")),
    ) == before
    assert pending().status == "pending"


# --- statement ------------------------------------------------------------------------------------------


def test_a_3_000_000_000_statement_line_is_stored_with_the_rest(client, login):
    payment = pending()
    page = import_statement(
        client,
        login,
        HEADER
        + f"ST-BIG-1,2026-11-23,{payment.amount_vnd},CT {payment.reference}\n"
        + 'ST-BIG-2,2026-11-23,"3.000.000.000",CHUYEN TIEN KHONG MA\n'
        + "ST-BIG-3,2026-11-23,3000000000,CHUYEN TIEN KHONG MA 2\n",
    )
    assert "3 new credits, 0 already known." in page
    assert (stored("ST-BIG-2").amount_vnd, stored("ST-BIG-2").state) == (3_000_000_000, "unmatched")
    assert stored("ST-BIG-3").amount_vnd == 3_000_000_000
    db.session.expire_all()
    assert (payment.status, payment.dossier.status) == ("paid", 4)


def test_a_3_000_000_000_statement_line_naming_a_reference_is_matched(client, login):
    payment = pending()
    import_statement(client, login, HEADER + f'ST-BIG-4,2026-11-23,"3.000.000.000",CT {payment.reference}\n')
    row = stored("ST-BIG-4")
    assert (row.state, row.payment_id, row.amount_vnd) == ("matched", payment.id, 3_000_000_000)
    assert (payment.status, payment.received_vnd) == ("overpaid", 3_000_000_000)


@pytest.mark.parametrize(
    "amount, message",
    [
        (
            '"1.000.000.000.000.001"',
            "Line 3: the amount is above 1,000,000,000,000,000\u00a0₫, which no fee payment can "
            "be; check the file with the bank.",
        ),
        ("99999999999999999999999", "Line 3: the amount is above"),
        ("-3000000000", "Line 3: the amount must be more than 0 dong."),
        ("0", "Line 3: the amount must be more than 0 dong."),
        ("3000000000.00", "Line 3: the amount is not a whole number of dong."),
    ],
)
def test_a_statement_with_an_absurd_line_is_refused_naming_the_line(client, login, amount, message):
    payment = pending()
    before = credits()
    page = import_statement(
        client,
        login,
        HEADER
        + f"ST-ABS-1,2026-11-23,{payment.amount_vnd},{payment.reference}\n"
        + f"ST-ABS-2,2026-11-23,{amount},CT\n",
    )
    assert "Lines 3 are not valid; nothing was imported." in page and message in page, page[-2500:]
    assert credits() == before and pending().status == "pending"


def test_the_line_message_is_translated(client, login):
    login(FINANCE)
    client.set_cookie("portal_lang", "vi")
    client.post(
        "/staff/payments/statement",
        content_type="multipart/form-data",
        data={
            "statement": (
                io.BytesIO((HEADER + 'ST-ABS-3,2026-11-23,"1.000.000.000.000.001",CT\n').encode()),
                "s.csv",
            )
        },
    ).close()
    page = client.get("/staff/payments")
    text = unescape(page.get_data(as_text=True))
    page.close()
    assert "Dòng 2" in text and "1.000.000.000.000.000" in text, text[-2500:]
