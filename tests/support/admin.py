"""Helpers for the administration tests: signed-in clients, extra staff, the Event a change wrote."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from portal.accounts.models import Account
from portal.accounts.operations import create_account
from portal.agencies.models import Agency
from portal.events.models import Event
from portal.extensions import db
from tests.support.clients import fresh_client, signed_in
from tests.support.factories import account as factory_account

# Roles, not demo e-mail addresses: each names this test's fresh account of that role (agency roles in
# Tô Hiệu ward), made by tests.support.factories on first use; account(ADMIN) gives it.
ADMIN = "admin"
AGENCY_ADMIN = "agency_admin"  # Tô Hiệu ward
LEADER = "leader"
PROCESSOR = "processor"
RECEPTIONIST = "receptionist"
CITIZEN = "citizen"
TO_HIEU = "ubnd-phuong-to-hieu"
STRONG = "Kh0ng-doan-duoc-2026!"
HEALTH = "so-y-te"
HEALTH_ADMIN = "quantri@soyte.example.vn"  # agency admin of the Department of Health
HEALTH_CATEGORY = "y-te-attp"  # its default agency is the Department of Health
HEALTH_PROCEDURE = "SL-032"  # decided by the Department of Health

__all__ = ["fresh_client", "signed_in"]


def agency(slug: str) -> Agency:
    found = db.session.scalar(select(Agency).where(Agency.slug == slug))
    assert found is not None, slug
    return found


def account(who: Account | str) -> Account:
    """An Account as it is, a role name as this test's fresh account of that role, an e-mail as that account."""
    return factory_account(who)


def staff(email: str, role: str, slug: str | None, password: str = STRONG) -> Account:
    made = create_account(
        email=email, password=password, full_name="Cầm Thị Thu", role=role, agency_slug=slug
    )
    db.session.flush()
    return made


def client_as(app, who: Account | str, password: str | None = None):
    return signed_in(app, who, password) if password else signed_in(app, who)


def health_admin(app):
    """A signed-in agency admin of the Department of Health (created for the test)."""
    staff(HEALTH_ADMIN, "agency_admin", HEALTH)
    return signed_in(app, HEALTH_ADMIN, STRONG)


def last_event(subject_type: str, subject_id: int) -> Event | None:
    return db.session.scalar(
        select(Event)
        .where(Event.subject_type == subject_type, Event.subject_id == subject_id)
        .order_by(Event.id.desc())
        .limit(1)
    )


def events(subject_type: str, subject_id: int, action: str | None = None) -> list[Event]:
    statement = select(Event).where(Event.subject_type == subject_type, Event.subject_id == subject_id)
    if action:
        statement = statement.where(Event.action == action)
    return list(db.session.scalars(statement.order_by(Event.id)))


def change(event: Event) -> dict:
    """The before/after note of an administration event."""
    return json.loads(event.note)


def event_count() -> int:
    return len(db.session.scalars(select(Event.id)).all())


def body(response) -> str:
    text = response.get_data(as_text=True)
    response.close()
    return text


def errors(response) -> list[str]:
    """The field errors shown on a re-rendered form."""
    return [
        re.sub(r"\s+", " ", message).strip()
        for message in re.findall(r'<p class="error"[^>]*>(.*?)</p>', response.get_data(as_text=True), re.S)
    ]


def category(slug: str):
    from portal.feedback.models import FeedbackCategory

    found = db.session.scalar(select(FeedbackCategory).where(FeedbackCategory.slug == slug))
    assert found is not None, slug
    return found


def procedure(code: str):
    from portal.catalog.models import Procedure

    found = db.session.scalar(select(Procedure).where(Procedure.code == code))
    assert found is not None, code
    return found


def template_of(slug: str):
    from portal.feedback.models import ResponseTemplate

    found = db.session.scalar(
        select(ResponseTemplate)
        .where(ResponseTemplate.agency_id == agency(slug).id)
        .order_by(ResponseTemplate.id)
        .limit(1)
    )
    assert found is not None, slug
    return found
