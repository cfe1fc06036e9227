"""Feedback operations: submit, staff actions, citizen replies. Operations flush; routes commit once.

Each returns what the citizen must be told (a Notice) so the route can e-mail it after the commit.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm.attributes import set_committed_value

from portal import form_nonce
from portal.accounts import queries as account_queries
from portal.accounts.models import Account
from portal.agencies.models import Agency
from portal.calendar import disasters
from portal.calendar import version as calendar_version
from portal.calendar.queries import LOCAL_TZ, calendar_around, office_hours
from portal.db_types import utcnow
from portal.domain.codes import FEEDBACK_SEQUENCE, feedback_code
from portal.domain.digests import keyed_digest, sha256_hex
from portal.domain.errors import ReasonedError
from portal.domain.feedback_status import FeedbackAction as A
from portal.domain.feedback_status import FeedbackStatus as S
from portal.domain.feedback_status import may_rate, next_status, unsatisfied_action
from portal.domain.text import clean, clean_lines
from portal.domain.working_days import Suspension, receipt_day
from portal.events.models import Event
from portal.events.operations import record
from portal.extensions import db
from portal.sequences import next_value
from portal.uploads import storage
from portal.uploads.drafts import DraftFile
from portal.uploads.images import process_photo

from . import conduct, deadlines, numbering, post_reads
from .models import Feedback, FeedbackCategory, FeedbackPause, FeedbackPhoto, queue_rank
from .post_reads import Reference
from .public_key import search_keys  # the item's two search keys (also for redaction.py)

MAX_PHOTOS = 5
FORM = "feedback"  # the submission form's name in its stored nonce (portal/form_nonce.py)
PROVISIONAL = "~"  # an item's code from its INSERT to its number, in that transaction only (no code is ~…)
# Bumped whenever the personal-data notice text changes; stored with each consent (Law 91/2025).
CONSENT_VERSION = "pakn-2026-01"
PUBLIC_ACTIONS = frozenset(
    {
        A.ACCEPT,
        A.REFUSE,
        A.MARK_DUPLICATE,
        A.REQUEST_INFO,
        A.SUPPLY_INFO,
        A.FORWARD,
        A.ANSWER,
        A.CLOSE,
        A.REOPEN,
        A.RATE_SATISFIED,
        A.RATE_UNSATISFIED,
        A.RATE_UNSATISFIED_FINAL,
    }
)
NOTIFY_CITIZEN = frozenset(
    {A.ACCEPT, A.REFUSE, A.MARK_DUPLICATE, A.REQUEST_INFO, A.FORWARD, A.ANSWER, A.CLOSE, A.REOPEN}
)


class FeedbackError(ReasonedError):
    """A request that the rules refuse; `reason` names it for a translated message."""


@dataclass(frozen=True)
class Notice:
    """An e-mail to send to the citizen after the commit."""

    item: Feedback
    action: A


@dataclass(frozen=True)
class Submission:
    category_id: int
    title: str
    description: str
    admin_unit_code: str
    address: str
    latitude: float | None
    longitude: float | None
    contact_name: str
    phone: str  # already normalised to E.164
    email: str
    show_name: bool
    locale: str
    precise_pin: bool = False  # the "precise map pin" consent box
    photos: tuple[bytes, ...] = ()
    kept: tuple[DraftFile, ...] = ()  # photos uploaded with an earlier post of the same form, already stored
    nonce: str = ""  # the form's one-time nonce; "" when the post had none (one is made up)


hash_token = sha256_hex  # what an item keeps of its private link's token (token_hash)


def link_token(nonce: str) -> str:
    """The private link's token (192 bits), derived from the form's nonce with SECRET_KEY.

    Derived rather than drawn so that a double-sent form can show the first receipt, link included,
    to the browser that was given the nonce; the nonce alone (it is in the page) does not reveal it,
    and the database keeps only hashes of both.
    """
    digest = keyed_digest(current_app.config["SECRET_KEY"], f"feedback-link:{nonce}")[:24]
    return base64.urlsafe_b64encode(digest).decode()


# The commune's agency, for a caller that has not read it with the category (post_reads.REFERENCE brings it).
_COMMUNE_AGENCY = select(Agency.id).where(Agency.admin_unit_code == bindparam("unit_code"))


def _refresh_due(item: Feedback, spans: list[Suspension] | None = None) -> None:
    item.due_on = deadlines.compute(item, spans).answer_by


def submit(
    data: Submission, account: Account | None, now: datetime | None = None, known: Reference | None = None
) -> tuple[Feedback, str]:
    """Create a feedback item with its photos; returns it and the secret token (shown once). `known`: the
    category × commune row the route already read with the form's questions (post_reads.py), if it did."""
    now = now or utcnow()
    # The category and the commune in one round trip; which one is missing only on refusal.
    found = known if known is not None else post_reads.reference(data.category_id, data.admin_unit_code)
    if found is None:
        raise FeedbackError(
            "category" if db.session.get(FeedbackCategory, data.category_id) is None else "commune"
        )
    if not found.answers(data.category_id, data.admin_unit_code):
        raise ValueError("the known category and commune are not the submission's")
    category, unit, calendar_token, disaster_declared, commune_agency = found
    calendar_version.remember(calendar_token)
    if not category.is_active:
        raise FeedbackError("category")
    if len(data.photos) + len(data.kept) > MAX_PHOTOS:
        raise FeedbackError("too_many_photos")
    processed = [process_photo(raw) for raw in data.photos]  # ImageRejected stops everything here
    local = now.astimezone(LOCAL_TZ)
    # A conduct complaint goes above the unit it names (portal.feedback.conduct).
    agency_id, named_agency_id = routed(category, data.admin_unit_code, commune_agency)
    nonce = data.nonce or form_nonce.new()
    token = link_token(nonce)
    item = Feedback(
        code=PROVISIONAL + form_nonce.new()[:18],  # never committed: numbered below
        token_hash=hash_token(token),
        form_nonce=form_nonce.stored(FORM, nonce),
        category_id=category.id,
        agency_id=agency_id,
        queue_rank=queue_rank(category.is_urgent),
        admin_unit_code=unit.code,
        title=clean(data.title),
        description=clean_lines(data.description),
        address=clean(data.address),
        latitude=data.latitude,
        longitude=data.longitude,
        contact_name=clean(data.contact_name),
        phone=data.phone,
        email=data.email.strip().lower(),
        show_name=data.show_name and not category.protects_reporter,
        precise_pin=data.precise_pin and not category.protects_reporter,
        named_agency_id=named_agency_id,
        reporter_hidden=category.protects_reporter,
        consent_version=CONSENT_VERSION,
        consent_at=now,
        locale=data.locale,
        account_id=account.id if account else None,
        status=S.NEW.value,
        submitted_at=now,
        received_on=receipt_day(calendar_around(local.date()), local, office_hours().closing),
    )
    for position, kept in enumerate(data.kept, 1):
        item.photos.append(
            FeedbackPhoto(
                position=position,
                stored_name=kept.stored_name,
                thumbnail_name=kept.thumbnail_name,
                width=kept.width,
                height=kept.height,
            )
        )
    for position, image in enumerate(processed, len(data.kept) + 1):
        item.photos.append(
            FeedbackPhoto(
                position=position,
                stored_name=storage.store(image.data, ".jpg"),
                thumbnail_name=storage.store(image.thumbnail, ".jpg"),
                width=image.width,
                height=image.height,
            )
        )
    # The category and the commune are given as loaded values, not as changes: the foreign keys above are
    # what is written, and the flush has no unchanged category and commune to cascade to and walk.
    set_committed_value(item, "category", category)
    set_committed_value(item, "admin_unit", unit)
    # Before the INSERT: the new item has no pauses to load; no declared days where none was ever declared.
    spans = deadlines.spans_of(item) if disaster_declared else []
    _refresh_due(item, spans)
    if not (processed or data.kept) and numbering.direct_ready():  # numbered, then one INSERT (numbering.py)
        numbering.insert_numbered(item, local.date(), account, search_keys)
    else:
        # The number first, as the direct INSERT takes it: both ways lock the day's counter row, then the
        # item's unique keys (its nonce), in that order. A report with photos and the same form sent without
        # them at the same moment, locking in opposite orders, deadlocked on PostgreSQL (a 503 instead of
        # "already sent"). The counter's row stays locked until the commit (gap-free codes).
        code = feedback_code(local.date(), next_value(FEEDBACK_SEQUENCE, local.date()))
        db.session.add(item)
        db.session.flush()
        numbering.number(item, code, account, search_keys)
    if spans:  # after its `submitted` line: the events that moved its date say so (portal/disasters)
        disasters.dated("feedback", item)
    return item, token


