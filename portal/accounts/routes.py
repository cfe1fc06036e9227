"""Sign in (password, then the second factor when the account has one or must enrol) and sign out.

The second-factor and password-reset pages live in routes_two_factor.py and routes_reset.py on the same
blueprint.
"""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal import shared_phone
from portal.domain.roles import Role
from portal.extensions import db

from . import limits, operations, sessions, two_factor
from .forms import LoginForm

bp = Blueprint("accounts", __name__, template_folder="templates")
bp.before_app_request(sessions.end_idle_staff_session)


# Where staff land after signing in (no ?next=): their queue; finance, the provincial fee account's payments.
LANDING = {Role.FINANCE.value: "payments_staff.index"}


def landing(account) -> str:
    """The page an account starts on: a member of staff's work, a citizen's home page."""
    if account is not None and account.is_authenticated and account.is_staff:
        return url_for(LANDING.get(account.role, "staff.queue"))
    if account is not None and account.is_authenticated and account.role == Role.INTERMEDIARY:
        return url_for("intermediaries.cases")  # a village intermediary: the cases they filed
    return url_for("main.home")


def safe_next(target: str | None, account=None) -> str:
    """Only same-site relative paths: never an open redirect. No target (or a refused one): the account's
    landing page (`landing`)."""
    if not target:
        return landing(account)
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return landing(account)
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(landing(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        # An e-mail address or a proven mobile number, normalised (so "0912…" and "+84912…" share limits).
        email = operations.sign_in_name(form.email.data or "")
        known = operations.find_for_sign_in(email)
        # Per account and per address for unknown browsers, per device for the member's own browser:
        # nobody else's failures can lock the member out (portal.accounts.limits).
        limits.enforce("login", email, known.id if known else None)
        assert form.password.data is not None  # DataRequired
        account = operations.check_password(email, form.password.data)
        if account is not None:
            target = safe_next(request.args.get("next"), account)
            step = two_factor.second_step(account)
            if step is not None:  # not signed in yet: the second factor (or enrolling one) comes first
                sessions.begin_second_step(account, step, target)
                db.session.commit()
                return redirect(url_for(".second_factor" if step == two_factor.VERIFY else ".enrol"))
            operations.record_sign_in(account)
            sessions.finish_sign_in(account)  # a fresh session on sign-in (no fixation)
            db.session.commit()
            return limits.remember_device(redirect(target), account.id)
        db.session.commit()  # keep the audit record of the failed attempt
        flash(_("Wrong e-mail, phone number or password."), "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form), status


def _end_session() -> bool:
    """End this browser's session; whether an account was signed in."""
    if not current_user.is_authenticated:  # an expired session: nothing to end
        session.clear()
        return False
    # Flask's signed cookie could be replayed after sign-out; bumping the version ends every
    # session of this account, on every device (SECURITY.md A4).
    current_user.session_version += 1
    db.session.commit()
    logout_user()
    session.clear()
    return True


@bp.post("/logout")
def logout():
    if _end_session():
        flash(_("You have signed out."), "success")
    return redirect(url_for("main.home"))


@bp.post("/clear")
def clear():
    """Shared-phone mode's one button (portal/shared_phone.py): sign out, and have the browser drop this
    site's cookies (the device and language ones too), cache and storage. A page, not a redirect: the
    cookies it clears would take a flashed message with them."""
    _end_session()
    page = render_template("accounts/cleared.html")
    return page, 200, {"Clear-Site-Data": shared_phone.CLEAR_SITE_DATA, "Cache-Control": "no-store"}


from . import cli, routes_reset, routes_signup, routes_two_factor  # noqa: E402,F401  (their views and command join this blueprint)
