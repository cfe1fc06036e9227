"""/staff/steering: the steering actions of staff (closed by default; each route opens per role)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.auth.access import allow, protect
from portal.domain.text import clean
from portal.extensions import db
from portal.feedback import conduct, policy
from portal.feedback.models import Feedback

bp = protect(Blueprint("steering_staff", __name__, url_prefix="/staff/steering", template_folder="templates"))


@bp.post("/feedback/<code>/reveal")
@allow(*sorted(conduct.REVEAL_ROLES))
def reveal(code: str):
    """Show a conduct complaint's reporter once, to an officer who may, for a recorded reason."""
    item = db.session.scalar(select(Feedback).where(Feedback.code == code.upper()))
    if item is None or not policy.can_handle(item):
        abort(404)
    if not conduct.may_reveal(current_user, item):
        abort(403)
    reason = clean(request.form.get("reason", ""))[:300]
    if len(reason) < conduct.MIN_REASON:
        flash(_("Give the reason for revealing the reporter."), "error")
        return redirect(url_for("feedback_staff.item", code=item.code))
    conduct.reveal(item, current_user, reason)
    db.session.commit()
    return (
        render_template("steering/revealed.html", item=item, reason=reason),
        200,
        {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
