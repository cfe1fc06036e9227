"""The second sign-in step (/login/two-factor) and enrolment (/login/two-factor/setup).

Until the second factor passes, the session is not signed in: it only holds the half-signed state of
portal.accounts.sessions (who, when, why), which lasts five minutes and dies with the session.
"""

from __future__ import annotations

import base64

from flask import abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal import qr
from portal.events.operations import record
from portal.extensions import db

from . import limits, operations, sessions, totp, two_factor
from .forms import EnrolForm, SecondFactorForm
from .routes import bp, landing, safe_next

ENROL_SECRET = "enrol_secret"  # noqa: S105 - the session key's name; the value stored is encrypted


def _start_again():
    flash(_("Your sign-in took too long or was interrupted. Please enter your password again."), "error")
    return redirect(url_for(".login"))


def _clear(field) -> None:
    """A refused code is worth nothing: show the box empty, ready for the next code (no deleting first)."""
    field.raw_data, field.data = [], ""


def _private(response, status: int = 200):
    """Pages with a secret or codes on them are never stored by the browser or a proxy."""
    response = make_response(response, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login/two-factor", methods=["GET", "POST"])
def second_factor():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    state = sessions.pending()
    if state is None or state[1] != two_factor.VERIFY:
        return _start_again()
    account, _step, target = state
    form = SecondFactorForm()
    status = 200
    if form.validate_on_submit():
        limits.enforce("2fa", str(account.id), account.id)
        used_recovery = not (form.code.data or "").strip()
        if two_factor.verify(account, form.given()):
            operations.record_sign_in(account)
            sessions.finish_sign_in(account, second_factor=True)
            if used_recovery:
                left = two_factor.remaining_recovery_codes(account)
                flash(
                    ngettext(
                        "You used a recovery code. %(num)d recovery code is left.",
                        "You used a recovery code. %(num)d recovery codes are left.",
                        left,
                    ),
                    "success",
                )
            db.session.commit()
            return limits.remember_device(redirect(safe_next(target, account)), account.id)
        db.session.commit()  # the audit record of the failed attempt
        field = form.code if not used_recovery else form.recovery_code
        _clear(field)
        field.errors = [
            _("This code is not valid, or it has already been used. Wait for the next code and try again.")
            if not used_recovery
            else _("This recovery code is not valid or has already been used.")
        ]
        status = 401
    elif request.method == "POST":
        status = 400
    return _private(render_template("accounts/two_factor.html", form=form), status)


def _enrolling():
    """(account, where to go afterwards, already signed in?) or None."""
    if current_user.is_authenticated:
        if not current_user.is_staff:
            abort(404)
        return current_user._get_current_object(), landing(current_user), True
    state = sessions.pending()
    if state is None or state[1] != two_factor.ENROL:
        return None
    account, _step, target = state
    return account, target, False


@bp.route("/login/two-factor/setup", methods=["GET", "POST"])
def enrol():
    found = _enrolling()
    if found is None:
        return _start_again()
    account, target, signed_in = found
    if not signed_in and not two_factor.may_enrol_after_password(
        account, limits.trusted_device(account.id) is not None
    ):
        record(
            "account",
            account.id,
            "two_factor_enrol_refused",
            actor_id=account.id,
            note="password alone, from a browser the account never signed in from",
        )
        db.session.commit()
        return _private(render_template("accounts/two_factor_enrol_elsewhere.html"), 403)
    if two_factor.is_enrolled(account):
        flash(_("Two-step sign-in is already on for this account."), "success")
        return redirect(safe_next(target, account))
    secret = two_factor.enrolment_secret(session.get(ENROL_SECRET))
    if secret is None:
        session[ENROL_SECRET] = two_factor.new_enrolment()
        secret = two_factor.enrolment_secret(session[ENROL_SECRET])
    assert secret is not None  # a secret sealed a moment ago opens
    form = EnrolForm()
    status = 200
    if form.validate_on_submit():
        limits.enforce("2fa", str(account.id), account.id)
        codes = two_factor.confirm_enrolment(account, secret, form.code.data)
        if codes is not None:
            session.pop(ENROL_SECRET, None)
            if signed_in:
                session[sessions.SECOND_FACTOR_PASSED] = True
            else:
                operations.record_sign_in(account)
                sessions.finish_sign_in(account, second_factor=True)
            db.session.commit()
            page = _private(
                render_template(
                    "accounts/recovery_codes.html", codes=codes, target=safe_next(target, account)
                )
            )
            return page if signed_in else limits.remember_device(page, account.id)
        db.session.commit()  # the audit record of the failed attempt
        _clear(form.code)
        form.code.errors = [
            _("This code is not valid. Check the time on your phone and enter the code the app shows now.")
        ]
        status = 401
    elif request.method == "POST":
        status = 400
    uri = totp.provisioning_uri(secret, account.email)
    image = "data:image/svg+xml;base64," + base64.b64encode(qr.svg(uri)).decode("ascii")
    return _private(
        render_template(
            "accounts/two_factor_setup.html",
            form=form,
            qr_image=image,
            uri=uri,
            secret=totp.grouped(secret),
            email=account.email,
            required=not signed_in,
        ),
        status,
    )
