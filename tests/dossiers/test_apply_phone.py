"""After a form error the online dossier form shows the phone as the citizen typed it ("0912345678"), not
the stored form ("+84912345678"); the dossier still stores it normalised."""

from __future__ import annotations

from sqlalchemy import select

from portal.dossiers.models import Dossier
from portal.extensions import db
from tests.support.clients import input_value
from tests.support.dossiers import opened_form, post_form
from tests.support.files import PDF


def test_the_phone_comes_back_as_typed_after_an_error_elsewhere(client):
    hidden = opened_form(client)
    answer = post_form(client, hidden, phone="0912345678", id_number="0141")  # the CCCD is too short
    assert answer.status_code == 400
    assert input_value(answer.get_data(as_text=True), "phone") == "0912345678"
    sent = post_form(client, hidden, {"doc-other": [(PDF, "to-khai.pdf")]}, phone="0912345678")
    assert sent.status_code == 302
    code = sent.headers["Location"].split("/")[-2]
    assert db.session.scalar(select(Dossier.phone).where(Dossier.code == code)) == "+84912345678"


def test_an_invalid_phone_comes_back_as_typed_too(client):
    answer = post_form(client, opened_form(client), phone="0912 34")
    assert answer.status_code == 400 and input_value(answer.get_data(as_text=True), "phone") == "0912 34"
