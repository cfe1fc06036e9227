"""/track: code + last 4 digits of the phone. Rate-limited per address AND per code; a wrong guess reveals
nothing.

Four digits are only 10,000 possibilities, so an attacker with many addresses could still walk them for one
code. After LOOKUP_FAILURES_PER_CODE wrong answers for a code within a day, the code can no longer be
opened with digits at all (not even the right ones, which an attacker's lucky guess would look like); the
citizen is told why and still opens it with the private link or QR on the receipt, from a browser that
already opened it, when signed in, or at the one-stop desk.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal import shared_phone, throttle
from portal.domain.phone import last_digits
from portal.forms import required

from . import access, lookup
from .forms import TrackForm

bp = Blueprint("tracking", __name__, template_folder="templates")

# SECURITY.md B10: per address, at most 10 look-ups a minute and 100 a day.
LOOKUPS_PER_MINUTE, LOOKUPS_PER_DAY = 10, 100
# Per code, whatever the address: a success probability of at most 5 in 10,000 a day for one code.
LOOKUP_FAILURES_PER_CODE, CODE_LOCK_SECONDS = 5, 86400


def _code_key(code: str) -> str:
    return f"track:code:{code}"


def _locked_page(form: TrackForm, code: str):
    wait = throttle.retry_after(_code_key(code), CODE_LOCK_SECONDS)
    page = render_template("tracking/track.html", form=form, locked=True)
    return page, 429, {"Retry-After": str(wait)}


@bp.route("/track", methods=["GET", "POST"])
def track():
    form = TrackForm()
    if request.method == "GET":
        form.code.data = request.args.get("code", "")[:60]
        return render_template("tracking/track.html", form=form)
    if not form.validate_on_submit():
        return render_template("tracking/track.html", form=form), 400
    address = throttle.client_source()
    throttle.enforce(f"track:min:{address}", LOOKUPS_PER_MINUTE, 60)
    throttle.enforce(f"track:day:{address}", LOOKUPS_PER_DAY, 86400)
    code = required(form.code).strip().upper()
    # Count the attempt before comparing (atomic, so guesses sent at the same instant are capped too); a
    # right answer gives it back below. The same answer for a code that exists and one that does not.
    attempt = throttle.hit(_code_key(code), CODE_LOCK_SECONDS)
    if attempt > LOOKUP_FAILURES_PER_CODE:
        return _locked_page(form, code)
    kind = lookup.kind_of(code)  # a feedback code (PA-...) or a dossier's: see the features' wiring.py
    item = kind.find(code) if kind else None
    expected = last_digits(item.phone, 4) if item else "0000"
    # Constant-time comparison, and the same answer for an unknown code and a wrong number.
    given = required(form.phone_digits).strip().encode("utf-8")
    if item is None or not hmac.compare_digest(expected.encode(), given):
        if attempt >= LOOKUP_FAILURES_PER_CODE:
            return _locked_page(form, code)
        form.phone_digits.errors = [
            _("We found nothing for this code and phone number. Check both and try again.")
        ]
        return render_template("tracking/track.html", form=form), 404
    throttle.give_back(_code_key(code), CODE_LOCK_SECONDS)  # only wrong answers count towards the lock
    assert kind is not None  # the item was found through it
    if form.shared_phone.data:
        shared_phone.begin()  # the earlier visitor's items are forgotten before this one's is remembered
    access.grant(kind.name, item.id)
    return redirect(url_for(kind.endpoint, code=item.code))
