"""The optional "precise map pin" consent (issue 10 item 5): its box on the report form, its consent row, and
its public effect. Without it every public view shows the position rounded to about 1 km; with it the public
item page and Open311 show the exact point; staff always see it; withdrawing takes effect at once."""

from __future__ import annotations

import json

from sqlalchemy import select

from portal.extensions import db
from portal.feedback import operations
from portal.feedback.models import Feedback
from portal.privacy.models import Consent, ConsentNotice
from tests.support.clients import fresh_client, signed_in
from tests.support.feedback import publish, receipt_code, web_submit
from tests.support.open311 import API

PIN = {"latitude": "21.326789", "longitude": "103.912345"}
EXACT, COARSE = "21.32679", "21.33, 103.91"


def _sent(client, **fields) -> Feedback:
    assert web_submit(client, **PIN, **fields).status_code == 302
    return db.session.scalar(select(Feedback).where(Feedback.code == receipt_code(client)))


def _pin_consents(item: Feedback) -> list[Consent]:
    query = select(Consent).where(
        Consent.subject_type == "feedback", Consent.subject_id == item.id, Consent.purpose == "precise_pin"
    )
    return list(db.session.scalars(query))


def _open311(app, item: Feedback) -> tuple[float, float]:
    body = fresh_client(app).get(f"{API}/requests/{item.code}.json").get_data()
    [record] = json.loads(body)
    return record["lat"], record["long"]


def _public_page(app, item: Feedback) -> str:
    return fresh_client(app).get(f"/feedback/{item.code}").get_data(as_text=True)


def test_the_form_has_the_box_unticked_with_its_explanation(client):
    body = client.get("/feedback/new").get_data(as_text=True)
    box = body[body.index('name="precise_pin"') - 200 : body.index('name="precise_pin"') + 200]
    assert 'type="checkbox"' in box and "checked" not in box
    assert "1 km" in body[body.index('name="precise_pin"') :]  # the explanation, beside the box


def test_a_ticked_box_records_its_consent_row_with_the_report(client):
    item = _sent(client, precise_pin="y")
    assert item.precise_pin is True
    (row,) = _pin_consents(item)
    assert row.channel == "web" and row.ip_address == "127.0.0.1" and row.withdrawn_at is None
    notice = db.session.scalar(select(ConsentNotice).where(ConsentNotice.version == row.notice_version))
    assert notice.purpose == "precise_pin" and "1 km" in notice.text


def test_without_the_box_there_is_no_precise_consent(client):
    item = _sent(client)
    assert item.precise_pin is False and _pin_consents(item) == []


def test_without_the_consent_public_views_show_the_position_coarsened_and_staff_the_exact_one(client, app):
    item = _sent(client)
    publish(item)
    db.session.commit()
    assert _open311(app, item) == (21.33, 103.91)
    page = _public_page(app, item)
    assert COARSE in page and EXACT not in page and "21.326" not in page
    staff = signed_in(app, "admin").get(f"/staff/feedback/{item.code}").get_data(as_text=True)
    assert "21.32679, 103.91234" in staff or "21.32679, 103.91235" in staff


def test_with_the_consent_the_exact_point_is_public_until_it_is_withdrawn(client, app):
    item = _sent(client, precise_pin="y")
    publish(item)
    token = "tok-" + "p" * 20
    item.token_hash = operations.hash_token(token)
    db.session.commit()
    latitude, longitude = _open311(app, item)
    assert latitude == 21.32679 and abs(longitude - 103.912345) < 0.00001  # about 1 m
    assert EXACT in _public_page(app, item)
    # The reporter opens their data through the private link and withdraws: at once, everywhere.
    client.get(f"/my-data/t/{token}")
    (row,) = _pin_consents(item)
    assert client.post(f"/my-data/consents/{row.id}/withdraw").status_code == 302
    assert _open311(app, item) == (21.33, 103.91)
    page = _public_page(app, item)
    assert COARSE in page and EXACT not in page
    db.session.refresh(row)
    db.session.refresh(item)
    assert row.withdrawn_at is not None and item.precise_pin is False
    staff = signed_in(app, "admin").get(f"/staff/feedback/{item.code}").get_data(as_text=True)
    assert EXACT in staff


def test_withdrawing_changes_the_page_version(client):
    item = _sent(client, precise_pin="y")
    token = "tok-" + "v" * 20
    item.token_hash = operations.hash_token(token)
    db.session.commit()
    before = item.page_version
    client.get(f"/my-data/t/{token}")
    (row,) = _pin_consents(item)
    client.post(f"/my-data/consents/{row.id}/withdraw")
    db.session.refresh(item)
    assert item.page_version != before
