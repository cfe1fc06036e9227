"""Personal data never reaches public pages; private pages and photos only for those entitled (SECURITY.md
B6, B8, I30)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from portal.domain.feedback_status import FeedbackAction as A
from portal.feedback import operations
from tests.support.clients import fresh_client, signed_in
from tests.support.factories import TO_HIEU, account, other_agency_staff
from tests.support.feedback import EMAIL, NAME, agency_id, by_code, publish, receipt_code, web_submit
from tests.support.files import jpeg_bytes

ADMIN = "admin"
CITIZEN = "citizen"
PROCESSOR = "processor"
RECEPTIONIST = "receptionist"


# The phone in any spelling: 0912345678, +84912345678, 84912345678, "0912 345 678", "0912.345.678"…
PHONE_ANY_FORMAT = re.compile(r"9[\s.\-]*1[\s.\-]*2[\s.\-]*3[\s.\-]*4[\s.\-]*5[\s.\-]*6[\s.\-]*7[\s.\-]*8")
PHOTO_URL = re.compile(r"/feedback/photos/([^\"'\s<>?#]+)")
TITLE = "Cột điện nghiêng ở bản Nà Cạn"


def assert_no_personal_data(text: str, *, name: bool = True) -> None:
    for spelled in ("+84912345678", "0912345678", "0912 345 678", "84912345678"):
        assert spelled not in text
    assert not PHONE_ANY_FORMAT.search(text)
    assert EMAIL not in text and quote(EMAIL) not in text and "pom&#64;" not in text
    if name:
        assert NAME not in text and "Pọm" not in text


def submitted(app, *, show_name: bool = False, photo_color=(10, 200, 40)):
    """A citizen's browser submits a report with a photo; the item is moved to Tô Hiệu's queue."""
    citizen = fresh_client(app)
    response = web_submit(
        citizen,
        photos=[(jpeg_bytes(color=photo_color, exif_gps=True), "cot-dien.jpg")],
        title=TITLE,
        show_name="y" if show_name else "",
    )
    assert response.status_code == 302
    item = by_code(receipt_code(citizen))
    assert item.phone == "+84912345678" and item.email == EMAIL and item.contact_name == NAME
    item.agency_id = agency_id(TO_HIEU)
    return citizen, item


@pytest.fixture
def published(app):
    citizen, item = submitted(app)
    publish(item, "Điện lực đã dựng lại cột điện.")
    return citizen, item


def test_public_pages_never_show_phone_email_or_name(app, published):
    _, item = published
    anonymous = fresh_client(app)
    feed = anonymous.get("/feedback")
    page = anonymous.get(f"/feedback/{item.code}")
    found = anonymous.get("/feedback", query_string={"q": "cot dien nghieng"})  # diacritic-insensitive
    for response in (feed, page, found):
        assert response.status_code == 200
        assert_no_personal_data(response.get_data(as_text=True))
    # The pages really do show the item, so the absence above means something.
    page_text = page.get_data(as_text=True)
    assert item.code in page_text and "Điện lực đã dựng lại cột điện." in page_text
    for response in (feed, found):
        assert f"/feedback/{item.code}" in response.get_data(as_text=True)


def test_photo_urls_carry_no_personal_data_and_serve_clean_jpegs(app, published):
    _, item = published
    anonymous = fresh_client(app)
    body = anonymous.get(f"/feedback/{item.code}").get_data(as_text=True)
    names = set(PHOTO_URL.findall(body))
    assert names == {item.photos[0].stored_name, item.photos[0].thumbnail_name}
    for name in names:
        assert re.fullmatch(r"[0-9a-f]{32}-[0-9a-f]{16}\.jpg", name)
        assert_no_personal_data(name)
        with anonymous.get(f"/feedback/photos/{name}") as photo:
            assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
            assert photo.headers["X-Content-Type-Options"] == "nosniff"
            assert b"Exif" not in photo.get_data()
            assert_no_personal_data(str(photo.headers))


def test_name_is_shown_only_with_consent(app):
    _, item = submitted(app, show_name=True, photo_color=(200, 200, 10))
    publish(item)
    body = fresh_client(app).get(f"/feedback/{item.code}").get_data(as_text=True)
    assert NAME in body
    assert_no_personal_data(body, name=False)


@pytest.mark.parametrize("query", ["0912345678", "+84912345678", "0912 345 678", "345678", EMAIL, "Pọm"])
def test_public_search_by_personal_data_finds_nothing(app, published, query):
    _, item = published
    anonymous = fresh_client(app)
    assert f"/feedback/{item.code}" in anonymous.get("/feedback", query_string={"q": "nghiêng"}).get_data(
        as_text=True
    )  # control: a word of the title finds it
    body = anonymous.get("/feedback", query_string={"q": query}).get_data(as_text=True)
    assert f"/feedback/{item.code}" not in body


def test_staff_search_does_find_the_phone(app, published):
    _, item = published
    staff = signed_in(app, PROCESSOR)
    query = {"status": "answered", "q": "0912345678"}
    assert item.code in staff.get("/staff/feedback", query_string=query).get_data(as_text=True)
    query["q"] = "0987654321"
    assert item.code not in staff.get("/staff/feedback", query_string=query).get_data(as_text=True)


def test_private_status_page_is_404_for_anyone_else(app):
    citizen, item = submitted(app)
    assert citizen.get(f"/feedback/{item.code}/status").status_code == 200
    assert fresh_client(app).get(f"/feedback/{item.code}/status").status_code == 404
    other_citizen = signed_in(app, CITIZEN)
    assert other_citizen.get(f"/feedback/{item.code}/status").status_code == 404
    # Rating or replying to somebody else's report looks the same as a missing one.
    assert other_citizen.post(f"/feedback/{item.code}/rate", data={"satisfied": "yes"}).status_code == 404
    assert other_citizen.post(f"/feedback/{item.code}/reply", data={"text": "x" * 20}).status_code == 404
    assert fresh_client(app).get("/feedback/PA-000000-0000/status").status_code == 404


def test_unpublished_item_page_is_404(app):
    citizen, item = submitted(app)
    assert not item.is_published
    assert fresh_client(app).get(f"/feedback/{item.code}").status_code == 404
    assert citizen.get(f"/feedback/{item.code}").status_code == 404  # the public page, even for its author
    body = fresh_client(app).get("/feedback").get_data(as_text=True)
    assert item.code not in body and TITLE not in body


def test_unpublished_photo_only_for_its_citizen_and_the_agency(app):
    citizen, item = submitted(app, photo_color=(90, 10, 160))
    stranger = other_agency_staff()
    photo = item.photos[0]
    urls = [f"/feedback/photos/{photo.stored_name}", f"/feedback/photos/{photo.thumbnail_name}"]
    viewers = {
        "anonymous": (fresh_client(app), 404),
        "author": (citizen, 200),
        "another citizen": (signed_in(app, CITIZEN), 404),
        "agency staff": (signed_in(app, RECEPTIONIST), 200),
        "admin": (signed_in(app, ADMIN), 200),
        "other agency staff": (signed_in(app, stranger), 404),
    }
    for who, (client, expected) in viewers.items():
        for url in urls:
            with client.get(url) as response:
                assert response.status_code == expected, (who, url, response.status_code)
                if expected == 200:
                    assert response.mimetype == "image/jpeg"
                    assert "no-store" in response.headers["Cache-Control"]
                    assert "public" not in response.headers["Cache-Control"]


def test_unknown_photo_name_is_404(app):
    client = fresh_client(app)
    for name in ("0" * 64 + ".jpg", "..%2F..%2Fsecret_key", "nothing"):
        assert client.get(f"/feedback/photos/{name}").status_code == 404


def test_staff_queue_masks_the_phone(app):
    _, item = submitted(app)
    for email in (RECEPTIONIST, PROCESSOR):
        body = signed_in(app, email).get("/staff/feedback").get_data(as_text=True)
        assert item.code in body
        assert "*******678" in body
        assert_no_personal_data(body)


def test_internal_notes_stay_internal(app):
    citizen, item = submitted(app)
    receptionist = account(RECEPTIONIST)
    operations.staff_act(item, A.NOTE, receptionist, note="Đã gọi 0912 345 678, người dân hay khiếu nại.")
    operations.staff_act(item, A.REQUEST_INFO, receptionist, note="Xin gửi thêm ảnh chụp gần cột điện.")
    status = citizen.get(f"/feedback/{item.code}/status").get_data(as_text=True)
    assert "Xin gửi thêm ảnh chụp gần cột điện." in status  # what the citizen is asked, they see
    assert "hay khiếu nại" not in status
    assert_no_personal_data(status, name=False)
    staff_page = signed_in(app, PROCESSOR).get(f"/staff/feedback/{item.code}").get_data(as_text=True)
    assert "hay khiếu nại" in staff_page  # control: staff see the note
