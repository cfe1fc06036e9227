"""Who the "my data" pages are about, and who may open a restricted dossier.

The subject is the feedback item whose secret link this browser opened for its data (an anonymous
reporter), else the signed-in citizen's account. Staff accounts have no "my data" pages: their data is
the province's staff register. A restricted dossier is opened only by an authorised officer: the leader of
its agency or the province admin, each opening logged (routes_staff.py).
"""

from __future__ import annotations

from flask import session
from flask_login import current_user

from portal.domain.roles import Role
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.feedback.models import Feedback
from portal.security import private_grant

from .queries import ACCOUNT, FEEDBACK, Subject

SESSION_ITEM = private_grant("privacy_item")  # every page no-store while it is held
AUTHORISED = frozenset({Role.LEADER.value, Role.ADMIN.value})


def open_item(item: Feedback) -> None:
    session[SESSION_ITEM] = item.id


def leave_item() -> None:
    session.pop(SESSION_ITEM, None)


def current_subject() -> Subject | None:
    item_id = session.get(SESSION_ITEM)
    if item_id is not None:
        if db.session.get(Feedback, item_id) is not None:
            return Subject(FEEDBACK, item_id)
        leave_item()
    if current_user.is_authenticated and not current_user.is_staff:
        return Subject(ACCOUNT, current_user.id)
    return None


def actor_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def may_open_restricted(dossier: Dossier) -> bool:
    if not current_user.is_authenticated or current_user.role not in AUTHORISED:
        return False
    return current_user.role == Role.ADMIN or current_user.agency_id == dossier.agency_id
