"""A dossier submitted online owes the online charge where the law sets a lower one (found by a walk-through
of the demo: every online dossier was charged the counter's amount).

The amounts are the law's, not the code's: Circular 75/2022/TT-BTC sets the residence registration charges
at the counter / online (VIETNAM.md §12): permanent residence 20.000 / 10.000 đ, temporary residence and
its extension 15.000 / 7.000 đ, household split 10.000 / 5.000 đ. A dossier sent by post is not submitted
online: it owes the counter's charge."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.domain.dossier_status import DossierAction as A
from portal.domain.vietqr import parse_payload
from portal.dossiers import intake, operations
from portal.dossiers.intake import Upload
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.payments.models import Payment
from portal.payments.operations import open_payment
from tests.support.clients import fresh_client, signed_in
from tests.support.dossiers import applicant, make_dossier, person, procedure
from tests.support.factories import account, make_account
from tests.support.files import PDF, pdf_file

PERMANENT = "1.004222"  # Đăng ký thường trú
# (code, at the counter, submitted online), Circular 75/2022/TT-BTC
RESIDENCE = [
    (PERMANENT, 20_000, 10_000),
    ("1.004194", 15_000, 7_000),  # Đăng ký tạm trú
    ("1.002755", 15_000, 7_000),  # Gia hạn tạm trú
    ("1.010038", 10_000, 5_000),  # Tách hộ
]
EXTRACT = "2.000635"  # a copy of a civil-status extract: 8.000 đ (Circular 281/2016/TT-BTC), on every channel


def text_of(body: str) -> str:
    """Visible text, tags dropped, every kind of space one plain space."""
    return " ".join(re.sub(r"<[^>]+>", " ", body).replace("\xa0", " ").replace("\u202f", " ").split())


def page(client, url: str, language: str) -> str:
    client.set_cookie("portal_lang", language)
    response = client.get(url)
    assert response.status_code == 200, url
    return text_of(response.get_data(as_text=True))


def through_the_counter(code: str, channel: str = "counter") -> Dossier:
    chosen = procedure(code)
    return intake.counter_intake(
        chosen, person(), [Upload(PDF, "to-khai.pdf")], account("admin"), channel, "vi"
    )


# --- the amount a dossier owes ---------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "at_the_counter", "submitted_online"), RESIDENCE)
def test_an_online_dossier_owes_the_online_charge_and_a_counter_one_the_counters(
    app, code, at_the_counter, submitted_online
):
    assert make_dossier(code).fee_vnd == submitted_online
    assert through_the_counter(code).fee_vnd == at_the_counter
    assert through_the_counter(code, "post").fee_vnd == at_the_counter  # by post is not online


def test_a_procedure_without_an_online_charge_costs_the_same_on_every_channel(app):
    assert make_dossier(EXTRACT).fee_vnd == through_the_counter(EXTRACT).fee_vnd == 8_000


def test_the_permanent_residence_fee_asked_online_is_10000_and_its_vietqr_says_so(app):
    dossier = make_dossier(PERMANENT)
    operations.staff_act(dossier, A.RECEIVE, account("receptionist"))
    operations.staff_act(dossier, A.START, account("processor"))
    operations.staff_act(dossier, A.REQUEST_FEE, account("processor"))
    payment = open_payment(dossier)
    assert dossier.fee_vnd == payment.amount_vnd == 10_000
    reference, code = payment.reference, dossier.code
    db.session.commit()
    answer = fresh_client(app).get(f"/payments/{reference}.json").get_json()
    assert answer["amount"] == parse_payload(answer["payload"]).amount == 10_000
    status = page(signed_in(app, account("admin")), f"/dossiers/{code}", "vi")
    assert "10.000 ₫" in status and "20.000 ₫" not in status


def test_the_permanent_residence_fee_asked_at_the_counter_is_20000(app):
    dossier = through_the_counter(PERMANENT)
    operations.staff_act(dossier, A.START, account("processor"))
    operations.staff_act(dossier, A.REQUEST_FEE, account("processor"))
    assert dossier.fee_vnd == open_payment(dossier).amount_vnd == 20_000


@pytest.mark.parametrize(("channel", "owed"), [("online", 10_000), ("counter", 20_000), ("post", 20_000)])
def test_a_fee_the_catalogue_gained_after_intake_is_the_channels(app, channel, owed):
    """The fee request's fallback (the catalogue had no amount when the dossier came in)."""
    dossier = make_dossier(PERMANENT) if channel == "online" else through_the_counter(PERMANENT, channel)
    dossier.fee_vnd = 0
    if channel == "online":
        operations.staff_act(dossier, A.RECEIVE, account("receptionist"))
    operations.staff_act(dossier, A.START, account("processor"))
    operations.staff_act(dossier, A.REQUEST_FEE, account("processor"), fee_vnd=999, fee_basis="x")
    assert dossier.fee_vnd == open_payment(dossier).amount_vnd == owed


