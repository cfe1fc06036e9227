"""The VietQR bank account kept in the database by the province admin: it replaces the environment's
VIETQR_* settings on every payment QR and payment page once saved (portal.payments.operations.current_bank)."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from portal.domain.vietqr import parse_payload
from portal.extensions import db
from portal.payments.bank_account import VietQRAccount
from portal.payments.models import Payment
from tests.support.admin import ADMIN, account, body, change, errors, events, fresh_client, signed_in

NEW = {"bank_bin": "970436", "account_number": "0011001234567", "account_name": "UBND TINH SON LA"}


def pending_payment() -> Payment:
    payment = db.session.scalar(
        select(Payment).where(Payment.status == "pending").order_by(Payment.id).limit(1)
    )
    assert payment is not None
    return payment


def scanned(client, payment: Payment):
    response = client.get(f"/payments/{payment.reference}/qr.png")
    assert response.status_code == 200
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.get_data())))
    response.close()
    assert len(results) == 1
    fields = parse_payload(results[0].text)
    assert fields.warnings == ()
    assert (fields.amount, fields.reference) == (payment.amount_vnd, payment.reference)
    return fields


def rows() -> int:
    return db.session.scalar(select(func.count(VietQRAccount.id)))


def test_saving_the_account_changes_the_qr_payload_and_the_payment_page(app):
    payment = pending_payment()
    citizen = fresh_client(app)
    settings = app.config["PORTAL_SETTINGS"].bank
    before = scanned(citizen, payment)
    assert (before.bin, before.account) == (settings.bin, settings.number)  # the environment's, while no row

    response = signed_in(app, ADMIN).post(
        "/staff/admin/bank", data={**NEW, "account_name": "ubnd tinh son la"}
    )
    assert response.status_code == 302
    after = scanned(citizen, payment)
    assert (after.bin, after.account) == ("970436", "0011001234567")
    page = body(citizen.get(f"/payments/{payment.reference}?lang=en"))
    # The page names the bank of BIN 970436 (issue 18 item 7: from the NAPAS list, no longer the bare BIN).
    assert "0011001234567" in page and "Vietcombank" in page and settings.number not in page
    data = citizen.get(f"/payments/{payment.reference}.json").get_json()
    assert (data["fields"]["bin"], data["fields"]["account"]) == ("970436", "0011001234567")

    stored = db.session.get(VietQRAccount, 1)
    assert (stored.bank_bin, stored.account_number, stored.account_name) == (
        "970436",
        "0011001234567",
        "UBND TINH SON LA",
    )  # the name upper-cased
    assert stored.updated_by_id == account(ADMIN).id
    [event] = events("vietqr_account", 1, "bank_account_updated")
    assert change(event) == {
        "before": {"bank_bin": settings.bin, "account_number": settings.number, "source": "environment"},
        "after": {"bank_bin": "970436", "account_number": "0011001234567", "source": "database"},
    }


def test_a_second_change_updates_the_same_row(app):
    client = signed_in(app, ADMIN)
    client.post("/staff/admin/bank", data=NEW).close()
    assert client.post("/staff/admin/bank", data={**NEW, "account_number": "99887766"}).status_code == 302
    assert rows() == 1
    assert db.session.get(VietQRAccount, 1).account_number == "99887766"
    first, second = events("vietqr_account", 1)
    assert change(second) == {
        "before": {"account_number": "0011001234567", "source": "database"},
        "after": {"account_number": "99887766", "source": "database"},
    }
    # saving the same values again changes nothing and writes nothing
    client.post("/staff/admin/bank", data={**NEW, "account_number": "99887766"}).close()
    assert len(events("vietqr_account", 1)) == 2


def test_credits_are_matched_against_the_saved_account(app):
    from portal.payments.operations import Credit, record_credit

    payment = pending_payment()
    signed_in(app, ADMIN).post("/staff/admin/bank", data=NEW).close()
    settings = app.config["PORTAL_SETTINGS"].bank
    old, _new = record_credit(
        Credit("T-OLD-1", payment.amount_vnd, f"LE PHI {payment.reference}", account_number=settings.number),
        "webhook",
    )
    assert old.state == "unmatched"  # the environment's account is no longer the fee account
    matched, _new = record_credit(
        Credit("T-NEW-1", payment.amount_vnd, f"LE PHI {payment.reference}", account_number="0011001234567"),
        "webhook",
    )
    assert matched.state == "matched"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"bank_bin": "97041"}, "The BIN has exactly 6 digits, for example 970415."),
        ({"bank_bin": "97041a"}, "The BIN has exactly 6 digits, for example 970415."),
        ({"bank_bin": ""}, "Enter the bank's BIN."),
        ({"account_number": "0011 0012"}, "Use 1 to 19 letters or digits, without spaces."),
        ({"account_number": "1" * 20}, "Use 1 to 19 letters or digits, without spaces."),
        ({"account_number": "001-100"}, "Use 1 to 19 letters or digits, without spaces."),
        (
            {"account_name": "UBND TỈNH SƠN LA"},
            "Use at most 50 capital letters without accents, digits, spaces, dots, commas or hyphens.",
        ),
        (
            {"account_name": "A" * 51},
            "Use at most 50 capital letters without accents, digits, spaces, dots, commas or hyphens.",
        ),
        ({"account_name": ""}, "Enter the account name."),
    ],
)
def test_bad_input_stores_nothing(app, overrides, message):
    payment = pending_payment()
    response = signed_in(app, ADMIN).post("/staff/admin/bank?lang=en", data={**NEW, **overrides})
    assert response.status_code == 400
    assert errors(response) == [message]
    assert rows() == 0
    assert events("vietqr_account", 1) == []
    fields = scanned(fresh_client(app), payment)
    assert fields.account == app.config["PORTAL_SETTINGS"].bank.number


def test_the_page_says_where_the_account_comes_from(app):
    client = signed_in(app, ADMIN)
    assert "VIETQR_BANK_BIN" in body(client.get("/staff/admin/bank?lang=en"))
    client.post("/staff/admin/bank", data=NEW).close()
    page = body(client.get("/staff/admin/bank?lang=en"))
    assert "Saved here by an administrator" in page and 'value="0011001234567"' in page
