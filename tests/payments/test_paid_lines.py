"""What people read once a fee is paid (demo walk-through, December 2026): one line on the dossier's timeline
per payment, in one wording and without method codes; the bank's own time where the payer needs when the
money was paid; the e-receipt linked only for those who may open it, and no transfer instructions left."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from html import unescape

import pytest

from portal.dossiers.operations import secret_token
from portal.extensions import db
from portal.i18n import local_datetime
from portal.payments.models import Payment
from tests.support.payments import payment_of, signed

FINANCE, RECEPTIONIST = "finance", "receptionist"
# The stored codes: a Vietnamese page never shows them (in English "transfer" is also a word).
CODES = re.compile(r"\b(counter|cash|transfer|payment_received|payment_confirmed|confirm_fee)\b")


def text(client, url: str, method: str = "GET", **kwargs) -> str:
    response = client.open(url, method=method, follow_redirects=True, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    body = unescape(response.get_data(as_text=True))
    response.close()
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def history(page: str) -> str:
    """The timeline part of a dossier page, after its heading ("History", "Full history", in Vietnamese
    "Quá trình xử lý", "Toàn bộ quá trình xử lý")."""
    return re.split("[Hh]istory|[Qq]uá trình xử lý", page, maxsplit=1)[1]


def pending() -> Payment:
    payment = payment_of("Hà Văn Nam")
    assert payment.status == "pending" and payment.dossier.status == 6
    return payment


def as_the_citizen(client, payment: Payment) -> None:
    dossier = payment.dossier
    response = client.get(f"/dossiers/t/{dossier.code}/{secret_token(dossier)}")
    assert response.status_code == 302
    response.close()


def by_transfer(client, payment: Payment, transaction_id: str = "FT-LINE-1") -> None:
    body, headers = signed(
        {
            "transaction_id": transaction_id,
            "amount": payment.amount_vnd,
            "description": f"CT {payment.reference}",
        }
    )
    response = client.post("/webhooks/bank", data=body, headers=headers)
    assert response.status_code == 200 and response.get_json()["status"] == "matched"
    response.close()
    db.session.expire_all()


def statement(client, lines: str) -> None:
    data = ("transaction_id,date,amount,description\n" + lines).encode()
    response = client.post(
        "/staff/payments/statement",
        data={"statement": (io.BytesIO(data), "sao-ke.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    response.close()
    db.session.expire_all()


# --- one payment, one line --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "label", "method"),
    [("en", "Fees paid", "Bank transfer (VietQR)"), ("vi", "Đã nộp phí, lệ phí", "Chuyển khoản (VietQR)")],
)
def test_a_bank_transfer_is_one_line_of_the_citizens_timeline(client, language, label, method):
    """Was two lines, "Fee paid" (reference and amount) then "Fees paid" (the method)."""
    payment = pending()
    by_transfer(client, payment)
    client.set_cookie("portal_lang", language)
    as_the_citizen(client, payment)
    lines = history(text(client, f"/dossiers/{payment.dossier.code}"))
    assert lines.count(label) == 1 and "Fee paid " not in lines
    amount = f"{payment.amount_vnd:,}".replace(",", "." if language == "vi" else ",")
    assert f"{label} {payment.reference} · {amount} ₫ · {method}" in lines
    assert f"{payment.reference} {payment.amount_vnd}" not in lines
    if language == "vi":
        assert not CODES.search(lines)


@pytest.mark.parametrize(
    ("method", "label"),
    [("cash", "Tiền mặt tại Bộ phận một cửa"), ("counter", "Chuyển khoản đã kiểm tra tại quầy")],
)
def test_a_counter_confirmation_is_one_line_with_no_code_on_the_staff_timeline(client, login, method, label):
    """Was three lines on the staff page, the third "SL… counter Đã xem giao dịch…" (the code, the note)."""
    payment = pending()
    login(RECEPTIONIST)
    client.set_cookie("portal_lang", "vi")
    text(
        client,
        f"/staff/payments/{payment.reference}/confirm",
        "POST",
        data={"method": method, "note": "Đã xem"},
    )
    lines = history(text(client, f"/staff/dossiers/{payment.dossier.code}"))
    assert lines.count("Đã nộp phí, lệ phí") == 1 and "Xác nhận nộp phí" not in lines
    assert f"{payment.reference} · " in lines and label in lines
    assert not CODES.search(lines) and "Đã xem" not in lines  # the desk's note stays on the payment


def test_the_desk_forms_name_the_methods_from_the_payment_labels(client, login):
    payment = pending()
    login(RECEPTIONIST)
    client.set_cookie("portal_lang", "vi")
    counter = text(client, f"/staff/payments/{payment.reference}/counter")
    item = text(client, f"/staff/dossiers/{payment.dossier.code}")
    for page in (counter, item):
        assert "Tiền mặt tại Bộ phận một cửa" in page and "Chuyển khoản đã kiểm tra tại quầy" in page


# --- the bank's time ----------------------------------------------------------------------------------------


def test_unmatched_transfers_show_when_the_bank_says_they_were_made(client, login):
    """Was the import's time ("07:34" for a line the bank dated 08:12); a line with a date alone shows it."""
    login(FINANCE)
    client.set_cookie("portal_lang", "vi")
    statement(client, "ST-T1,2026-11-23 08:12:00,45000,KHONG GHI MA\nST-T2,22/11/2026,30000,CUNG KHONG\n")
    page = text(client, "/staff/payments")
    assert "45.000 ₫ · 23/11/2026 08:12 · ST-T1" in page
    assert "30.000 ₫ · 22/11/2026 · ST-T2" in page and "22/11/2026 00:00" not in page
    assert local_datetime(datetime.now(UTC)) not in page.split("ST-T1")[0]


