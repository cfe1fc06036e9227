"""Every web-security default in one place (SECURITY.md, STYLE.md §3.6)."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlsplit

import flask_wtf.csrf
from flask import Config, Flask, Request, Response, abort, current_app, g, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask_babel import gettext
from itsdangerous import (
    BadSignature,
    Serializer,
    TimestampSigner,
    URLSafeTimedSerializer,
)
from werkzeug.datastructures import Headers

from portal import session_cookie, visitor
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
    install_csrf_tokens(app)
    check_csrf_on_unsafe_methods_only(app)


# A view may send a stricter Referrer-Policy than the portal's (staff item pages: no-referrer); it is kept.
STRICTER_REFERRER_POLICIES = frozenset({"no-referrer", "same-origin", "strict-origin"})
# Session keys that let this browser see someone's personal data without signing in (private_grant()).
_PRIVATE_GRANTS: set[str] = set()


def private_grant(key: str) -> str:
    """Declare a session key that grants access to personal data (where the key is defined): while a
    session holds it, every answer is `Cache-Control: no-store`, as for a signed-in visitor."""
    _PRIVATE_GRANTS.add(key)
    return key


def holds_private_grant() -> bool:
    """Whether the session holds a key declared with private_grant(). Looked at with dict's own `in`,
    which, unlike `get`, does not mark the session as read (no Vary: Cookie on public pages)."""
    data = session._get_current_object()  # type: ignore[attr-defined]
    return any(dict.__contains__(data, key) for key in _PRIVATE_GRANTS)


def fixed_headers(settings) -> list[tuple[str, str]]:
    """The headers every answer carries whatever it is (the CSP is added apart: a page may set its own)."""
    fixed = [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)"),
    ]
    if settings.secure_cookies:
        fixed.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return fixed


def security_headers(settings) -> Callable[[Response], Response]:
    """The after_request hook that sets the security headers, computed once from the settings."""
    policy = content_security_policy(settings.map_tile_url)
    fixed = fixed_headers(settings)
    named = tuple((name.lower(), name, value) for name, value in fixed)
    # The whole set, for the usual answer that has none of these headers yet: appended to the header list as
    # one block. Checked here once, as werkzeug's `add` checks each value (no newline), not per request.
    block = list(Headers([("Content-Security-Policy", policy), *fixed]).items())
    ours = frozenset(name.lower() for name, _ in block)

    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        present = {name.lower() for name, _ in headers}
        if present.isdisjoint(ours) and type(headers) is Headers:
            headers._list.extend(block)  # werkzeug's own list: what `add` appends for each, in this order
        else:
            if "content-security-policy" not in present:  # a page may set its own (stricter) policy
                headers.add("Content-Security-Policy", policy)
            for lower, name, value in named:
                if lower not in present:
                    headers.add(name, value)
                elif lower != "referrer-policy" or headers[name] not in STRICTER_REFERRER_POLICIES:
                    headers[name] = value  # ours, whatever the view set (but a stricter referrer policy)
        # Signed-in pages are private: never stored. A static file is the same for everyone, so it keeps
        # its max-age and ETag whoever asks (and current_user is not even loaded for it: reading the
        # session would add Vary: Cookie). So does the answer of a `@sessionless` view (a QR image).
        # So are the pages of a browser whose session holds a private grant (an anonymous reporter's "my
        # data", entered by the report's secret link): every page, so no view can forget it.
        if not is_static_file(response) and not leaves_session_alone(response):
            user = visitor.user()
            if (user and user.is_authenticated) or holds_private_grant():
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
    # A cookie whose signature was checked: (serializer, cookie) -> (signed at, its payload's JSON, the data
    # loaded from it or None). A browser sends the same cookie with each request until the session changes, so
    # its HMACs, base64, zlib and JSON are done once; the age is checked on every request as itsdangerous does,
    # and each request gets a copy of the data (the session is a new, mutable object each time, nested lists
    # included: portal/session_cookie.py). Data holding anything but JSON's own types and the tagged
    # serializer's immutable ones is loaded from the JSON afresh instead. Only a cookie that passed the check
    # is kept.
    _verified: dict[tuple[URLSafeTimedSerializer, str], tuple[int, bytes, Any]] = {}
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
            serializer.signer = KeyKeepingSigner  # its derived keys made once, not per cookie
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
                signed_at, payload = session_cookie.unsign(serializer, value, max_age)
            except BadSignature:
                return self.session_class()
            # The JSON already out of its base64 and zlib: itsdangerous' own Serializer.load_payload (the
            # URL-safe subclass's override is what decodes and decompresses); its BadPayload as before.
            data = Serializer.load_payload(serializer, payload)
            verified = (signed_at, payload, data if session_cookie.copyable(data) else None)
            if len(self._verified) >= self.MAX_VERIFIED:
                self._verified.clear()
            self._verified[(serializer, value)] = verified
        else:
            age = int(time.time()) - verified[0]  # itsdangerous' TimestampSigner: whole seconds
            if age > max_age or age < 0:
                self._verified.pop((serializer, value), None)
                return self.session_class()
        if verified[2] is None:
            return self.session_class(Serializer.load_payload(serializer, verified[1]))
        return self.session_class(session_cookie.fresh(verified[2]))

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if leaves_session_alone(response) or (is_static_file(response) and not session.modified):
            return
        if not session.modified and not self.should_set_cookie(app, session):
            # No cookie to write or delete: all Flask's save_session does then is Vary: Cookie for a session
            # that was looked at. Set directly when the answer has no Vary header yet (what
            # `response.vary.add` writes then), without parsing and re-writing the header set.
            if session.accessed:
                headers = response.headers
                if type(headers) is Headers and not any(name.lower() == "vary" for name, _ in headers._list):
                    # What `headers["Vary"] = "Cookie"` appends when there is none ("Cookie" needs no check), without
                    # werkzeug's `in`, which builds a BadRequestKeyError for a header that is absent.
                    headers._list.append(("Vary", "Cookie"))
                elif "Vary" in headers:
                    response.vary.add("Cookie")
                else:
                    headers["Vary"] = "Cookie"
            return
        super().save_session(app, session, response)


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
    current = request._get_current_object()  # type: ignore[attr-defined]  # (one proxy look-up)
    query = current.query_string
    if b"%00" in query or b"\x00" in query:  # else no value of request.args can hold one: not parsed
        values = [current.path, *current.args.values()]
    else:
        values = [current.path]
    if current.method in ("POST", "PUT", "PATCH") and current.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        values += current.form.values()
    if any("\x00" in value for value in values):
        abort(400)


def is_static_file(response: Response) -> bool:
    """A file from static/ (or a 304 for one), not an error page answered at a /static/ address."""
    return request.endpoint == "static" and response.status_code < 400


class KeyKeepingSigner(TimestampSigner):
    """itsdangerous' TimestampSigner, deriving each (secret key, salt, method) key once per process instead of
    once per signature: a serializer makes a new signer for every sign and unsign, and each derived its key
    again (a hash or an HMAC). The key is a pure function of those inputs, so the signatures are the same."""

    _derived: dict[tuple, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        secret = self.secret_keys[-1] if secret_key is None else secret_key
        memo = (secret, self.salt, self.key_derivation, self.digest_method)
        key = self._derived.get(memo)
        if key is None:
            key = super().derive_key(secret_key)
            if len(self._derived) >= 64:  # a handful of keys and salts per process
                self._derived.clear()
            self._derived[memo] = key
        return key


_flask_wtf_generate_csrf = flask_wtf.csrf.generate_csrf
_csrf_serializers: dict[str | bytes, URLSafeTimedSerializer] = {}
# (secret, the session's raw token) -> (the second it was signed in, the signed token). itsdangerous stamps
# whole seconds, so within that second signing again gives these very bytes (a page's every request of
# one browser in a busy second, and a benchmark's): signed once.
_csrf_signed: dict[tuple[str | bytes, str], tuple[int, str]] = {}


def generate_csrf(secret_key: str | bytes | None = None, token_key: str | None = None) -> str:
    """Flask-WTF's `generate_csrf`, the same token, cheaper: its serializer made once per secret key (with
    `KeyKeepingSigner`), and a token signed in this same second for the same raw token reused (identical
    bytes). As Flask-WTF's: once per request (kept in `g`), the raw token made in the session if missing."""
    # Flask-WTF's `_get_config` rule for both values, with the application, `g` and the session each looked
    # up once (a status page's form and the queue's buttons ask for the token on every request).
    app: Flask = cast(Any, current_app)._get_current_object()  # typed as the Flask it stands for
    config = app.config
    secret = secret_key if secret_key is not None else config.get("WTF_CSRF_SECRET_KEY", app.secret_key)
    if secret is None:
        raise RuntimeError("A secret key is required to use CSRF.")
    field = token_key if token_key is not None else config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field is None:
        raise RuntimeError("A field name is required to use CSRF.")
    request_globals = g._get_current_object()
    if field not in request_globals:
        browser_session: SessionMixin = cast(Any, session)._get_current_object()
        if field not in browser_session:
            browser_session[field] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 - Flask-WTF's own
        raw = browser_session[field]
        if not isinstance(raw, str):  # never the portal's (another kind of value: Flask-WTF's own way)
            return _flask_wtf_generate_csrf(secret_key, token_key)
        setattr(request_globals, field, _signed_csrf(secret, raw))
    return request_globals.get(field)


