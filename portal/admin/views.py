"""Shared pieces of the administration pages (/staff/admin/...), used by every feature's routes_admin.

Invalid input re-renders the form with translated errors (400) and changes nothing; a refused action
answers 403; two administrators saving the same thing at once get a flash, not a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from portal.domain.ids import parse_id
from portal.domain.roles import Role
from portal.errors import render_error
from portal.extensions import db

from .changes import Forbidden, Invalid
from .forms import ToggleForm

URL_PREFIX = "/staff/admin"
# Who administers: the agency administrator inside their agency, the province administrator everywhere.
ADMINS = (Role.AGENCY_ADMIN, Role.ADMIN)
PAGE = 50  # rows per page of a long list (procedures, accounts)


def admin_blueprint(name: str, import_name: str) -> Blueprint:
    """A feature's administration blueprint under /staff/admin, with its templates and the shared error
    handlers. The caller closes it with portal.auth.access.protect and opens each view with @allow."""
    blueprint = Blueprint(name, import_name, url_prefix=URL_PREFIX, template_folder="templates")
    blueprint.register_error_handler(Forbidden, forbidden)
    blueprint.register_error_handler(IntegrityError, conflict)
    return blueprint


def forbidden(error):
    db.session.rollback()
    return render_error(403)


def conflict(error):
    """Two administrators saved the same thing at once (a code, an e-mail, a date, the bank row): the
    database refused the second; nothing of it was written."""
    db.session.rollback()
    flash(
        _("Someone else changed this at the same time, so nothing was saved. Check and try again."), "error"
    )
    return redirect(request.path)


def province() -> bool:
    """The signed-in administrator is the province's (not an agency's)."""
    return current_user.role == Role.ADMIN


def fail(form, error: Invalid) -> None:
    """Show an operation's refusal on its field (or above the form when the field is not shown)."""
    db.session.rollback()
    if error.field in form._fields:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        form.form_errors.append(error.message)


def form_status() -> int:
    """A form sent back with errors answers 400; the page itself 200."""
    return 400 if request.method == "POST" else 200


def saved(changed: bool) -> None:
    db.session.commit()
    flash(_("Saved.") if changed else _("Nothing was changed."), "success")


def save(form, operation: Callable[[], Any], then: str | Callable[[Any], str]) -> Response | None:
    """Validate `form`, run `operation`, commit, flash "Saved." ("Nothing was changed." when it returned
    False) and redirect to `then`, or to `then(result)` (the page of what it created). None when the form was
    not sent or not valid, or the operation refused it (its message is then on the form): the caller renders
    the form again."""
    if not form.validate_on_submit():
        return None
    try:
        result = operation()
    except Invalid as error:
        fail(form, error)
        return None
    saved(result is not False)
    return redirect(then(result) if callable(then) else then)


def id_or_none(value: str | None) -> int | None:
    return parse_id(value)


def toggle_wanted() -> bool | None:
    """The on/off state a ToggleForm asks for; None when the form is not valid."""
    form = ToggleForm()
    if not form.validate_on_submit():
        return None
    return form.active.data == "1"
