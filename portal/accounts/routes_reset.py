"""Forgotten password: ask for a link (/forgot-password), open it (/reset/<token>), set a new password.
With a mobile number instead of an e-mail address, a 6-digit code is texted and /reset/code takes it with
the new password. Either way the answer is the same whether or not an account has that address or phone.

The link's token appears in one request only: /reset/<token> moves it into the session and redirects to
/reset, so the page with the form carries no secret in its address (nothing leaks through the Referer
header or the browser's history). The reset signs nobody in.
"""

from __future__ import annotations

import hashlib

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user

from portal import mail, throttle
from portal.domain.phone import national_format
from portal.extensions import db

from . import operations, reset, signup
from .forms import ForgotPasswordForm, PhoneResetForm, ResetPasswordForm
from .routes import bp

RESET_TOKEN = "reset_token"  # noqa: S105 - the session key's name, not a secret
RESET_PHONE = "reset_phone"
CHECKS_PER_ADDRESS, CHECK_WINDOW = 30, 3600
# Per source address and per e-mail address, whether or not an account has it.
REQUESTS_PER_ADDRESS, REQUESTS_PER_EMAIL, REQUEST_WINDOW = 10, 3, 3600


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render_template("accounts/forgot.html", form=form), 400 if request.method == "POST" else 200
    email = operations.sign_in_name(form.email.data or "")
    by_phone = email.startswith("+")
    if by_phone and not signup.texts_ready():  # the same for every number: it tells nothing
        form.email.errors = [
            _(
                "This portal cannot send text messages at the moment. Enter the e-mail address of your "
                "account, or ask the commune's one-stop desk for help."
            )
        ]
        return render_template("accounts/forgot.html", form=form), 400
    message = _("Too many requests for a new password. Please wait and try again later.")
    address = throttle.client_source()
    throttle.enforce(f"reset:ip:{address}", REQUESTS_PER_ADDRESS, REQUEST_WINDOW, message)
    digest = hashlib.sha256(email.encode()).hexdigest()[:32] if by_phone else email
    throttle.enforce(f"reset:email:{digest}", REQUESTS_PER_EMAIL, REQUEST_WINDOW, message)
    if by_phone:
        return _text_code(email)
    issued = reset.request_reset(email)
    if issued is not None:
        account, token = issued
        link = current_app.config["PORTAL_SETTINGS"].base_url + url_for(".reset_link", token=token)
        mail.queue(
            account.email,
            "accounts/email/reset.txt",
            account.locale,
            account=account,
            link=link,
            minutes=_minutes(),
        )
    else:
        mail.queue_nothing()  # one outbox row either way: the request costs the same
    db.session.commit()
    # The same answer whether or not the address has an account.
    return render_template("accounts/forgot_sent.html", minutes=_minutes())


@bp.get("/reset/<token>")
def reset_link(token: str):
    if reset.valid_token(token) is None:
        return _invalid()
    session[RESET_TOKEN] = token
    return redirect(url_for(".reset_password"))


def _invalid():
    return render_template("accounts/reset_invalid.html", minutes=_minutes()), 404


def _minutes() -> int:
    return int(reset.LIFETIME.total_seconds() // 60)


@bp.route("/reset", methods=["GET", "POST"])
def reset_password():
    token = session.get(RESET_TOKEN)
    if not isinstance(token, str) or reset.valid_token(token) is None:
        session.pop(RESET_TOKEN, None)
        return _invalid()
    form = ResetPasswordForm()
    if form.validate_on_submit():
        account = reset.use_token(token, form.password.data)
        session.pop(RESET_TOKEN, None)
        if account is None:  # used in another tab a moment ago
            db.session.rollback()
            return _invalid()
        db.session.commit()
        logout_user()  # whatever this browser was signed in as ends here (the account's sessions all ended)
        session.clear()
        flash(
            _(
                "Your password was changed and every session of your account has ended. Sign in with the new "
                "password."
            ),
            "success",
        )
        return redirect(url_for(".login"))
    return render_template("accounts/reset.html", form=form), 400 if request.method == "POST" else 200


def _text_code(phone: str):
    issued = reset.request_phone_reset(phone)
    if issued is not None:
        signup.text_code(phone, issued[1], reset.PHONE_PURPOSE)
    db.session.commit()
    session[RESET_PHONE] = phone  # the same next page whether or not an account has the number
    return redirect(url_for(".reset_by_code"))


@bp.route("/reset/code", methods=["GET", "POST"])
def reset_by_code():
    phone = session.get(RESET_PHONE)
    if not isinstance(phone, str):
        return redirect(url_for(".forgot_password"))
    form = PhoneResetForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            throttle.enforce(f"reset:check:{throttle.client_source()}", CHECKS_PER_ADDRESS, CHECK_WINDOW)
            account = reset.use_phone_code(phone, form.code.data or "", form.password.data)
            db.session.commit()  # a wrong try counts
            if account is not None:
                logout_user()
                session.clear()
                flash(
                    _(
                        "Your password was changed and every session of your account has ended. Sign in "
                        "with the new password."
                    ),
                    "success",
                )
                return redirect(url_for(".login"))
            form.code.errors = [
                _("This code is wrong or has expired. Check the text message, or ask for a new code.")
            ]
    minutes = int(signup.CODE_LIFETIME.total_seconds() // 60)
    return render_template(
        "accounts/reset_code.html", form=form, phone=national_format(phone), minutes=minutes
    ), status