def _signed_csrf(secret: str | bytes, raw: str) -> str:
    now = int(time.time())
    memo = (secret, raw)
    known = _csrf_signed.get(memo)
    if known is not None and known[0] == now:
        return known[1]
    serializer = _csrf_serializers.get(secret)
    if serializer is None:
        if len(_csrf_serializers) >= 16:
            _csrf_serializers.clear()
        serializer = _csrf_serializers[secret] = URLSafeTimedSerializer(
            secret, salt="wtf-csrf-token", signer=KeyKeepingSigner
        )
    token = serializer.dumps(raw)
    assert isinstance(token, str)
    if len(_csrf_signed) >= 4096:
        _csrf_signed.clear()
    _csrf_signed[memo] = (now, token)
    return token


def check_csrf_on_unsafe_methods_only(app: Flask) -> None:
    """Flask-WTF's before_request hook, asked only for the methods it checks (WTF_CSRF_METHODS: POST, PUT,
    PATCH, DELETE). Flask-WTF 1.3 looks up the endpoint, the blueprint and the view's exemption first, on every
    GET too (~12 calls), and then returns without checking anything: for any other method it does nothing."""
    hooks = app.before_request_funcs.get(None, [])
    for position, hook in enumerate(hooks):
        if getattr(hook, "__qualname__", "") == "CSRFProtect.init_app.<locals>.csrf_protect":
            hooks[position] = _on_unsafe_methods(hook, app.config)
            return


def _on_unsafe_methods(csrf_protect: Callable[[], Any], config: Config) -> Callable[[], Any]:
    def csrf_protect_unsafe_methods() -> Any:
        if request.method not in config["WTF_CSRF_METHODS"]:
            return None  # what Flask-WTF's hook returns for this method, after its look-ups
        return csrf_protect()

    return csrf_protect_unsafe_methods


def install_csrf_tokens(app: Flask) -> None:
    """Where Flask-WTF looks `generate_csrf` up when it runs (every FlaskForm's hidden field, the templates'
    context processor) and the Jinja global its init_app set, as portal.forms installs its `html_params`."""
    flask_wtf.csrf.generate_csrf = generate_csrf
    if app.jinja_env.globals.get("csrf_token") is _flask_wtf_generate_csrf:
        app.jinja_env.globals["csrf_token"] = generate_csrf
