"""Citizen sign-up (/register): name and an e-mail address or a mobile phone, a 6-digit code e-mailed or
texted to prove it, then a password (Argon2id, the same rules as staff). The answer to step 1 is the same
whether or not the address or phone already has an account (its owner is told so by e-mail or text instead
of getting a code): nobody learns from this page who has an account. Codes are rate limited per source
address and per e-mail address or phone, across processes (portal.throttle).
"""

from __future__ import annotations

import hashlib

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import mail, throttle
from portal.domain.phone import InvalidPhone, national_format, normalise_mobile
from portal.domain.text import clean
from portal.extensions import db
from portal.i18n import locale_code

from . import operations, sessions, signup
from .forms import SignUpForm, SignUpVerifyForm
from .routes import bp, landing

PENDING = "signup_pending"
# SECURITY.md row 3: at most 3 codes per 15 minutes per address; per source, 10 an hour.
CODES_PER_TARGET, TARGET_WINDOW = 3, 900
CODES_PER_ADDRESS, ADDRESS_WINDOW = 10, 3600
CHECKS_PER_ADDRESS = 30


def _minutes() -> int:
    return int(signup.CODE_LIFETIME.total_seconds() // 60)


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(landing(current_user))
    form = SignUpForm()
    if request.method == "POST" and form.validate_on_submit():
        phone = None
        by_phone = form.channel.data == "phone"
        if form.phone.data:
            try:
                phone = normalise_mobile(form.phone.data)
            except InvalidPhone:
                form.phone.errors = [_("Enter a Vietnamese mobile number, for example 0912 345 678.")]
        if by_phone and not form.phone.errors and not signup.texts_ready():
            form.channel.errors = [no_texts()]
        if not form.phone.errors and not form.channel.errors:
            email = (form.email.data or "").strip().lower()
            target = phone if by_phone and phone else email
            message = _("Too many codes were asked for. Please wait and try again later.")
            throttle.enforce(
                f"signup:ip:{throttle.client_source()}", CODES_PER_ADDRESS, ADDRESS_WINDOW, message
            )
            digest = hashlib.sha256(target.encode()).hexdigest()[:32]  # no address in the counter's key
            throttle.enforce(f"signup:to:{digest}", CODES_PER_TARGET, TARGET_WINDOW, message)
            name = clean(form.full_name.data or "")[:120]
            if by_phone and phone:
                # Texted: a code, or (the number is already proven by an account) a "you have an account".
                if signup.taken(phone):
                    signup.text_taken(phone)
                else:
                    signup.text_code(phone, signup.issue_code(phone))
                db.session.commit()
                session[PENDING] = {"phone": phone, "name": name}
                return redirect(url_for(".register_verify"))
            if signup.taken(email):
                mail.queue(email, "accounts/email/signup_taken.txt", "vi" if _locale_vi() else "en")
            else:
                code = signup.issue_code(email)
                mail.queue(
                    email,
                    "accounts/email/signup_code.txt",
                    "vi" if _locale_vi() else "en",
                    code=code,
                    minutes=_minutes(),
                )
            db.session.commit()
            session[PENDING] = {"email": email, "name": name, "phone": phone}
            return redirect(url_for(".register_verify"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "accounts/register.html", form=form, texts_ready=signup.texts_ready(), no_texts=no_texts()
    ), status


def no_texts() -> str:
    return _(
        "This portal cannot send text messages at the moment, so signing up with a phone is not possible. "
        "Sign up with an e-mail address, or report and apply without an account."
    )


def _locale_vi() -> bool:
    return locale_code() != "en"


@bp.route("/register/verify", methods=["GET", "POST"])
def register_verify():
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not ("email" in pending or "phone" in pending):
        return redirect(url_for(".register"))
    by_phone = "email" not in pending
    target = pending["phone"] if by_phone else pending["email"]
    form = SignUpVerifyForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            throttle.enforce(f"signup:check:{throttle.client_source()}", CHECKS_PER_ADDRESS, ADDRESS_WINDOW)
            matched = signup.check_code(target, form.code.data or "")
            if matched and not signup.taken(target):
                if by_phone:
                    account = signup.finish_by_phone(target, pending["name"], form.password.data)
                else:
                    account = signup.finish(target, pending["name"], form.password.data, pending.get("phone"))
                operations.record_sign_in(account)
                sessions.finish_sign_in(account)  # a fresh session: the new citizen is signed in
                db.session.commit()
                flash(_("Welcome! Your account is ready, and you are signed in."), "success")
                return redirect(url_for("feedback.mine"))
            db.session.commit()  # the wrong try counts
            form.code.errors = [
                _("This code is wrong or has expired. Check the text message, or ask for a new code.")
                if by_phone
                else _("This code is wrong or has expired. Check the e-mail, or ask for a new code.")
            ]
    return render_template(
        "accounts/register_verify.html",
        form=form,
        email=national_format(target) if by_phone else target,
        by_phone=by_phone,
        minutes=_minutes(),
    ), status
