"""Conduct complaints go above the named unit (issue 14 item 4; PEERS.md §3 idea 9, anti-retaliation).

A report in a category that protects its reporter (FeedbackCategory.protects_reporter, seeded for "conduct of
an official") is about the unit the ordinary routing would give (the category's department, or the People's
Committee of the commune where it happened): that unit is recorded as the named unit and the report goes to
the agency above it (`Agency.supervisor_id`, as configured; the province when none is set). The reporter's
name and contact are hidden from every officer (the named unit never has the item at all: it cannot be
forwarded there); a leader of the handling agency (or the province's administrator) may reveal them, one
view at a time, by a deliberate action with a reason, recorded in the event log.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import Account
from portal.agencies.models import Agency
from portal.domain.roles import Role
from portal.events.operations import record
from portal.extensions import db

from .models import Feedback, FeedbackCategory

REVEAL_ACTION = "reporter_revealed"
REVEAL_ROLES = frozenset({Role.LEADER.value, Role.ADMIN.value})
MIN_REASON = 10  # characters: a reason, not a tick


def above(agency_id: int) -> int:
    """The agency above `agency_id`: its configured supervisor, else the province (an active agency of kind
    "province"); the agency itself only when the province is the named unit and nothing stands above it."""
    agency = db.session.get(Agency, agency_id)
    if agency is not None and agency.supervisor_id is not None and agency.supervisor_id != agency_id:
        return agency.supervisor_id
    province = db.session.scalar(
        select(Agency.id).where(Agency.kind == "province", Agency.is_active).order_by(Agency.id).limit(1)
    )
    return province if province is not None else agency_id


def route(category: FeedbackCategory, handling: int) -> tuple[int, int | None]:
    """(handling agency, named unit) of a new report that the ordinary routing sent to `handling`."""
    if not category.protects_reporter:
        return handling, None
    return above(handling), handling


def hidden_from(agency_id: int | None, item: Feedback) -> bool:
    """True when `agency_id` is the unit a conduct complaint names and the complaint is not routed to it:
    for that unit the item does not exist, on the staff pages (it never handles it, it cannot be
    forwarded there) and through its API keys alike (the one rule both sides ask)."""
    return agency_id is not None and agency_id == item.named_agency_id and agency_id != item.agency_id


def may_reveal(user: Account, item: Feedback) -> bool:
    """A leader of the handling agency, or the province's administrator; never an officer of the named
    unit (even if it were the handling agency's supervisor's own unit)."""
    if not item.reporter_hidden or user.role not in REVEAL_ROLES:
        return False
    if user.agency_id is not None and user.agency_id == item.named_agency_id:
        return False
    return user.role == Role.ADMIN.value or user.agency_id == item.agency_id


def reveal(item: Feedback, actor: Account, reason: str) -> None:
    """Record one reveal of the reporter's identity (the caller shows it once, on this response)."""
    record("feedback", item.id, REVEAL_ACTION, actor_id=actor.id, note=reason)
    db.session.flush()
