"""The report form sent twice (double tap, retry on a slow link, back button): one report, one code,
and the second post lands on the first receipt, for the browser that was given the form only."""

from __future__ import annotations

import io
import re
import threading
import time

import pytest
from sqlalchemy import func, select

from portal import form_nonce
from portal.extensions import db
from portal.feedback import operations
from portal.feedback import routes as feedback_routes
from portal.feedback.models import Feedback, FeedbackPhoto
from tests.support.clients import fresh_client
from tests.support.double_post import (
    ALREADY_SENT,
    first_look_up_misses,
    hidden_fields,
    hold_both_after,
    nonce_of,
    own_app,
    post_together,
    same_browser,
    stored_files,
)
from tests.support.feedback import form_data
from tests.support.files import jpeg_bytes

RECEIPT_CODE = re.compile(r"PA-\d{6}-\d{4,6}")
RECEIPT_LINK = re.compile(r"/feedback/t/([A-Za-z0-9_-]{32})")


def count() -> int:
    return db.session.scalar(select(func.count(Feedback.id)))


def with_photo(nonce: str | dict | None, **overrides) -> dict:
    """The report with a photo; `nonce` a nonce, the form's hidden fields, or None (no nonce at all)."""
    data = form_data(**overrides)
    if isinstance(nonce, dict):
        data.update(nonce)
    elif nonce is not None:
        data["nonce"] = nonce
    data["photos"] = [(io.BytesIO(jpeg_bytes()), "road.jpg")]
    return data


def post(client, data):
    return client.post("/feedback/new", data=data, content_type="multipart/form-data")


def receipt_of(client) -> tuple[str, str]:
    body = client.get("/feedback/receipt").get_data(as_text=True)
    return RECEIPT_CODE.search(body)[0], RECEIPT_LINK.search(body)[1]


def opened_form(client) -> str:
    return nonce_of(page_of(client))


def page_of(client) -> str:
    page = client.get("/feedback/new")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_each_form_page_carries_its_own_unguessable_nonce(client):
    first, second = opened_form(client), opened_form(client)
    assert first != second and form_nonce.well_formed(first) and len(first) >= 32  # 192 bits, base64url


def test_the_same_form_sent_twice_creates_one_report_and_shows_the_first_receipt(app, client):
    hidden, before, files_before = hidden_fields(page_of(client)), count(), stored_files(app)
    first = post(client, with_photo(hidden))
    assert first.status_code == 302 and first.headers["Location"].endswith("/feedback/receipt")
    code, link = receipt_of(client)
    files_after_first = stored_files(app)

    second = post(client, with_photo(hidden))
    assert second.status_code == 302 and second.headers["Location"].endswith("/feedback/receipt")
    assert count() == before + 1
    again = client.get("/feedback/receipt").get_data(as_text=True)
    assert RECEIPT_CODE.search(again)[0] == code and RECEIPT_LINK.search(again)[1] == link
    assert ALREADY_SENT in again  # the citizen learns why no new code came
    assert len(files_after_first - files_before) == 2  # the photo and its thumbnail, once
    assert stored_files(app) == files_after_first  # the second post kept no photo

    item, nonce = db.session.scalar(select(Feedback).where(Feedback.code == code)), hidden["nonce"]
    assert item.form_nonce == form_nonce.stored(operations.FORM, nonce) and nonce not in item.form_nonce
    # The link shown again is the real one: it opens the report.
    assert client.get(f"/feedback/t/{link}").status_code == 302


def test_a_form_shown_again_after_an_error_keeps_its_nonce(client):
    nonce = opened_form(client)
    refused = post(client, with_photo(nonce, phone="12345"))
    assert refused.status_code == 400 and nonce_of(refused.get_data(as_text=True)) == nonce
    before = count()
    assert post(client, with_photo(nonce)).status_code == 302
    assert post(client, with_photo(nonce)).status_code == 302
    assert count() == before + 1


def test_a_copied_nonce_shows_nobody_elses_receipt(app, client):
    nonce = opened_form(client)
    post(client, with_photo(nonce))
    code, link = receipt_of(client)
    before = count()

    stranger = app.test_client()
    stranger.get("/feedback/new")  # a session of its own, with nonces of its own
    answer = post(stranger, with_photo(nonce, phone="0987 654 321", email="x@example.com"))
    body = answer.get_data(as_text=True)
    assert answer.status_code == 409 and count() == before
    assert ALREADY_SENT in body and "/track" in body
    for secret in (code, link, "0912", "pom@example.com", "Lò Văn Pọm"):
        assert secret not in body
    assert stranger.get("/feedback/receipt").status_code == 404
    assert stranger.get(f"/feedback/{code}/status").status_code == 404


def test_a_post_without_a_nonce_is_still_accepted(client):
    """An old cached page has no nonce field: each of its posts is taken (the server makes one up)."""
    before = count()
    assert post(client, with_photo(None)).status_code == 302
    assert post(client, with_photo("not a nonce")).status_code == 302
    assert count() == before + 2
    nonces = db.session.scalars(select(Feedback.form_nonce).order_by(Feedback.id.desc()).limit(2)).all()
    assert all(n and len(n) == 64 for n in nonces) and nonces[0] != nonces[1]


