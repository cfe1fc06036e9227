"""Every web-security default in one place (SECURITY.md, STYLE.md §3.6)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_login import current_user

from portal.extensions import login_manager
from portal.http_cache import leaves_session_alone


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
    login_manager.session_protection = "strong"
    app.before_request(refuse_nul_bytes)
    app.after_request(set_security_headers)


class StaticFileSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, left out of the answer for a static file.

    Flask adds Vary: Cookie to any response whose request looked at the session, and Flask-Login looks
    at it after every request (its remember flag): every signed-in browser would keep its own copy of the
    CSS and JavaScript, and a cache none. A static file is the same for everyone; it neither depends on
    the session nor refreshes it (staff idle time counts pages, not files: accounts/sessions.py). Nor does
    the answer of a `@sessionless` view (portal.http_cache), which never writes it either.
    """

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if leaves_session_alone(response) or (is_static_file(response) and not session.modified):
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
    values = [request.path, *request.args.values()]
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        values += request.form.values()
    if any("\x00" in value for value in values):
        abort(400)


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    settings = current_app.config["PORTAL_SETTINGS"]
    headers.setdefault("Content-Security-Policy", content_security_policy(settings.map_tile_url))
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(self)"
    if settings.secure_cookies:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    # Signed-in pages are private: never stored. A static file is the same for everyone, so it keeps its
    # max-age and ETag whoever asks (and current_user is not even loaded for it: reading the session
    # would add Vary: Cookie). So does the answer of a `@sessionless` view (a QR image).
    if (
        not is_static_file(response)
        and not leaves_session_alone(response)
        and current_user
        and current_user.is_authenticated
    ):
        headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    return response


def is_static_file(response: Response) -> bool:
    """A file from static/ (or a 304 for one), not an error page answered at a /static/ address."""
    return request.endpoint == "static" and response.status_code < 400
