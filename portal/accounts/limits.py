"""Sign-in attempt limits that nobody can use to lock a member out: OWASP's device cookies
(https://owasp.org/www-community/Slow_Down_Online_Guessing_Attacks_with_Device_Cookies).

After a complete sign-in the browser receives a signed device cookie naming the account. Attempts for an
account are then counted in two separate ways:

* a browser that presents a valid device cookie for that account is counted on its own, per (account,
  device) — DEVICE_LIMIT a minute and PER_DAY[step] a day; a device that used up its day is no longer
  trusted until the day is over (OWASP's lockout of a device cookie: one copied from a shared desk
  computer, where several officers signed in, does not give endless guesses at a colleague's account);
* every other client ("untrusted") is counted per account, all together — ACCOUNT_LIMIT a minute and
  PER_DAY[step] a day — and per source address — ADDRESS_LIMIT a minute.

So an attacker's failures from anywhere exhaust only the untrusted budget: the member's usual browser still
signs in, with its own budget. The same applies to the second-factor step. The cookie is bound to the
account id and signed with SECRET_KEY; it carries no personal data and grants nothing by itself.
"""

from __future__ import annotations

import secrets

from flask import current_app, request
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from portal import throttle

WINDOW = 60
ACCOUNT_LIMIT = 5
DEVICE_LIMIT = 5
ADDRESS_LIMIT = 20
DEVICE_COOKIE_DAYS = 365
DEVICES_PER_BROWSER = 10  # a shared desk computer remembers several officers
# Per day, for each device and for the untrusted clients of an account together. A minute's budget renewed
# all day long let someone holding a phished password try 5 × 1,440 = 7,200 six-digit codes a day (three
# codes are accepted at any moment: a 1-in-46 chance a day, better than even within a month), and 7,200
# passwords. After the untrusted day is spent, only a browser the member signed in from before gets in.
DAY = 86400
PER_DAY = {"login": 100, "2fa": 20}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="portal device cookie")


def _cookie_name() -> str:
    secure = current_app.config["PORTAL_SETTINGS"].secure_cookies
    return "__Host-device" if secure else "portal_device"


def _devices() -> dict[str, str]:
    """{account id: device nonce} from this browser's cookie; empty when absent, forged or expired."""
    raw = request.cookies.get(_cookie_name())
    if not raw:
        return {}
    try:
        value = _serializer().loads(raw, max_age=DEVICE_COOKIE_DAYS * 86400)
    except BadSignature:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}


def trusted_device(account_id: int | None) -> str | None:
    """The device nonce when this browser holds a valid device cookie for the account, else None."""
    if account_id is None:
        return None
    return _devices().get(str(account_id))


def remember_device(response: Response, account_id: int) -> Response:
    """Issue a fresh device cookie for the account (keeping the other accounts this browser knows)."""
    others = [(k, v) for k, v in _devices().items() if k != str(account_id)][: DEVICES_PER_BROWSER - 1]
    devices = {str(account_id): secrets.token_urlsafe(16), **dict(others)}
    settings = current_app.config["PORTAL_SETTINGS"]
    response.set_cookie(
        _cookie_name(),
        _serializer().dumps(devices),
        max_age=DEVICE_COOKIE_DAYS * 86400,
        secure=settings.secure_cookies,
        httponly=True,
        samesite="Lax",
        path="/",
    )
    return response


def enforce(step: str, account_key: str, account_id: int | None) -> None:
    """Count one attempt of `step` ("login", "2fa") for an account; raise throttle.Throttled (a translated
    429 with Retry-After) when it is over a limit. `account_key` is what the client named (the e-mail as
    typed, lower-cased, so unknown addresses are limited too); `account_id` the account, when it exists."""
    message = _("Too many attempts. Please wait a minute and try again.")
    device = trusted_device(account_id)
    # Counted before anything else, so a device that has used up its day falls through to the untrusted
    # budgets (and an attempt refused below still counts against the device's day).
    if device is not None and throttle.hit(f"{step}:device-day:{account_id}:{device}", DAY) <= PER_DAY[step]:
        throttle.enforce(f"{step}:device:{account_id}:{device}", DEVICE_LIMIT, WINDOW, message)
        return
    throttle.enforce(f"{step}:account:{account_key}", ACCOUNT_LIMIT, WINDOW, message)
    throttle.enforce(f"{step}:ip:{throttle.client_source()}", ADDRESS_LIMIT, WINDOW, message)
    throttle.enforce(
        f"{step}:account-day:{account_key}",
        PER_DAY[step],
        DAY,
        _(
            "Too many attempts for this account today from browsers it has not signed in from. "
            "Sign in from a browser you have used before, or try again tomorrow."
        ),
    )
