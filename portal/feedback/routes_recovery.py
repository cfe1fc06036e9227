"""/feedback/lost-code: a citizen who lost a report's code gives the phone number or e-mail address they
reported with; the codes go there (SMS or e-mail), never on the screen. The same page whether or not
anything matched, rate limited per source address and per phone or address (SECURITY.md: no enumeration).
Also /feedback/<code>/withdraw: the citizen withdraws a report not answered yet (withdrawal.py).
"""

from __future__ import annotations

import hashlib

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from portal import throttle
from portal.extensions import db
from portal.forms import PortalForm, cleaned

from . import policy, queries, recovery, withdrawal
from .routes import bp

REQUESTS_PER_ADDRESS_HOUR, REQUESTS_PER_TARGET_DAY = 10, 3


class LostCodeForm(PortalForm):
    contact = StringField(
        _l("Mobile phone or e-mail you reported with"),
        filters=[cleaned],
        validators=[DataRequired(_l("Enter a mobile number or an e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "tel"},
    )


@bp.route("/lost-code", methods=["GET", "POST"])
def lost_code():
    form = LostCodeForm()
    if not form.validate_on_submit():
        return render_template("feedback/lost_code.html", form=form), 400 if request.method == "POST" else 200
    parsed = recovery.parse_contact(form.contact.data or "")
    if parsed is None:
        form.contact.errors = [_("Enter a Vietnamese mobile number (0912 345 678) or an e-mail address.")]
        return render_template("feedback/lost_code.html", form=form), 400
    kind, target = parsed
    message = _("Too many requests for codes. Please wait and try again later.")
    throttle.enforce(f"lost-code:ip:{throttle.client_source()}", REQUESTS_PER_ADDRESS_HOUR, 3600, message)
    # The counter's key names the target by a digest: no phone number or address in Redis.
    digest = hashlib.sha256(target.encode()).hexdigest()[:32]
    throttle.enforce(f"lost-code:to:{digest}", REQUESTS_PER_TARGET_DAY, 86400, message)
    recovery.send_codes(kind, target)
    db.session.commit()
    return render_template("feedback/lost_code_sent.html", kind=kind)


@bp.post("/<code>/withdraw")
def withdraw(code: str):
    """From the private status page (the secret link, the look-up, or the citizen's account)."""
    item = queries.by_code(code)
    if item is None or not policy.can_view_private(item):
        abort(404)
    try:
        withdrawal.withdraw(item, request.form.get("reason", ""))
    except withdrawal.NotWithdrawable:
        db.session.rollback()
        flash(_("This report can no longer be withdrawn."), "error")
        return redirect(url_for(".status", code=item.code))
    db.session.commit()
    flash(_("Your report was withdrawn. The agency no longer handles it."), "success")
    return redirect(url_for(".status", code=code))
