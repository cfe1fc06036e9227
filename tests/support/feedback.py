"""Feedback for tests: the submission form's fields, items made through the real operations, look-ups."""

from __future__ import annotations

import io
import re
from datetime import datetime

from sqlalchemy import func, select

from portal.accounts.models import Account
from portal.agencies.models import Agency
from portal.domain.feedback_status import FeedbackAction as A
from portal.events.models import Event
from portal.extensions import db
from portal.feedback import operations
from portal.feedback.models import Feedback, FeedbackCategory
from tests.support.factories import TO_HIEU, make_account

TO_HIEU_COMMUNE = "03670"
PHONE = "+84912345678"
EMAIL = "pom@example.com"
NAME = "Lò Văn Pọm"

CODE = re.compile(r"PA-\d{6}-\d{4,6}")


def category_id(slug="giao-thong") -> int:
    return db.session.scalar(select(FeedbackCategory.id).where(FeedbackCategory.slug == slug))


def agency_id(slug: str) -> int:
    found = db.session.scalar(select(Agency.id).where(Agency.slug == slug))
    assert found is not None, slug
    return found


def form_data(**overrides):
    data = {
        "category": str(category_id()),
        "title": "Sạt lở đường vào bản Hua La",
        "description": "Đất đá sạt xuống đường sau mưa lớn, xe máy không đi được.",
        "commune": "03670",
        "address": "Bản Hua La, km 3",
        "contact_name": "Lò Văn Pọm",
        "phone": "0912 345 678",
        "email": "pom@example.com",
        "consent": "y",
    }
    data.update(overrides)
    return data


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


def publish(
    item: Feedback, answer: str = "Đã cho máy xúc dọn xong.", processor: Account | None = None
) -> Feedback:
    """Accept and answer as `processor` (by default a fresh processor of the item's agency)."""
    if processor is None:
        processor = make_account("processor", agency=db.session.get(Agency, item.agency_id))
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
