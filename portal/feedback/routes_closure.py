"""/feedback/<code>/fixed/<token>: the citizen's one-tap "is it fixed?" question (no sign-in, no JavaScript;
the GET only shows it, the answer is a POST with its CSRF token), and /feedback/after-photos/<name>: the
"after" photos of answers given as fixed (portal/feedback/closure.py). Views of the feedback blueprint."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from portal.extensions import db
from portal.uploads import serving

from . import closure, policy
from .forms import FixReplyForm
from .models import FeedbackFix
from .routes import bp

# The token is in the address: never stored by a cache (the app's Referrer-Policy already sends other sites
# the origin only).
PRIVATE = {"Cache-Control": "no-store"}


@bp.route("/<code>/fixed/<token>", methods=["GET", "POST"])
def fix_question(code: str, token: str):
    """A wrong token, or another report's, is a missing page."""
    fix = closure.find(code, token, lock=request.method == "POST") or abort(404)
    form = FixReplyForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            if closure.reply(fix, form.answer.data == "yes", form.comment.data or "") is not None:
                flash(_("Thank you: your reply is recorded."), "success")
            db.session.commit()
            return redirect(url_for(".fix_question", code=code, token=token), 303)
        db.session.rollback()
        status = 400
        flash(_("Choose one answer."), "error")
    return (
        render_template("feedback/fix_question.html", item=fix.feedback, fix=fix, form=form),
        status,
        PRIVATE,
    )


@bp.get("/after-photos/<name>")
def after_photo(name: str):
    """Public with the published report (like its other photos); otherwise its citizen and its agency."""
    fix = db.session.scalar(
        select(FeedbackFix).where(or_(FeedbackFix.stored_name == name, FeedbackFix.thumbnail_name == name))
    )
    if fix is None or not policy.can_see_photo(fix.feedback):
        abort(404)
    item = fix.feedback
    handle = serving.open_stored(name)
    if handle is None:
        return serving.missing_file_page()
    label = f"{item.code}-after{'-thumb' if name == fix.thumbnail_name else ''}.jpg"
    if not item.is_published:
        serving.audit_download("feedback", item.id, label)
        db.session.commit()
    return serving.attachment(handle, name, "image/jpeg", label, public=item.is_published)
