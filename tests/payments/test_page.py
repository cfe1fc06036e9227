"""The citizen's payment page (issue 18 item 7): the bank by name (NAPAS BIN list), what the fee is for, the
amount still owed and its QR when underpaid, and the right reason on the tracking page while a fee is awaited."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import zxingcpp
from PIL import Image
from sqlalchemy import select

from portal.domain.vietqr import parse_payload
from portal.dossiers.models import Dossier
from portal.dossiers.operations import secret_token
from portal.extensions import db
from portal.payments import banks
from portal.payments.bank_account import VietQRAccount
from tests.support.payments import payment_of


def text_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    body = unescape(response.get_data(as_text=True))
    response.close()
    return body


def words(body: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def as_the_citizen(client, dossier) -> None:
    """The receipt's private link: this browser may see the dossier from now on."""
    response = client.get(f"/dossiers/t/{dossier.code}/{secret_token(dossier)}")
    assert response.status_code == 302
    response.close()


def test_the_bank_list_ships_with_the_project_and_names_the_big_four():
    listed = banks.all_banks()
    assert len({b.bin for b in listed}) == len(listed) >= 30
    assert all(re.fullmatch(r"[0-9]{6}", b.bin) for b in listed)
    # VIETQR.md §8: the likely banks of a provincial fee account, by their BIN.
    assert {b: banks.by_bin(b).short_name for b in ("970436", "970418", "970415", "970405")} == {
        "970436": "Vietcombank",
        "970418": "BIDV",
        "970415": "VietinBank",
        "970405": "Agribank",
    }
    # Renamed banks keep their BIN and show their current name.
    assert banks.by_bin("970449").short_name == "LPBank" and banks.by_bin("970406").short_name == "Vikki Bank"
    assert banks.by_bin("999999") is None
    with banks.DATA.open(encoding="utf-8") as file:
        assert next(csv.reader(file)) == ["bin", "code", "short_name", "name", "scan_to_pay"]


def test_the_page_names_the_bank_not_its_bin(client):
    payment = payment_of("Hà Văn Nam")  # the test settings' fee account is at BIN 970415
    body = text_of(client, f"/payments/{payment.reference}")
    assert '<span class="bank-badge">VietinBank</span>' in body
    assert "Ngân hàng TMCP Công thương Việt Nam" in body and "BIN 970415" not in body


def test_a_bin_outside_the_list_is_still_shown(client):
    client.set_cookie("portal_lang", "en")
    db.session.add(VietQRAccount(id=1, bank_bin="999999", account_number="12345", account_name="UBND"))
    db.session.flush()
    body = text_of(client, f"/payments/{payment_of('Hà Văn Nam').reference}")
    assert "BIN 999999" in body and "bank-badge" not in body


def test_the_citizen_sees_what_the_fee_is_for(client):
    payment = payment_of("Hà Văn Nam")
    dossier = payment.dossier
    as_the_citizen(client, dossier)
    body = words(text_of(client, f"/payments/{payment.reference}"))
    assert dossier.procedure.name in body and dossier.code in body


def test_a_visitor_with_only_the_reference_sees_no_dossier(client):
    payment = payment_of("Hà Văn Nam")
    body = text_of(client, f"/payments/{payment.reference}")
    assert payment.dossier.code not in body and payment.dossier.procedure.name not in body
    assert payment.dossier.applicant_name not in body


def test_an_underpaid_fee_shows_what_is_still_owed_and_its_qr_asks_for_that(client):
    """Was: "please pay the rest at the one-stop desk", with no amount and no QR."""
    payment = payment_of("Sồng A Chứ")
    assert payment.status == "underpaid" and 0 < payment.received_vnd < payment.amount_vnd
    rest = payment.amount_vnd - payment.received_vnd
    body = text_of(client, f"/payments/{payment.reference}")
    assert f'data-copy="{rest}"' in body
    src = re.search(r'<img class="pay-qr" src="([^"]+)"', body)[1]
    image = client.get(src.replace("qr.svg", "qr.png"))
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))
    image.close()
    assert parse_payload(barcode.text).amount == rest


def test_the_tracking_page_says_the_dossier_waits_for_its_fee_not_for_documents(client):
    """Was: "Paused until the documents asked for arrive" while the dossier waited for its fee (status 6)."""
    client.set_cookie("portal_lang", "en")
    dossier = db.session.scalar(select(Dossier).where(Dossier.applicant_name == "Hà Văn Nam"))
    assert dossier.status == 6
    as_the_citizen(client, dossier)
    body = text_of(client, f"/dossiers/{dossier.code}")
    assert "Paused until the fee is paid" in body
    assert "Paused until the documents asked for arrive" not in body