def route(category: FeedbackCategory, unit_code: str, commune_agency: int | None = None) -> int:
    """The agency that must act on a new report, by category and commune: the category's department, or,
    for a category whose first responder is the commune (no department set: village roads, waste,
    lighting, landslides, flash floods, forest fires), the People's Committee of the commune where the
    problem is. Administrators edit the table (the feedback categories admin page); staff forward an item
    that reached the wrong desk. `commune_agency`: the commune's agency when already read (post_reads.py)."""
    if category.default_agency_id is not None:
        return category.default_agency_id
    agency = commune_agency
    if agency is None:  # not read yet, or the commune has none (then refused below)
        agency = db.session.scalar(_COMMUNE_AGENCY, {"unit_code": unit_code})
    if agency is None:
        raise FeedbackError("commune")
    return agency


def routed(
    category: FeedbackCategory, unit_code: str, commune_agency: int | None = None
) -> tuple[int, int | None]:
    """(handling agency, named unit) of a new report: the ordinary `route`, then a conduct complaint goes
    above the unit it names (portal.feedback.conduct). What a new item gets, and what an API key's scope is
    checked against (portal/open311/operations.py)."""
    return conduct.route(category, route(category, unit_code, commune_agency))


def staff_act(
    item: Feedback,
    action: A,
    actor: Account,
    *,
    note: str = "",
    reason: str = "",
    agency_id: int | None = None,
    assignee_id: int | None = None,
    duplicate_of: Feedback | None = None,
    now: datetime | None = None,
) -> Notice | None:
    """Apply one staff action; raises NotPermitted, InvalidTransition or FeedbackError. `now`: the action's
    moment, when it is not the present (the demo's history)."""
    old = item.status_enum
    new = next_status(old, action, actor.role)
    note = clean_lines(note)
    now = now or utcnow()
    if action is A.REFUSE:
        if not reason:
            raise FeedbackError("reason")
        item.refusal_reason = reason
        item.closed_at = now
    elif action is A.MARK_DUPLICATE:
        if duplicate_of is None or duplicate_of.id == item.id:
            raise FeedbackError("duplicate")
        item.duplicate_of = duplicate_of
        item.refusal_reason = "duplicate"
        item.closed_at = now
        note = note or duplicate_of.code
    elif action is A.REQUEST_INFO:
        if not note:
            raise FeedbackError("note")
        item.info_request = note
        if not item.pauses:  # the first request: 5.2 judges it by its day, as the dashboard does
            item.info_request_late = deadlines.first_request_late(item, now)
        item.pauses.append(FeedbackPause(started_at=now))
    elif action is A.FORWARD:
        target = db.session.get(Agency, agency_id) if agency_id else None
        if target is None or target.id == item.agency_id or not target.is_active:
            raise FeedbackError("agency")
        if target.id == item.named_agency_id:  # a conduct complaint never goes to the unit it names
            raise FeedbackError("agency")
        item.agency_id, item.assignee_id = target.id, None
        item.forwarded_at = now  # the answer clock restarts (VIETNAM.md §6.2)
        note = note or target.name
    elif action is A.ASSIGN:
        assignee = account_queries.assignee_in(item.agency_id, assignee_id)
        if assignee is None:
            raise FeedbackError("assignee")
        item.assignee_id = assignee.id
        note = assignee.full_name
    elif action is A.ANSWER:
        if not note:
            raise FeedbackError("note")
        item.answer, item.answered_at, item.answered_by_id = note, now, actor.id
        item.is_published = True
        item.rating = ""  # a new answer can be rated again
    elif action is A.NOTE:
        if not note:
            raise FeedbackError("note")
    elif action is A.CLOSE:
        item.closed_at = now
    elif action is A.REOPEN:
        # reopen_count counts the citizen's "not satisfied" reopens only; staff reopening does not
        # use up the citizen's one chance.
        item.closed_at = None
    item.status = new.value
    if action in (A.REQUEST_INFO, A.REOPEN, A.FORWARD):
        _refresh_due(item)
    record(
        "feedback",
        item.id,
        action.value,
        actor_id=actor.id,
        from_status=old.value,
        to_status=new.value,
        note=note,
        public=action in PUBLIC_ACTIONS,
        at=now,
    )
    db.session.flush()
    return Notice(item, action) if action in NOTIFY_CITIZEN else None


