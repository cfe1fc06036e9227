"""The citizen journey through the web: submit, receipt, track, staff answer, rating."""

import re

from sqlalchemy import select

from portal.events.models import Event
from portal.extensions import db
from portal.feedback.models import Feedback
from tests.support.clients import sign_in
from tests.support.feedback import form_data
from tests.support.files import jpeg_bytes


def submit(client, **overrides):
    data = form_data(**overrides)
    data["photos"] = [(__import__("io").BytesIO(jpeg_bytes()), "road.jpg")]
    return client.post("/feedback/new", data=data, content_type="multipart/form-data")


def test_submit_gives_code_receipt_and_qr(client):
    response = submit(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/feedback/receipt")
    body = client.get("/feedback/receipt").get_data(as_text=True)
    code = re.search(r"PA-\d{6}-\d{4}", body)[0]
    item = db.session.scalar(select(Feedback).where(Feedback.code == code))
    assert item.phone == "+84912345678" and item.status == "new" and len(item.photos) == 1
    assert item.due_on is not None and item.consent_version
    token = re.search(r"/feedback/t/([A-Za-z0-9_-]{32})", body)[1]
    qr = client.get(f"/feedback/t/{token}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    events = db.session.scalars(
        select(Event).where(Event.subject_type == "feedback", Event.subject_id == item.id)
    ).all()
    assert [e.action for e in events] == ["submitted"]


def test_consent_is_required_and_nothing_is_stored(client):
    before = db.session.scalar(select(db.func.count(Feedback.id)))
    data = form_data()
    del data["consent"]
    response = client.post("/feedback/new", data=data)
    assert response.status_code == 400
    assert db.session.scalar(select(db.func.count(Feedback.id))) == before


def test_bad_phone_gets_a_clear_error(client):
    response = client.post("/feedback/new", data=form_data(phone="12345"))
    assert response.status_code == 400
    assert "0912 345 678" in response.get_data(as_text=True)


def test_track_with_code_and_last_digits(client, app):
    submit(client)
    code = re.search(r"PA-\d{6}-\d{4}", client.get("/feedback/receipt").get_data(as_text=True))[0]
    other = app.test_client()
    assert other.get(f"/feedback/{code}/status").status_code == 404  # not published, not theirs
    wrong = other.post("/track", data={"code": code, "phone_digits": "0000"})
    assert wrong.status_code == 404
    right = other.post("/track", data={"code": code, "phone_digits": "5678"})
    assert right.status_code == 302
    assert other.get(f"/feedback/{code}/status").status_code == 200


def test_staff_answer_then_citizen_rates(client, app, login):
    submit(client)
    code = re.search(r"PA-\d{6}-\d{4}", client.get("/feedback/receipt").get_data(as_text=True))[0]
    item = db.session.scalar(select(Feedback).where(Feedback.code == code))
    staff = app.test_client()

    # The category's default agency is the Department of Construction; move it to the demo commune's queue.
    admin = app.test_client()
    sign_in(admin, "admin")
    from portal.agencies.models import Agency

    to_hieu = db.session.scalar(select(Agency.id).where(Agency.slug == "ubnd-phuong-to-hieu"))
    assert admin.post(f"/staff/feedback/{code}/forward", data={"agency": to_hieu}).status_code == 302
    sign_in(staff, "processor")
    assert staff.post(f"/staff/feedback/{code}/accept").status_code == 302
    assert (
        staff.post(f"/staff/feedback/{code}/answer", data={"note": "Đã cho máy xúc dọn xong."}).status_code
        == 302
    )
    db.session.refresh(item)
    assert item.status == "answered" and item.is_published
    public = app.test_client().get(f"/feedback/{code}").get_data(as_text=True)
    assert "Đã cho máy xúc dọn xong." in public and "0912" not in public and "pom@example.com" not in public
    rated = client.post(f"/feedback/{code}/rate", data={"satisfied": "no", "comment": "Vẫn còn đá"})
    assert rated.status_code == 302
    db.session.refresh(item)
    assert item.status == "accepted" and item.reopen_count == 1 and item.rating == "unsatisfied"


def test_receipt_and_private_qr_are_not_kept(client):
    """The receipt shows the secret link: not stored by the browser (Back on a shared phone), and the secret
    link's QR is not kept in the process's image cache (portal.qr keeps payment QR codes only)."""
    from portal import qr as qr_module

    submit(client)
    receipt = client.get("/feedback/receipt")
    assert receipt.headers["Cache-Control"] == "no-store"
    token = re.search(r"/feedback/t/([A-Za-z0-9_-]{32})", receipt.get_data(as_text=True))[1]
    qr_module.clear_cache()
    assert client.get(f"/feedback/t/{token}/qr.svg").status_code == 200
    assert not any(token in text for _, _, text in qr_module._cache.entries)
