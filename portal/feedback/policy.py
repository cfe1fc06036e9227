"""Who may see what of a feedback item: the one place the feedback routes ask (citizen and staff side).

portal/auth/access.py keeps only the app-wide guards (sign-in, roles, the officer's agency); the rules that
are about feedback live here.
"""

from __future__ import annotations

from typing import Protocol

from flask_login import current_user

from portal.accounts.models import Account
from portal.auth.access import can_see_agency
from portal.domain.roles import CONTACT_VIEWERS
from portal.tracking import access

from . import conduct
from .models import Feedback


class Owned(Protocol):
    """What the private-page check reads: a Feedback, or the status page's key row."""

    @property
    def id(self) -> int: ...
    @property
    def account_id(self) -> int | None: ...


def can_view_private(item: Owned) -> bool:
    """The item's private page: the reporter's account, or a browser given access (receipt, secret link,
    tracking look-up)."""
    return access.may_view("feedback", item.id, item.account_id)


def can_see_photo_file(item: Feedback, redacted: bool) -> bool:
    """A photo staff hid from the public (the "redact" action) stays visible to its agency and its reporter."""
    if not redacted:
        return can_see_photo(item)
    staff_ok = current_user.is_authenticated and current_user.is_staff and can_handle(item)
    return can_view_private(item) or staff_ok


def can_handle(item: Feedback) -> bool:
    """Staff pages of an item: officers of its agency (the province admin: all). For anyone else the item
    does not exist (404), and a duplicate of it cannot be named. Nor for the unit a conduct complaint names
    (conduct.hidden_from), even as the province's administrator."""
    return can_see_agency(item.agency_id) and not conduct.hidden_from(current_user.agency_id, item)


def can_see_photo(item: Feedback) -> bool:
    """Photos of a published item are public; others only for its citizen and its agency's staff."""
    staff_ok = current_user.is_authenticated and current_user.is_staff and can_handle(item)
    return item.is_published or can_view_private(item) or staff_ok


def may_see_contact(user: Account, item: Feedback) -> bool:
    """SECURITY.md I30: the reporter's full phone only to the officer handling the item (and leaders)."""
    return user.role in CONTACT_VIEWERS or item.assignee_id == user.id
