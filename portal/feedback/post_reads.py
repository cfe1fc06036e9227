"""What a report's POST reads before it writes (routes.py `submit`, operations.py `submit`), in one statement for
a plain post (issue 17, bench/notes/submit5.md).

A post that posted_form.py read without the form (a `PostedReport`: no photo, no help button, category and
commune among the choices) used to make three round trips before its first write: the item already sent with
this form's nonce, the photos kept as drafts by an earlier post of the same form, then the category with the
commune. Each cost the worker ~0.25 ms of SQLAlchemy and psycopg, and PostgreSQL a wake-up. `read` asks the
three in one SELECT: the category × commune row (`REFERENCE`, as operations.submit reads it) with two
scalar subqueries on unique or indexed keys. When that row is absent (a category or commune gone since the
choices were listed) it answers None and the route makes today's separate statements, so every refusal and
its page stay as they were.

Nothing here is locked: the SELECT takes no row lock, so the order the writes lock in (the day's counter row,
then the item's unique keys: operations.submit) is unchanged, and two posts of the same form that both miss
the earlier item still meet at the unique index (routes.py's IntegrityError path).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import bindparam, exists, select, true

from portal.agencies.models import Agency
from portal.calendar import version as calendar_version
from portal.calendar.disasters import DisasterCommune
from portal.extensions import db
from portal.places.models import AdminUnit
from portal.uploads.drafts import UploadDraft

from .models import Feedback, FeedbackCategory


class Reference(NamedTuple):
    """The category and the commune of a new report, with what deciding its agency and deadline needs."""

    category: FeedbackCategory
    unit: AdminUnit
    calendar_token: str | None  # the calendar's version token (the receipt day and the deadline need it)
    disaster_declared: bool  # ever declared for the commune: almost never (then no declared days to read)
    commune_agency: int | None  # the commune's People's Committee (agencies.admin_unit_code is unique)

    def answers(self, category_id: int, unit_code: str) -> bool:
        """Whether this is the row of this category and commune."""
        return self.category.id == category_id and self.unit.code == unit_code


# The category and the commune in one round trip (a one-row join: a join on purpose, not an accidental
# cartesian product); the calendar's version token comes along, whether a disaster was ever declared for the
# commune (an indexed EXISTS instead of a round trip), and the commune's agency for a category routed to the
# commune (a unique key: at most one row, so a scalar subquery). Built once (its cache key computed once).
REFERENCE = (
    select(
        FeedbackCategory,
        AdminUnit,
        calendar_version.token_column(),
        select(DisasterCommune.event_id).where(DisasterCommune.admin_unit_code == AdminUnit.code).exists(),
        select(Agency.id).where(Agency.admin_unit_code == AdminUnit.code).scalar_subquery(),
    )
    .join(AdminUnit, true())
    .where(FeedbackCategory.id == bindparam("category_id"), AdminUnit.code == bindparam("unit_code"))
)
# With the form's two questions: the item already sent with its nonce (form_nonce is unique), and whether
# it has drafts (photo_drafts.form_key is indexed).
_WITH_FORM = REFERENCE.add_columns(
    select(Feedback.id).where(Feedback.form_nonce == bindparam("nonce")).scalar_subquery(),
    exists().where(UploadDraft.form_key == bindparam("draft_key")),
)


def reference(category_id: int, unit_code: str) -> Reference | None:
    """The category × commune row, or None when either is missing."""
    found = db.session.execute(REFERENCE, {"category_id": category_id, "unit_code": unit_code}).first()
    return None if found is None else Reference(*found)


@dataclass(frozen=True)
class PostReads:
    """The answers of `read`: the reference row, and the form's earlier item and drafts."""

    reference: Reference
    sent_id: int | None  # the item already created with this form's nonce
    has_drafts: bool  # photos kept as drafts of this form by an earlier post

    def sent(self) -> Feedback | None:
        return None if self.sent_id is None else db.session.get(Feedback, self.sent_id)


def may_have_drafts(reads: PostReads | None) -> bool:
    """Whether the form may have photos kept as drafts: as a plain post's `read` found, else not known (yes)."""
    return reads is None or reads.has_drafts


def read(category_id: int, unit_code: str, stored_nonce: str, draft_key: str) -> PostReads | None:
    """The three reads in one statement; None when the category or the commune is missing (ask separately).
    `stored_nonce` and `draft_key` as form_nonce.stored and drafts.key give them."""
    found = db.session.execute(
        _WITH_FORM,
        {"category_id": category_id, "unit_code": unit_code, "nonce": stored_nonce, "draft_key": draft_key},
    ).first()
    if found is None:
        return None
    *row, sent_id, has_drafts = found
    return PostReads(Reference(*row), sent_id, bool(has_drafts))
