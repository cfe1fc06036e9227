"""Fee requested → VietQR page → signed bank notification → paid → the dossier moves on."""

import io

import zxingcpp
from PIL import Image
from sqlalchemy import select

from portal.domain.dossier_status import DossierAction
from portal.domain.vietqr import parse_payload
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.payments.models import BankTransaction, Payment
from tests.support.payments import signed


def fee_requested_dossier():
    """The demo dossier waiting for fees (status 6) with a payment still pending."""
    dossier = db.session.scalar(
        select(Dossier).where(Dossier.status == 6, Dossier.applicant_name == "Hà Văn Nam")
    )
    payment = db.session.scalar(select(Payment).where(Payment.dossier_id == dossier.id))
    return dossier, payment


def test_request_fee_creates_a_reference_for_the_server_amount(app):
    dossier, payment = fee_requested_dossier()
    assert payment.status == "pending" and payment.amount_vnd == dossier.fee_vnd > 0


def test_png_qr_decodes_to_the_right_payload(client, app):
    _dossier, payment = fee_requested_dossier()
    response = client.get(f"/payments/{payment.reference}/qr.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.data)))
    fields = parse_payload(barcode.text)
    settings = app.config["PORTAL_SETTINGS"]
    assert (fields.bin, fields.account, fields.amount, fields.reference) == (
        settings.bank.bin,
        settings.bank.number,
        payment.amount_vnd,
        payment.reference,
    )


def test_exact_transfer_pays_and_moves_the_dossier_on(client):
    dossier, payment = fee_requested_dossier()
    body, headers = signed(
        {
            "transaction_id": "FT26001",
            "amount": payment.amount_vnd,
            "description": f"MBVCB.1234.{payment.reference.lower()}.CT tu 0912xxx",
        }
    )
    response = client.post("/webhooks/bank", data=body, headers=headers)
    assert response.status_code == 200 and response.get_json()["status"] == "matched"
    db.session.refresh(payment)
    db.session.refresh(dossier)
    assert payment.status == "paid" and dossier.status == 4
    again = client.post("/webhooks/bank", data=body, headers=headers)
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    assert (
        db.session.scalar(
            select(db.func.count(BankTransaction.id)).where(BankTransaction.bank_transaction_id == "FT26001")
        )
        == 1
    )


def test_bad_signature_changes_nothing(client):
    _dossier, payment = fee_requested_dossier()
    body, headers = signed(
        {"transaction_id": "FT26002", "amount": payment.amount_vnd, "description": payment.reference}
    )
    tampered = body.replace(b"FT26002", b"FT26003")
    assert client.post("/webhooks/bank", data=tampered, headers=headers).status_code == 401
    stale_body, stale_headers = signed(
        {"transaction_id": "FT26004", "amount": 1, "description": "x"}, timestamp=1
    )
    assert client.post("/webhooks/bank", data=stale_body, headers=stale_headers).status_code == 401
    assert (
        db.session.scalar(
            select(db.func.count(BankTransaction.id)).where(
                BankTransaction.bank_transaction_id.in_(("FT26002", "FT26003", "FT26004"))
            )
        )
        == 0
    )


def test_less_is_underpaid_and_unknown_is_unmatched(client):
    dossier, payment = fee_requested_dossier()
    body, headers = signed(
        {"transaction_id": "FT26005", "amount": payment.amount_vnd - 1000, "description": payment.reference}
    )
    client.post("/webhooks/bank", data=body, headers=headers)
    db.session.refresh(payment)
    assert payment.status == "underpaid" and dossier.status == 6
    body, headers = signed({"transaction_id": "FT26006", "amount": 5000, "description": "chuyen tien"})
    assert client.post("/webhooks/bank", data=body, headers=headers).get_json()["status"] == "unmatched"


def test_payment_page_in_both_languages(client):
    _dossier, payment = fee_requested_dossier()
    for lang in ("vi", "en"):
        body = client.get(f"/payments/{payment.reference}?lang={lang}").get_data(as_text=True)
        assert payment.reference in body and f'lang="{lang}"' in body
    data = client.get(f"/payments/{payment.reference}.json").get_json()
    assert data["fields"]["reference"] == payment.reference and data["amount"] == payment.amount_vnd


def test_counter_confirmation_is_audited(app, login, client):
    dossier, payment = fee_requested_dossier()
    login("receptionist")
    response = client.post(
        f"/staff/payments/{payment.reference}/confirm", data={"method": "cash", "note": "Thu tiền mặt"}
    )
    assert response.status_code == 302
    db.session.refresh(payment)
    db.session.refresh(dossier)
    assert payment.status == "paid" and payment.method == "cash" and dossier.status == 4
    assert DossierAction.CONFIRM_FEE
