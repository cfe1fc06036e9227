"""Every web-security default in one place (SECURITY.md, STYLE.md §3.6)."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, Request, Response, abort, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask_babel import gettext
from flask_login import current_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.extensions import login_manager
from portal.http_cache import leaves_session_alone


def N_(message: str) -> str:  # noqa: N802 - the usual name, which pybabel extracts by default
    """Mark `message` for the catalogue without translating it here."""
    return message


def content_security_policy(tile_url: str) -> str:
    """Strict CSP; the only outside origin allowed is the map tile server, for images."""
    tiles = urlsplit(tile_url)
    tile_origin = f" {tiles.scheme}://{tiles.netloc.replace('{s}', '*')}" if tile_url else ""
    return "; ".join(
        [
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
            f"img-src 'self' data: blob:{tile_origin}",
            "script-src 'self'",
            "style-src 'self'",
        ]
    )


def init_app(app: Flask) -> None:
    settings = app.config["PORTAL_SETTINGS"]
    secure = settings.secure_cookies
    # `__Host-` cookies must be Secure, so the prefix is used only when the portal runs on https.
    app.config.update(
        SESSION_COOKIE_NAME="__Host-session" if secure else "portal_session",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",  # citizens arrive from links and QR codes
        REMEMBER_COOKIE_NAME="__Host-remember" if secure else "portal_remember",
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=12 * 3600,
    )
    app.session_interface = StaticFileSessionInterface()
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    # Flask-Login flashes this when a page needs a signed-in visitor; its own default is English. The
    # message is stored in the session as it is and translated when flashed (localize_callback).
    login_manager.login_message = N_("Please log in to access this page.")
    login_manager.localize_callback = gettext
    login_manager.session_protection = "strong"
    app.before_request(refuse_nul_bytes)
    app.after_request(security_headers(settings))


def security_headers(settings) -> Callable[[Response], Response]:
    """The after_request hook that sets the security headers, computed once from the settings."""
    policy = content_security_policy(settings.map_tile_url)
    fixed = [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)"),
    ]
    if settings.secure_cookies:
        fixed.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    named = tuple((name.lower(), name, value) for name, value in fixed)

    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        present = {name.lower() for name, _ in headers}
        if "content-security-policy" not in present:  # a page may set its own (stricter) policy
            headers.add("Content-Security-Policy", policy)
        for lower, name, value in named:
            if lower in present:
                headers[name] = value  # ours, whatever the view set
            else:
                headers.add(name, value)
        # Signed-in pages are private: never stored. A static file is the same for everyone, so it keeps
        # its max-age and ETag whoever asks (and current_user is not even loaded for it: reading the
        # session would add Vary: Cookie). So does the answer of a `@sessionless` view (a QR image).
        if not is_static_file(response) and not leaves_session_alone(response):
            user = current_user._get_current_object()
            if user and user.is_authenticated:
                headers["Cache-Control"] = "no-store"
                response.vary.add("Cookie")
        return response

    return set_security_headers


class StaticFileSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, left out of the answer for a static file.

    Flask adds Vary: Cookie to any response whose request looked at the session, and Flask-Login looks
    at it after every request (its remember flag): every signed-in browser would keep its own copy of the
    CSS and JavaScript, and a cache none. A static file is the same for everyone; it neither depends on
    the session nor refreshes it (staff idle time counts pages, not files: accounts/sessions.py). Nor does
    the answer of a `@sessionless` view (portal.http_cache), which never writes it either.
    """

    _serializers: dict[tuple, URLSafeTimedSerializer] = {}
    # A cookie whose signature was checked: (serializer, cookie) -> (signed at, its payload, still encoded).
    # A browser sends the same cookie with each request until the session changes, so its HMACs are
    # computed once; the age is checked on every request as itsdangerous does, the payload decoded afresh
    # (the session is a new, mutable object each time). Only a cookie that passed the check is kept.
    _verified: dict[tuple[URLSafeTimedSerializer, str], tuple[int, bytes]] = {}
    MAX_VERIFIED = 4096  # per process; all dropped when full

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer, made once per secret key (and fallbacks) instead of on every request."""
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            assert serializer is not None
            if len(self._serializers) >= 16:
                self._serializers.clear()
            self._serializers[key] = serializer
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Flask's: the signed cookie's data, or an empty session for no cookie, a bad signature or an
        expired one. A cookie already verified is not verified again (see `_verified`)."""
        if not app.secret_key:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()  # no cookie: an empty session, as Flask's, without its serializer
        serializer = self.get_signing_serializer(app)
        assert serializer is not None
        max_age = int(app.permanent_session_lifetime.total_seconds())
        verified = self._verified.get((serializer, value))
        if verified is None:
            try:
                verified = _unsign(serializer, value, max_age)
            except BadSignature:
                return self.session_class()
            if len(self._verified) >= self.MAX_VERIFIED:
                self._verified.clear()
            self._verified[(serializer, value)] = verified
        else:
            age = int(time.time()) - verified[0]  # itsdangerous' TimestampSigner: whole seconds
            if age > max_age or age < 0:
                self._verified.pop((serializer, value), None)
                return self.session_class()
        return self.session_class(serializer.load_payload(verified[1]))

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if leaves_session_alone(response) or (is_static_file(response) and not session.modified):
            return
        if not session.modified and not self.should_set_cookie(app, session):
            # No cookie to write or delete: all Flask's save_session does then is Vary: Cookie for a session
            # that was looked at. Set directly when the answer has no Vary header yet (what
            # `response.vary.add` writes then), without parsing and re-writing the header set.
            if session.accessed:
                if "Vary" in response.headers:
                    response.vary.add("Cookie")
                else:
                    response.headers["Vary"] = "Cookie"
            return
        super().save_session(app, session, response)


def _unsign(serializer: URLSafeTimedSerializer, value: str, max_age: int) -> tuple[int, bytes]:
    """`serializer.loads(value, max_age)` without decoding the payload: (signed at, the signed payload).
    Each signer in turn (the secret key, then its fallbacks), as itsdangerous does; raises BadSignature
    (SignatureExpired for an old one) as it does."""
    data = value.encode("utf-8")
    last: BadSignature | None = None
    for signer in serializer.iter_unsigners():
        try:
            payload, signed_at = signer.unsign(data, max_age=max_age, return_timestamp=True)
        except SignatureExpired:
            raise  # signed with this key but too old: no other key is tried (itsdangerous)
        except BadSignature as error:
            last = error
            continue
        return int(signed_at.timestamp()), payload
    raise last if last is not None else BadSignature("no signer")


def return_path() -> str | None:
    """Where to send a person back to (after signing in again, or "try again" after a 429): this page, or
    for a form post the same-site page it was sent from (a POST-only address would answer a link with 405).
    Never another site: a Referer naming one gives None."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or not referrer.path.startswith("/") or referrer.path.startswith("//"):
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def refuse_nul_bytes():
    """A NUL byte is never legitimate text; PostgreSQL would refuse it deep inside a query (a 500)."""
    query = request.query_string
    if b"%00" in query or b"\x00" in query:  # else no value of request.args can hold one: not parsed
        values = [request.path, *request.args.values()]
    else:
        values = [request.path]
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        values += request.form.values()
    if any("\x00" in value for value in values):
        abort(400)


def is_static_file(response: Response) -> bool:
    """A file from static/ (or a 304 for one), not an error page answered at a /static/ address."""
    return request.endpoint == "static" and response.status_code < 400
