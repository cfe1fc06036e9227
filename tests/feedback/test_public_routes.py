"""Citizen-facing routes beyond the happy path: tracking input, the secret link, the public feed's filters and
pages, replying to a request for information, and what the submission form accepts."""

from __future__ import annotations

import re

import pytest

from portal.domain.feedback_status import FeedbackAction as A
from portal.feedback import operations
from portal.feedback.queries import PAGE_SIZE
from tests.support.clients import fresh_client
from tests.support.factories import account
from tests.support.feedback import by_code, feedback_count, make_item, publish, receipt_code, web_submit

PROCESSOR = "processor"


TOKEN_LINK = re.compile(r"/feedback/t/([A-Za-z0-9_-]{32,})")


def feed_codes(response) -> list[str]:
    return re.findall(r'href="/feedback/(PA-\d{6}-\d{4})"', response.get_data(as_text=True))


# -------------------------------------------------------------------------------------------------- tracking


@pytest.mark.parametrize("digits", ["abcd", "56 8", "-678", "<scr"])
def test_track_with_non_digits_finds_nothing(app, digits):
    item = make_item()
    client = fresh_client(app)
    assert client.post("/track", data={"code": item.code, "phone_digits": digits}).status_code in (400, 404)
    assert client.get(f"/feedback/{item.code}/status").status_code == 404


@pytest.mark.parametrize("digits", ["５６７８", "đđđđ"])
def test_track_with_non_ascii_digits_is_a_plain_not_found(app, digits):
    item = make_item()
    client = fresh_client(app)
    assert client.post("/track", data={"code": item.code, "phone_digits": digits}).status_code in (400, 404)


def test_track_accepts_a_lower_case_code_with_spaces(app):
    item = make_item()
    client = fresh_client(app)
    response = client.post("/track", data={"code": f"  {item.code.lower()} ", "phone_digits": "5678"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/feedback/{item.code}/status")


def test_secret_link_opens_the_private_page_in_another_browser(app):
    submitter = fresh_client(app)
    assert web_submit(submitter).status_code == 302
    receipt = submitter.get("/feedback/receipt")
    assert receipt.status_code == 200
    body = receipt.get_data(as_text=True)
    token = TOKEN_LINK.search(body)[1]
    code = receipt_code(submitter)
    assert by_code(code).token_hash != token
    phone = fresh_client(app)
    assert phone.get(f"/feedback/{code}/status").status_code == 404
    opened = phone.get(f"/feedback/t/{token}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/feedback/{code}/status")
    assert phone.get(f"/feedback/{code}/status").status_code == 200
    stranger = fresh_client(app)
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), token[:20], "x" * 200):
        assert stranger.get(f"/feedback/t/{bad}").status_code == 404
        assert stranger.get(f"/feedback/t/{bad}/qr.svg").status_code == 404
    assert stranger.get(f"/feedback/{code}/status").status_code == 404
    assert stranger.get("/feedback/receipt").status_code == 404  # the receipt is this browser's alone


# ----------------------------------------------------------------------------------------------- public feed


def test_feed_is_newest_first_with_keyset_pages(app):
    items = [publish(make_item(title=f"Phản ánh số {n}")) for n in range(PAGE_SIZE + 3)]
    client = fresh_client(app)
    first = client.get("/feedback")
    codes = feed_codes(first)
    newest = [item.code for item in reversed(items)]
    assert codes[:PAGE_SIZE] == newest[:PAGE_SIZE] and len(codes) == PAGE_SIZE
    older = re.search(r'href="(/feedback\?[^"]*before=\d+[^"]*)"', first.get_data(as_text=True))[1]
    second = client.get(older.replace("&amp;", "&"))
    assert feed_codes(second)[:3] == newest[PAGE_SIZE:]