def supply_info(item: Feedback, text: str) -> Event:
    """The citizen answers a request for information: the clock runs again. Returns the reply's timeline
    line (photos sent with the reply hang off it: reply.py)."""
    text = clean_lines(text)
    if not text:
        raise FeedbackError("note")
    old = item.status_enum
    new = next_status(old, A.SUPPLY_INFO, "citizen")
    open_pause = next((p for p in item.pauses if p.resumed_at is None), None)
    if open_pause is not None:
        open_pause.resumed_at = utcnow()
    item.status = new.value
    db.session.flush()
    _refresh_due(item)
    return record(
        "feedback",
        item.id,
        A.SUPPLY_INFO.value,
        actor_id=item.account_id,
        from_status=old.value,
        to_status=new.value,
        note=text,
        public=True,
    )


def rate(item: Feedback, satisfied: bool, comment: str, now: datetime | None = None) -> None:
    """Once per answer, within 7 days; 'not satisfied' reopens the item once."""
    now = now or utcnow()
    if item.answered_at is None:
        raise FeedbackError("not_answered")
    days = (now.astimezone(LOCAL_TZ).date() - item.answered_at.astimezone(LOCAL_TZ).date()).days
    if not may_rate(days, bool(item.rating)):
        raise FeedbackError("rating_closed")
    action = A.RATE_SATISFIED if satisfied else unsatisfied_action(item.reopen_count)
    old = item.status_enum
    new = next_status(old, action, "citizen")
    item.rating, item.rating_comment, item.rated_at = (
        ("satisfied" if satisfied else "unsatisfied"),
        clean_lines(comment)[:1000],
        now,
    )
    if action is A.RATE_UNSATISFIED:
        item.reopen_count += 1
        item.closed_at = None
    else:
        item.closed_at = now
    item.status = new.value
    record(
        "feedback",
        item.id,
        action.value,
        actor_id=item.account_id,
        from_status=old.value,
        to_status=new.value,
        note=item.rating_comment,
        public=True,
        at=now,
    )
    db.session.flush()
