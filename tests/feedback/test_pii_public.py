"""Issue 18 item 3, Done-when: an answered report whose description holds a phone, an e-mail and a CCCD is
published; none of them appears on any public page or API. And staff's "redact" action: audited, the
public sees the redacted text and not the hidden photo, the agency still sees the original."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.events.models import Event
from portal.extensions import db
from tests.support.factories import make_account
from tests.support.feedback import make_item, publish
from tests.support.files import jpeg_bytes

PHONE, EMAIL, CCCD, PLATE = "0912.345.678", "lo.van.pom@example.com", "014095001234", "26B1-234.56"
SECRETS = (PHONE, "912345678", "0912345678", EMAIL, "example.com", CCCD, "014 095", PLATE, "234.56")
API = "/open311/v2"


@pytest.fixture
def published():
    item = make_item(
        title=f"Xe {PLATE} đỗ chắn đường, gọi {PHONE}",
        description=f"Tôi là Pọm, CCCD {CCCD}, e-mail {EMAIL}, điện thoại {PHONE}. Đất đá sạt xuống đường.",
        photos=(jpeg_bytes(),),
    )
    publish(item)
    db.session.commit()
    return item


def public_urls(code: str) -> list[str]:
    urls = ["/feedback", f"/feedback/{code}", "/feedback?q=sat+lo"]
    for fmt in ("json", "xml"):
        for extensions in ("", "true"):
            urls += [
                f"{API}/requests.{fmt}?extensions={extensions}",
                f"{API}/requests/{code}.{fmt}?extensions={extensions}",
                f"{API}/servicerequestupdates.{fmt}?service_request_id={code}",
            ]
    return urls


def test_no_personal_detail_of_the_text_on_any_public_page_or_api(client, published):
    for url in public_urls(published.code):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        leaked = [secret for secret in SECRETS if secret in body]
        assert not leaked, (url, leaked)
    page = client.get(f"/feedback/{published.code}").get_data(as_text=True)
    assert "Đất đá sạt xuống đường" in page and "****.***.***" in page  # the rest of the text is shown
    # The public search does not find the report by the masked number either.
    assert published.code not in client.get(f"/feedback?q={CCCD}").get_data(as_text=True)


def test_the_agency_and_the_citizen_still_see_the_original(client, login, published):
    officer = make_account("processor", agency=db.session.get(Agency, published.agency_id))
    login(officer)
    assert CCCD in client.get(f"/staff/feedback/{published.code}").get_data(as_text=True)


def test_redact_hides_text_and_a_photo_and_is_audited(app, client, login, published):
    officer = make_account("processor", agency=db.session.get(Agency, published.agency_id))
    photo = published.photos[0]
    assert client.get(f"/feedback/photos/{photo.stored_name}").status_code == 200  # public before
    login(officer)
    form = client.get(f"/staff/feedback/{published.code}/redact").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    data = {
        "public_title": "Xe đỗ chắn đường",
        "public_description": "Ông P. báo: đất đá sạt xuống đường.",
        "hide_photo": str(photo.id),
    }
    if token:
        data["csrf_token"] = token[1]
    answer = client.post(f"/staff/feedback/{published.code}/redact", data=data)
    assert answer.status_code == 302
    event = db.session.scalar(
        select(Event).where(Event.subject_id == published.id, Event.action == "redacted")
    )
    assert event is not None and event.actor_id == officer.id and not event.is_public
    staff_page = client.get(f"/staff/feedback/{published.code}").get_data(as_text=True)
    assert CCCD in staff_page  # the original, for the agency
    assert client.get(f"/feedback/photos/{photo.stored_name}").status_code == 200  # the agency still sees it
    client.post("/logout", data={"csrf_token": token[1]} if token else {})
    anonymous = app.test_client()
    public = anonymous.get(f"/feedback/{published.code}").get_data(as_text=True)
    assert "Ông P. báo" in public and "Tôi là Pọm" not in public
    assert photo.thumbnail_name not in public
    assert anonymous.get(f"/feedback/photos/{photo.stored_name}").status_code == 404
    feed = anonymous.get("/feedback").get_data(as_text=True)
    assert "Xe đỗ chắn đường" in feed
    api = anonymous.get(f"{API}/requests/{published.code}.json?extensions=true").get_json()
    assert api[0]["description"] == "Ông P. báo: đất đá sạt xuống đường." and api[0]["media_url"] is None


def test_another_agency_cannot_redact(client, login, published):
    login(make_account("processor", agency="so-xay-dung"))  # an officer of another agency
    assert client.get(f"/staff/feedback/{published.code}/redact").status_code == 404


# The walk-through of 07/12/2026: an officer's answer thanked the sender by name and quoted their phone, and the
# public page and the API showed it as typed, for a sender who had not chosen to show their name.
SENDER, SENDER_PHONE = "Lò Văn Thành", "0912345678"
THANKS = f"Đã dọn xong. Cảm ơn ông {SENDER}, SĐT {SENDER_PHONE} đã phản ánh; liên hệ lo.thanh@example.com."


def _answered(show_name: bool):
    item = make_item(contact_name=SENDER, show_name=show_name)
    publish(item, answer=THANKS)
    db.session.commit()
    return item


def test_the_answer_is_masked_on_every_public_page_and_api(client):
    item = _answered(show_name=False)
    for url in public_urls(item.code):
        body = client.get(url).get_data(as_text=True)
        leaked = [s for s in (SENDER, "Thành", "912345678", "lo.thanh@example.com") if s in body]
        assert not leaked, (url, leaked)
    page = client.get(f"/feedback/{item.code}").get_data(as_text=True)
    # The rest of the answer is shown, the name and the number hidden in their shape.
    assert "Đã dọn xong. Cảm ơn ông ** *** *****, SĐT ********** đã phản ánh" in page


def test_a_sender_who_shows_their_name_keeps_it_in_the_answer(client):
    item = _answered(show_name=True)
    page = client.get(f"/feedback/{item.code}").get_data(as_text=True)
    assert f"Cảm ơn ông {SENDER}, SĐT ********** đã phản ánh" in page


def test_the_agency_sees_the_answer_as_written(client, login):
    item = _answered(show_name=False)
    login(make_account("processor", agency=db.session.get(Agency, item.agency_id)))
    assert THANKS in client.get(f"/staff/feedback/{item.code}").get_data(as_text=True)
