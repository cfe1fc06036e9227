"""Sign in and sign out."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal.extensions import db
from portal.throttle import over_limit

from . import operations
from .forms import LoginForm

bp = Blueprint("accounts", __name__, template_folder="templates")


def safe_next(target: str | None) -> str:
    """Only same-site relative paths: never an open redirect."""
    if not target:
        return url_for("main.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("main.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        # Per account and per address, never global: one attacker cannot lock everybody out.
        if over_limit(f"login:account:{email}", 5, 60) or over_limit(f"login:ip:{request.remote_addr}", 20, 60):
            page = render_template("accounts/login.html", form=form,
                                   error=_("Too many attempts. Please wait a minute and try again."))
            return page, 429, {"Retry-After": "60"}
        account = operations.authenticate(email, form.password.data)
        if account is not None:
            session.clear()  # a fresh session on sign-in (no fixation)
            login_user(account)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
        db.session.commit()  # keep the audit record of the failed attempt
        flash(_("Wrong e-mail or password."), "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    if not current_user.is_authenticated:  # an expired session: nothing to end
        return redirect(url_for("main.home"))
    # Flask's signed cookie could be replayed after sign-out; bumping the version ends every
    # session of this account, on every device (SECURITY.md A4).
    current_user.session_version += 1
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect(url_for("main.home"))