def test_the_receipt_of_a_statement_line_is_dated_by_the_bank(client, login):
    payment = pending()
    login(FINANCE)
    statement(client, f"ST-T3,2026-11-23 08:12:00,{payment.amount_vnd},{payment.reference}\n")
    assert payment.status == "paid" and payment.paid_at.date() != datetime(2026, 11, 23).date()
    citizen = client.application.test_client()  # the dossier's citizen, by the receipt's private link
    citizen.set_cookie("portal_lang", "en")
    as_the_citizen(citizen, payment)
    receipt = text(citizen, f"/payments/{payment.reference}/receipt")
    assert "Paid on 23/11/2026 08:12" in receipt


# --- the paid payment page ----------------------------------------------------------------------------------


def test_a_visitor_with_the_reference_sees_it_paid_and_no_receipt_link(client):
    """Was: an "E-receipt" link answering 404, and "write the payment reference exactly…" after the payment."""
    payment = pending()
    by_transfer(client, payment)
    client.set_cookie("portal_lang", "en")
    response = client.get(f"/payments/{payment.reference}")
    body = unescape(response.get_data(as_text=True))
    response.close()
    assert "This fee has been paid." in body and "there is nothing more to do" in body
    assert f"/payments/{payment.reference}/receipt" not in body
    assert "write the payment reference exactly" not in body and "data-copy" not in body
    assert client.get(f"/payments/{payment.reference}/receipt").status_code == 404


def test_the_citizen_sees_the_receipt_link_and_it_opens(client):
    payment = pending()
    by_transfer(client, payment)
    client.set_cookie("portal_lang", "vi")
    as_the_citizen(client, payment)
    response = client.get(f"/payments/{payment.reference}")
    body = response.get_data(as_text=True)
    response.close()
    assert f'href="/payments/{payment.reference}/receipt"' in body
    assert "Hồ sơ của bạn được tiếp tục xử lý, bạn không cần làm gì thêm." in unescape(body)
    assert client.get(f"/payments/{payment.reference}/receipt").status_code == 200
