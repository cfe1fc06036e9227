"""Fees for every procedure (issue 16 item 1): when the catalogue has no amount (12 of the 34 procedures, set by
the provincial People's Council), the officer enters the amount and its legal basis when requesting fees;
form 01 says "to be determined" instead of "none", and names the council when the catalogue's source does."""

from __future__ import annotations

import re

import pytest

from portal.domain.dossier_status import DossierAction as A
from portal.dossiers import operations
from portal.dossiers.operations import DossierError
from portal.extensions import db
from portal.payments.operations import open_payment
from tests.support.clients import signed_in
from tests.support.dossiers import make_dossier, procedure
from tests.support.factories import account

HOUSEHOLD_BUSINESS = "1.001612"  # Đăng ký thành lập hộ kinh doanh: no amount, "HĐND tỉnh quyết định"
BIRTH = "1.001193"  # Đăng ký khai sinh: free (0 đ) in the catalogue
RESIDENCE = "1.004194"  # Đăng ký tạm trú: 15.000 đ in the catalogue
BASIS = "Nghị quyết số 12/2026/NQ-HĐND tỉnh Sơn La"


def started(code: str):
    dossier = make_dossier(code, received=True)
    operations.staff_act(dossier, A.START, account("processor"))
    return dossier


def test_the_catalogue_has_no_amount_for_the_household_business_registration(app):
    chosen = procedure(HOUSEHOLD_BUSINESS)
    assert chosen.total_fee_vnd is None and chosen.fee_set_by_council
    assert procedure(BIRTH).total_fee_vnd == 0 and not procedure(BIRTH).fee_set_by_council


@pytest.mark.parametrize(
    ("amount", "basis", "reason"),
    [
        (None, BASIS, "fee_amount"),  # nothing entered: the officer must type the amount
        (0, BASIS, "fee_amount"),  # zero is not a fee
        (100_000, "", "fee_basis"),  # an amount needs its legal basis
        (100_000, "   ", "fee_basis"),  # blanks are no basis
    ],
)
def test_an_amount_without_its_basis_or_a_basis_without_an_amount_is_refused(app, amount, basis, reason):
    dossier = started(HOUSEHOLD_BUSINESS)
    with pytest.raises(DossierError) as refused:
        operations.staff_act(dossier, A.REQUEST_FEE, account("processor"), fee_vnd=amount, fee_basis=basis)
    assert refused.value.reason == reason


def test_the_officer_requests_the_amount_they_enter(app):
    dossier = started(HOUSEHOLD_BUSINESS)
    assert dossier.fee_vnd == 0
    operations.staff_act(dossier, A.REQUEST_FEE, account("processor"), fee_vnd=100_000, fee_basis=BASIS)
    assert dossier.status == 6
    assert (dossier.fee_vnd, dossier.fee_basis) == (100_000, BASIS)
    assert open_payment(dossier).amount_vnd == 100_000


def test_the_catalogue_amount_is_kept_whatever_is_typed(app):
    dossier = started(RESIDENCE)
    operations.staff_act(dossier, A.REQUEST_FEE, account("processor"), fee_vnd=999, fee_basis="x")
    assert dossier.fee_vnd == 15_000 and open_payment(dossier).amount_vnd == 15_000


def test_a_free_procedure_has_no_fee_to_request(app):
    dossier = started(BIRTH)
    with pytest.raises(DossierError) as refused:
        operations.staff_act(dossier, A.REQUEST_FEE, account("processor"), fee_vnd=50_000, fee_basis=BASIS)
    assert refused.value.reason == "no_fee"


def test_request_fees_through_the_web_with_the_amount_typed_in(app):
    dossier = started(HOUSEHOLD_BUSINESS)
    code = dossier.code
    db.session.commit()
    processor = signed_in(app, account("processor"))
    page = processor.get(f"/staff/dossiers/{code}").get_data(as_text=True)
    assert 'name="fee_amount"' in page and 'name="fee_basis"' in page
    response = processor.post(
        f"/staff/dossiers/{code}/request_fee", data={"fee_amount": "100.000", "fee_basis": BASIS}
    )
    assert response.status_code == 302
    db.session.refresh(dossier)
    assert dossier.status == 6 and dossier.fee_vnd == 100_000
    item = processor.get(f"/staff/dossiers/{code}").get_data(as_text=True)
    assert "100.000" in item and BASIS in item


def test_request_fees_without_the_amount_says_what_is_missing(app):
    dossier = started(HOUSEHOLD_BUSINESS)
    code = dossier.code
    db.session.commit()
    processor = signed_in(app, account("processor"))
    processor.post(f"/staff/dossiers/{code}/request_fee", data={"fee_basis": BASIS})
    page = processor.get(f"/staff/dossiers/{code}").get_data(as_text=True)
    assert "nhập số tiền phải nộp" in page  # not the generic "This action is not possible."
    db.session.refresh(dossier)
    assert dossier.status == 4


def fee_line(body: str) -> str:
    return re.search(r"<li>Phí, lệ phí:(.*?)</li>", body, re.S)[1]


@pytest.mark.parametrize(
    ("code", "expected", "absent"),
    [
        (HOUSEHOLD_BUSINESS, ["Chưa xác định", "do HĐND tỉnh quyết định"], "Không thu"),
        (BIRTH, ["Không thu"], "Chưa xác định"),
        (RESIDENCE, ["15.000"], "Chưa xác định"),
    ],
)
def test_form_01_says_to_be_determined_when_the_catalogue_has_no_amount(app, code, expected, absent):
    dossier = make_dossier(code, received=True)
    number = dossier.code
    db.session.commit()
    desk = signed_in(app, account("receptionist"))
    line = fee_line(desk.get(f"/dossiers/{number}/receipt").get_data(as_text=True))
    assert all(text in line for text in expected), line
    assert absent not in line
