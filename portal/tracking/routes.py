"""/track: code + last 4 digits of the phone. Rate-limited; a wrong guess reveals nothing."""
from __future__ import annotations

import hmac

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.domain.codes import looks_like_feedback_code
from portal.domain.phone import last_digits
from portal.feedback import queries as feedback_queries
from portal.feedback.forms import TrackForm
from portal.dossiers import queries as dossier_queries
from portal.throttle import over_limit
from portal.tracking import access

bp = Blueprint("tracking", __name__, template_folder="templates")


@bp.route("/track", methods=["GET", "POST"])
def track():
    form = TrackForm()
    if request.method == "GET":
        form.code.data = request.args.get("code", "")[:60]
        return render_template("tracking/track.html", form=form)
    if not form.validate_on_submit():
        return render_template("tracking/track.html", form=form), 400
    # SECURITY.md B10: at most 10 look-ups a minute and 100 a day from one address.
    if over_limit(f"track:min:{request.remote_addr}", 10, 60) or over_limit(f"track:day:{request.remote_addr}",
                                                                           100, 86400):
        abort(429)
    code = form.code.data.strip().upper()
    if looks_like_feedback_code(code):
        kind, item = "feedback", feedback_queries.by_code(code)
    else:
        kind, item = "dossier", dossier_queries.by_code(code)
    expected = last_digits(item.phone, 4) if item else "0000"
    # Constant-time comparison, and the same answer for an unknown code and a wrong number.
    given = form.phone_digits.data.strip().encode("utf-8")
    if item is None or not hmac.compare_digest(expected.encode(), given):
        form.phone_digits.errors = [_("We found nothing for this code and phone number. Check both and try again.")]
        return render_template("tracking/track.html", form=form), 404
    access.grant(kind, item.id)
    return redirect(url_for("feedback.status" if kind == "feedback" else "dossiers.status", code=item.code))