def test_the_loser_of_a_race_rolls_back_removes_its_photos_and_shows_the_winners_receipt(
    app, client, monkeypatch
):
    """As when both posts miss each other's first look-up: the unique index refuses the second insert."""
    nonce = opened_form(client)
    post(client, with_photo(nonce))
    code, _link = receipt_of(client)
    before, files = count(), stored_files(app)
    calls = first_look_up_misses(monkeypatch, feedback_routes, "_sent_with")
    second = post(client, with_photo(nonce))
    assert len(calls) == 2  # the pre-check, then the look-up of the winner after the IntegrityError
    assert second.status_code == 302 and second.headers["Location"].endswith("/feedback/receipt")
    assert count() == before and receipt_of(client)[0] == code
    assert stored_files(app) == files  # the loser's photo and thumbnail were removed
    assert (
        db.session.scalar(select(func.count(FeedbackPhoto.id)).where(FeedbackPhoto.feedback.has(code=code)))
        == 1
    )


def test_sending_the_form_again_does_not_use_up_the_hourly_limit(client):
    nonce = opened_form(client)
    for _ in range(8):  # more than the 5 reports an hour one address may send
        assert post(client, with_photo(nonce)).status_code == 302
    assert post(client, with_photo(opened_form(client))).status_code == 302


# --- two posts at the same instant, on a database of their own -----------------------------------


@pytest.fixture
def race_app(tmp_path):
    yield from own_app(tmp_path)


def test_a_double_tap_creates_exactly_one_report(race_app, monkeypatch):
    """Real threads, real transactions (PostgreSQL with TEST_DATABASE_URL, else SQLite), five rounds."""
    app = race_app
    with app.app_context():
        files_at_start = stored_files(app)
    for round_ in range(5):
        phone = fresh_client(app, f"10.9.{round_}.1")
        with app.app_context():
            before = count()
        hidden = hidden_fields(page_of(phone))
        taps = [phone, same_browser(app, phone)]
        with monkeypatch.context() as patch:
            hold_both_after(patch, feedback_routes, "_sent_with")
            responses = post_together(
                taps, "/feedback/new", lambda hidden=hidden: with_photo_for(app, hidden)
            )
        assert [r.status_code for r in responses] == [302, 302], [
            r.get_data(as_text=True)[:300] for r in responses
        ]
        assert all(r.headers["Location"].endswith("/feedback/receipt") for r in responses)
        codes = {receipt_of(tap)[0] for tap in taps}
        with app.app_context():
            assert count() == before + 1
            stored = db.session.scalars(
                select(Feedback.code).where(
                    Feedback.form_nonce == form_nonce.stored(operations.FORM, hidden["nonce"])
                )
            ).all()
            db.session.remove()
        assert codes == set(stored) and len(stored) == 1
    with app.app_context():
        names = set(db.session.scalars(select(FeedbackPhoto.stored_name))) | set(
            db.session.scalars(select(FeedbackPhoto.thumbnail_name))
        )
        db.session.remove()
    # Five photos and five thumbnails kept; nothing from the five losers left on disk.
    assert stored_files(app) - files_at_start == names and len(names) == 10


def with_photo_for(app, hidden: dict) -> dict:
    with app.app_context():
        data = with_photo(hidden)
        db.session.remove()
    return data


def test_the_same_form_sent_with_and_without_a_photo_at_once_gives_one_report(race_app, monkeypatch):
    """A report with photos is flushed by the ORM, one without is written by one INSERT (numbering.py); both
    lock the day's counter and then the item's nonce, in that order. With the photo path locking the nonce
    first, the two posts deadlocked on PostgreSQL: one answered 503 instead of "already sent". Each path's
    window with the counter held is widened so that the two really meet there: the photo path's after its
    counter, the plain path's after its counter (SQLite) or after the statement that takes the counter and
    writes the item (PostgreSQL, numbered_statement.py)."""
    from portal.feedback import numbering, operations

    app = race_app

    def slowed(real):
        def slow(*args, **kwargs):
            value = real(*args, **kwargs)
            time.sleep(1.0)
            return value

        return slow

    monkeypatch.setattr(numbering, "next_value_direct", slowed(numbering.next_value_direct))
    monkeypatch.setattr(numbering, "write_together", slowed(numbering.write_together))
    monkeypatch.setattr(operations, "next_value", slowed(operations.next_value))
    phone = fresh_client(app, "10.9.7.1")
    with app.app_context():
        before = count()
    hidden = hidden_fields(page_of(phone))
    taps = [phone, same_browser(app, phone)]
    photos = iter([True, False])
    lock = threading.Lock()

    def make() -> dict:
        with lock:
            photo = next(photos)
        if photo:
            return with_photo_for(app, hidden)
        with app.app_context():
            data = {**form_data(), **hidden}
            db.session.remove()
        return data

    hold_both_after(monkeypatch, feedback_routes, "_sent_with")
    responses = post_together(taps, "/feedback/new", make)
    assert [r.status_code for r in responses] == [302, 302], [
        r.get_data(as_text=True)[:300] for r in responses
    ]
    with app.app_context():
        assert count() == before + 1
        db.session.remove()