def test_feed_filters_by_category_commune_and_status(app):
    road = publish(make_item(title="Đường hỏng"))
    light = publish(make_item(category="dien-chieu-sang", title="Đèn hỏng"))
    closed = publish(make_item(title="Đường đã sửa"))
    operations.staff_act(closed, A.CLOSE, account(PROCESSOR))
    unpublished = make_item(title="Chưa công khai")
    client = fresh_client(app)
    by_category = feed_codes(client.get("/feedback", query_string={"category": "dien-chieu-sang"}))
    assert light.code in by_category and road.code not in by_category
    by_status = feed_codes(client.get("/feedback", query_string={"status": "closed"}))
    assert closed.code in by_status and road.code not in by_status
    by_commune = feed_codes(client.get("/feedback", query_string={"commune": "03670"}))
    assert {road.code, light.code, closed.code} <= set(by_commune)
    assert road.code not in feed_codes(client.get("/feedback", query_string={"commune": "00000"}))
    # "new" is not a public status: the filter is ignored.
    everything = feed_codes(client.get("/feedback", query_string={"status": "new"}))
    assert unpublished.code not in everything and road.code in everything


@pytest.mark.parametrize("before", ["abc", "-1", "0"])
def test_feed_ignores_a_malformed_page_key(app, before):
    assert fresh_client(app).get("/feedback", query_string={"before": before}).status_code == 200


@pytest.mark.parametrize("before", ["²", "99999999999999999999"])
def test_feed_survives_odd_page_keys(app, before):
    assert fresh_client(app).get("/feedback", query_string={"before": before}).status_code == 200


# ----------------------------------------------------------------------------------------------------- reply


def test_citizen_reply_resumes_the_clock_through_the_web(app):
    citizen = fresh_client(app)
    assert web_submit(citizen).status_code == 302
    item = by_code(receipt_code(citizen))
    assert citizen.post(f"/feedback/{item.code}/reply", data={"text": "Ảnh đây."}).status_code == 302
    assert item.status == "new"  # nothing was asked yet: refused with a message
    item.agency_id = account(PROCESSOR).agency_id
    operations.staff_act(item, A.REQUEST_INFO, account(PROCESSOR), note="Xin gửi ảnh gần hơn.")
    assert "Xin gửi ảnh gần hơn." in citizen.get(f"/feedback/{item.code}/status").get_data(as_text=True)
    # No answer written: the form comes back with the error (and any photos kept: test_reply_photos.py).
    assert citizen.post(f"/feedback/{item.code}/reply", data={"text": ""}).status_code == 400
    assert item.status == "info_requested"
    reply = citizen.post(f"/feedback/{item.code}/reply", data={"text": "Đã gửi ảnh qua bưu điện."})
    assert reply.status_code == 302
    assert item.status == "accepted" and item.due_on is not None
    assert item.pauses[0].resumed_at is not None


# ------------------------------------------------------------------------------------------- submission form


def test_six_photos_are_refused(app):
    client = fresh_client(app)
    before = feedback_count()
    from tests.support.files import jpeg_bytes

    photos = [(jpeg_bytes(size=(40, 40), color=(n, n, n)), f"{n}.jpg") for n in range(6)]
    assert web_submit(client, photos=photos).status_code == 400
    assert feedback_count() == before


@pytest.mark.parametrize(
    "overrides",
    [
        {"latitude": "nan", "longitude": "104"},
        {"latitude": "25.0", "longitude": "104"},  # outside Sơn La
        {"commune": "99999"},
        {"category": "-1"},
        {"category": "999999"},
        {"description": "ngắn"},
        {"email": "not-an-address"},
        {"phone": "0212 3852 123"},  # a landline
    ],
)
def test_invalid_submissions_store_nothing(app, overrides):
    before = feedback_count()
    assert web_submit(fresh_client(app), **overrides).status_code == 400
    assert feedback_count() == before


def test_submission_ignores_fields_it_does_not_declare(app):
    client = fresh_client(app)
    response = web_submit(client, status="answered", is_published="y", agency_id="1", due_on="2099-01-01")
    assert response.status_code == 302
    item = by_code(receipt_code(client))
    assert item.status == "new" and not item.is_published and item.show_name is False


def test_a_title_of_invisible_characters_is_refused(app):
    before = feedback_count()
    assert web_submit(fresh_client(app), title="\u200b\u200b\u200b").status_code == 400
    assert feedback_count() == before