def test_submitted_through_the_online_form_it_owes_10000(app, client):
    data = applicant()
    data[f"doc-{procedure(PERMANENT).documents[0].id}"] = [pdf_file()]
    response = client.post(f"/dossiers/apply/{PERMANENT}", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    dossier = db.session.scalar(select(Dossier).order_by(Dossier.id.desc()))
    assert (dossier.channel, dossier.fee_vnd) == ("online", 10_000)


def test_taken_in_at_the_desk_it_owes_20000(app, client, login):
    login("receptionist")
    data = applicant(channel="counter")
    data[f"doc-{procedure(PERMANENT).documents[0].id}"] = [pdf_file()]
    response = client.post(
        f"/staff/dossiers/intake?procedure={PERMANENT}", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    dossier = db.session.scalar(select(Dossier).order_by(Dossier.id.desc()))
    assert (dossier.channel, dossier.fee_vnd) == ("counter", 20_000)


# --- the pages ---------------------------------------------------------------------------------------------

BOTH = {
    "vi": "20.000 ₫ tại quầy; 10.000 ₫ khi nộp trực tuyến",
    "en": "20,000 ₫ at the counter; 10,000 ₫ when submitted online",
}


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("url", [f"/procedures/{PERMANENT}", f"/dossiers/apply/{PERMANENT}"])
def test_the_procedure_page_and_the_online_form_show_both_amounts(app, url, language):
    assert BOTH[language] in page(fresh_client(app), url, language)


def test_the_intermediarys_online_form_shows_both_amounts(app):
    """A village intermediary files through the online submission: the villager owes the online charge."""
    client = signed_in(app, make_account("intermediary", agency="ubnd-phuong-to-hieu"))
    assert BOTH["vi"] in page(client, f"/intermediary/dossiers/new/{PERMANENT}", "vi")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_catalogue_list_shows_both_amounts(app, language):
    assert BOTH[language] in page(fresh_client(app), "/procedures?q=thuong+tru", language)


def test_one_amount_where_both_channels_cost_the_same(app):
    text = page(fresh_client(app), f"/procedures/{EXTRACT}", "vi")
    assert "8.000 ₫" in text and "khi nộp trực tuyến" not in text


def test_the_desk_intake_page_names_the_counter_amount_alone(app):
    text = page(
        signed_in(app, account("receptionist")), f"/staff/dossiers/intake?procedure={PERMANENT}", "vi"
    )
    assert "20.000 ₫" in text and "10.000 ₫" not in text


# --- the demo ---------------------------------------------------------------------------------------------


def test_the_demo_residence_dossiers_submitted_online_owe_the_online_charge(app):
    """portal/dossiers/demo.py submits every demo dossier online: Hà Văn Nam's permanent residence
    registration waits for 10.000 đ, Quàng Thị Nga's was paid 10.000 đ, Sồng A Chứ's extension of temporary
    residence (7.000 đ) was paid half."""
    rows = db.session.execute(
        select(Dossier, Payment)
        .join(Payment, Payment.dossier_id == Dossier.id)
        .where(Dossier.email.like("%@demo.sonla.vn"))
    ).all()
    owed = {
        dossier.applicant_name: (
            dossier.channel,
            dossier.fee_vnd,
            payment.amount_vnd,
            payment.received_vnd,
            payment.status,
        )
        for dossier, payment in rows
    }
    assert owed["Hà Văn Nam"] == ("online", 10_000, 10_000, 0, "pending")
    assert owed["Quàng Thị Nga"] == ("online", 10_000, 10_000, 10_000, "paid")
    assert owed["Sồng A Chứ"] == ("online", 7_000, 7_000, 3_500, "underpaid")
