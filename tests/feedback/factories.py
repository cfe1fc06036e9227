"""Factories for feedback tests: items made through the real operations, accounts, and test clients
whose requests each run in their own application context.

`fresh_client(app)` runs every request in an empty `contextvars.Context`, so each request gets its own
application context, `g` and database session (bound to the same test connection) and its teardown runs
at the end of the request, as in production (at HEAD the suite's `_isolated` fixture kept one context
pushed and every request of a test shared its `g`: Flask-Login's cached user, the locale and the list of
uploaded files leaked from one client to the next). It also flushes the test's own session before each
request and expires it afterwards, so a test can prepare data with the operations, call a route, and
read what the route changed without refreshing objects by hand.
"""

from __future__ import annotations

import contextvars
import io
import re
from datetime import datetime

from flask import has_app_context
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from portal.accounts.models import Account
from portal.accounts.operations import create_account, find_by_email
from portal.agencies.models import Agency
from portal.demo import DEMO_PASSWORD
from portal.domain.feedback_status import FeedbackAction as A
from portal.events.models import Event
from portal.extensions import db
from portal.feedback import operations
from portal.feedback.models import Feedback
from tests.feedback.helpers import category_id, form_data, jpeg_bytes

TO_HIEU = "ubnd-phuong-to-hieu"  # the demo staff's agency
TO_HIEU_COMMUNE = "03670"
PHONE = "+84912345678"
EMAIL = "pom@example.com"
NAME = "Lò Văn Pọm"
STRONG_PASSWORD = "Kh0ng-doan-duoc-2026!"

RECEPTIONIST = "tiepnhan@demo.sonla.vn"
PROCESSOR = "xuly@demo.sonla.vn"
LEADER = "lanhdao@demo.sonla.vn"
AGENCY_ADMIN = "quantri.xa@demo.sonla.vn"
ADMIN = "admin@demo.sonla.vn"
CITIZEN = "congdan@demo.sonla.vn"

CODE = re.compile(r"PA-\d{6}-\d{4}")


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in a new application context (see the module doc)."""

    def open(self, *args, **kwargs):
        outer = has_app_context()
        if outer:
            db.session.flush()  # the request's own session must see what the test prepared
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if outer:
            db.session.expire_all()  # and the test must see what the request changed
        return response


def fresh_client(app, remote_addr: str = "127.0.0.1") -> FreshContextClient:
    client = FreshContextClient(app, app.response_class, use_cookies=True)
    client.environ_base["REMOTE_ADDR"] = remote_addr
    return client


def signed_in(app, email: str, password: str = DEMO_PASSWORD, remote_addr: str = "127.0.0.1"):
    client = fresh_client(app, remote_addr)
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, (email, response.status_code)
    return client


def account(email: str) -> Account:
    found = find_by_email(email)
    assert found is not None, email
    return found


def agency_id(slug: str) -> int:
    found = db.session.scalar(select(Agency.id).where(Agency.slug == slug))
    assert found is not None, slug
    return found


def other_agency_staff(
    role: str = "processor", slug: str = "so-y-te", email: str = "xuly@soyte.example.vn"
) -> Account:
    """A member of staff of another agency (the Department of Health by default)."""
    return create_account(
        email=email, password=STRONG_PASSWORD, full_name="Nguyễn Văn Khác", role=role, agency_slug=slug
    )


def photo_file(data: bytes | None = None, name: str = "road.jpg"):
    return (io.BytesIO(jpeg_bytes() if data is None else data), name)


def png_bytes(size=(64, 48), mode="RGBA", color=(0, 128, 0, 128)) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def web_submit(client, photos=(), query: str = "", **overrides):
    """POST the submission form like a browser (multipart); `photos` are (bytes, filename) pairs."""
    data = form_data(**overrides)
    if photos:
        data["photos"] = [(io.BytesIO(raw), name) for raw, name in photos]
    return client.post("/feedback/new" + query, data=data, content_type="multipart/form-data")


def receipt_code(client) -> str:
    body = client.get("/feedback/receipt").get_data(as_text=True)
    return CODE.search(body)[0]


def by_code(code: str) -> Feedback:
    item = db.session.scalar(select(Feedback).where(Feedback.code == code))
    assert item is not None, code
    return item


def feedback_count() -> int:
    return db.session.scalar(select(func.count(Feedback.id)))


def make_item(
    *,
    category: str = "giao-thong",
    agency: str | None = TO_HIEU,
    commune: str = TO_HIEU_COMMUNE,
    title: str = "Sạt lở đường vào bản Hua La",
    description: str = "Đất đá sạt xuống đường sau mưa lớn, xe máy không đi được.",
    phone: str = PHONE,
    email: str = EMAIL,
    contact_name: str = NAME,
    show_name: bool = False,
    photos: tuple[bytes, ...] = (),
    now: datetime | None = None,
    citizen: Account | None = None,
    locale: str = "vi",
) -> Feedback:
    """A submitted item (through operations.submit), moved to `agency`'s queue unless agency=None."""
    submission = operations.Submission(
        category_id=category_id(category),
        title=title,
        description=description,
        admin_unit_code=commune,
        address="Bản Hua La, km 3",
        latitude=None,
        longitude=None,
        contact_name=contact_name,
        phone=phone,
        email=email,
        show_name=show_name,
        locale=locale,
        photos=photos,
    )
    item, _token = operations.submit(submission, citizen, now=now)
    if agency is not None:
        item.agency_id = agency_id(agency)
    db.session.flush()
    return item


def publish(item: Feedback, answer: str = "Đã cho máy xúc dọn xong.") -> Feedback:
    """Accept and answer as the demo processor (the item must be in Tô Hiệu's queue)."""
    processor = account(PROCESSOR)
    operations.staff_act(item, A.ACCEPT, processor)
    operations.staff_act(item, A.ANSWER, processor, note=answer)
    return item


def events_of(item: Feedback) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.subject_type == "feedback", Event.subject_id == item.id)
            .order_by(Event.id)
        )
    )
