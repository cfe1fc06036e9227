"""Issue 18 item 5: "hide my name" on the citizen's status page, one press: the publish_name consent is
withdrawn by the same operation as /my-data's, at once on the feed, the public item page and the status
page (their caches follow the row), recorded on the staff timeline; nobody else can do it."""

from __future__ import annotations

from sqlalchemy import select

from portal.agencies.models import Agency
from portal.events.models import Event
from portal.extensions import db
from portal.privacy.models import Consent
from tests.support.clients import fresh_client, sign_in
from tests.support.factories import make_account
from tests.support.feedback import by_code, make_item, publish, receipt_code, web_submit

NAME = "Lò Văn Hiện Tên"


def published_with_name(app):
    citizen = fresh_client(app)
    assert web_submit(citizen, show_name="y", contact_name=NAME).status_code == 302
    item = by_code(receipt_code(citizen))
    publish(item)
    return citizen, item


def test_hide_my_name_takes_effect_at_once_everywhere(app):
    citizen, item = published_with_name(app)
    reader = fresh_client(app)
    assert NAME in reader.get("/feedback").get_data(as_text=True)  # the feed's fragment is kept now
    assert NAME in reader.get(f"/feedback/{item.code}").get_data(as_text=True)
    status = citizen.get(f"/feedback/{item.code}/status").get_data(as_text=True)  # kept part, too
    assert f"/my-data/feedback/{item.code}/hide-name" in status
    answer = citizen.post(f"/my-data/feedback/{item.code}/hide-name")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/feedback/{item.code}/status")
    assert NAME not in reader.get("/feedback").get_data(as_text=True)
    assert NAME not in reader.get(f"/feedback/{item.code}").get_data(as_text=True)
    assert f"/my-data/feedback/{item.code}/hide-name" not in citizen.get(
        f"/feedback/{item.code}/status"
    ).get_data(as_text=True)
    consent = db.session.scalar(
        select(Consent).where(Consent.subject_id == item.id, Consent.purpose == "publish_name")
    )
    assert consent.withdrawn_at is not None  # the /my-data operation: the consent record is withdrawn
    event = db.session.scalar(
        select(Event).where(Event.subject_id == item.id, Event.action == "consent_withdrawn")
    )
    assert event is not None and event.note == "publish_name"
    officer = make_account("processor", agency=db.session.get(Agency, item.agency_id))
    staff = fresh_client(app)
    sign_in(staff, officer)
    page = staff.get(f"/staff/feedback/{item.code}").get_data(as_text=True)
    assert "Người dân đã rút lại một sự đồng ý" in page or "withdrew a consent" in page
    # A second press changes nothing and records nothing more.
    assert citizen.post(f"/my-data/feedback/{item.code}/hide-name").status_code == 302
    assert len(list(db.session.scalars(select(Event).where(Event.action == "consent_withdrawn")))) == 1


def test_an_item_without_a_consent_row_hides_the_name_too(app):
    item = make_item(show_name=True, contact_name=NAME)
    db.session.execute(Consent.__table__.delete().where(Consent.subject_id == item.id))
    publish(item)
    citizen = fresh_client(app)
    with citizen.session_transaction() as session:
        session["feedback_access"] = [item.id]
    assert citizen.post(f"/my-data/feedback/{item.code}/hide-name").status_code == 302
    db.session.refresh(item)
    assert not item.show_name
    assert NAME not in fresh_client(app).get(f"/feedback/{item.code}").get_data(as_text=True)


def test_nobody_else_can_hide_the_name(app):
    _citizen, item = published_with_name(app)
    assert fresh_client(app).post(f"/my-data/feedback/{item.code}/hide-name").status_code == 404
    assert fresh_client(app).post("/my-data/feedback/PA-000000-0000/hide-name").status_code == 404
    db.session.refresh(item)
    assert item.show_name
