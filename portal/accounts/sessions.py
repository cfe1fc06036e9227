"""What the session cookie holds about signing in: the half-signed state between the password and the
second factor, whether the second factor was passed, and the last activity of a staff session (which ends
after PORTAL_STAFF_IDLE_MINUTES).

Both live in the signed session cookie, so nothing is written to the database on an ordinary request.
"""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal import visitor
from portal.extensions import db
from portal.http_cache import is_sessionless
from portal.security import return_path

from . import two_factor
from .models import Account

PENDING = "pending_sign_in"
SEEN = "seen"
SECOND_FACTOR_PASSED = "mfa"
SIGNED_IN_AT = "signed_in_at"
# A staff session ends this long after its sign-in however active it is (SECURITY.md check 5: 30 min idle,
# 12 h absolute): activity rewrites the signed cookie every minute, so without it a session, or a copy of
# its cookie kept in use, lasted forever.
STAFF_SESSION_HOURS = 12
# The password step is good for this long; then the person starts again from the password.
PENDING_SECONDS = 5 * 60
# Last activity is rewritten at most this often (one Set-Cookie a minute, not on every request).
SEEN_RESOLUTION = 60

clock = time.time  # replaced by tests to move time forward


def begin_second_step(account: Account, step: str, next_path: str | None) -> None:
    """The password was right but the person is not signed in: remember who, until when, and why."""
    session.clear()  # a fresh session: no fixation, and nothing of a previous sign-in survives
    session[PENDING] = {
        "id": account.id,
        "v": account.session_version,
        "at": clock(),
        "step": step,
        "next": next_path or "",
    }


def pending() -> tuple[Account, str, str] | None:
    """(account, step, next) of this session's half-signed state, if it is still valid."""
    state = session.get(PENDING)
    if not isinstance(state, dict):
        return None
    if clock() - float(state.get("at", 0)) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    account = db.session.get(Account, int(state.get("id", 0)))
    if account is None or not account.is_enabled or account.session_version != state.get("v"):
        session.pop(PENDING, None)
        return None
    return account, str(state.get("step")), str(state.get("next") or "")


def finish_sign_in(account: Account, second_factor: bool = False) -> None:
    session.clear()
    login_user(account)
    session[SEEN] = session[SIGNED_IN_AT] = clock()
    if second_factor:
        session[SECOND_FACTOR_PASSED] = True


def end_idle_staff_session():
    """before_request: sign a staff session out after the idle period, and send one that passed no second
    factor to it when the policy now requires one. Citizens keep today's behaviour."""
    if request.endpoint == "static" or is_sessionless():  # a file or an image: not activity, same for all
        return None
    now = clock()
    state = session.get(PENDING)
    if isinstance(state, dict) and now - float(state.get("at", 0)) > PENDING_SECONDS:
        session.pop(PENDING, None)
    user = visitor.user()  # one look-up, not two through the proxies
    if not user.is_authenticated or not user.is_staff:
        return None
    minutes = current_app.config["PORTAL_SETTINGS"].staff_idle_minutes
    seen = session.get(SEEN)
    if isinstance(seen, int | float) and now - seen > minutes * 60:
        return _sign_out_and_return(
            _(
                "You were signed out after %(minutes)d minutes without activity. Please sign in again.",
                minutes=minutes,
            )
        )
    signed_in_at = session.get(SIGNED_IN_AT)
    if not isinstance(signed_in_at, int | float):  # a session from before this rule: its clock starts now
        session[SIGNED_IN_AT] = signed_in_at = now
    if now - signed_in_at > STAFF_SESSION_HOURS * 3600:
        return _sign_out_and_return(
            _(
                "You were signed out because you signed in more than %(hours)d hours "
                "ago. Please sign in again.",
                hours=STAFF_SESSION_HOURS,
            )
        )
    if not isinstance(seen, int | float) or now - seen >= SEEN_RESOLUTION:
        session[SEEN] = now
    if not session.get(SECOND_FACTOR_PASSED):
        return _second_factor_now_due()
    return None


def _sign_out_and_return(message: str):
    logout_user()
    session.clear()
    flash(message, "error")
    return redirect(url_for("accounts.login", next=return_path()))


def _second_factor_now_due():
    """A staff session signed in with the password alone, while the policy now requires a second factor
    (turned on since): it continues only through enrolment (or the code, if enrolled meanwhile)."""
    account = current_user._get_current_object()
    step = two_factor.second_step(account)
    if step is None or request.endpoint in ("accounts.enrol", "accounts.logout"):
        return None
    logout_user()
    begin_second_step(account, step, return_path())
    return redirect(url_for("accounts.second_factor" if step == two_factor.VERIFY else "accounts.enrol"))
