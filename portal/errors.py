"""Translated error pages; no stack trace ever reaches a user."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from portal import request_id
from portal.extensions import db
from portal.i18n import locale_code
from portal.security import content_security_policy, fixed_headers, return_path

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to open this page.")),
    404: (
        _l("Page not found"),
        _l("We could not find this page. Check the address, or start again from the home page."),
    ),
    405: (_l("Method not allowed"), _l("This page cannot be used that way.")),
    413: (_l("File too large"), _l("What you sent is too large. Files may be at most 20 MB in total.")),
    429: (
        _l("Too many attempts"),
        _l("Too many attempts in a short time. Please wait a moment and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error happened on our side. It has been logged; please try again later."),
    ),
    503: (
        _l("Service unavailable"),
        _l("The portal is temporarily unavailable. Please try again in a few minutes."),
    ),
}
CSRF_MESSAGE = (
    _l("Form expired"),
    _l("The form was open too long or was sent twice. Please reload the page and send it again."),
)


def _text(value):
    """A lazy string as the Markup its escaping gives (its __html__ is its text), translated once."""
    return value if isinstance(value, str) else Markup(str(value))  # noqa: S704 - our catalogue's text


def render_error(status: int, title=None, message=None, retry_after: int | None = None):
    try:
        return _render_error(status, title, message, retry_after)
    except Exception:  # the request itself is broken (its locale, its session): the bare page
        current_app.logger.exception("error page failed; the bare one is shown")
        return BARE_PAGE, status


def _render_error(status: int, title, message, retry_after: int | None):
    default_title, default_message = MESSAGES.get(status, MESSAGES[500])
    body = {
        "status": status,
        # A lazy string translated once here: the page shows each twice, and each time translated it anew.
        "title": _text(title or default_title),
        "message": _text(message or default_message),
        # The id a citizen can quote to the help desk; it names this request on every log line.
        "request_id": request_id.current(),
    }
    if status == 429:
        body.update(retry_after=retry_after or 60, again=return_path())
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        response: Response | str = jsonify(
            error=str(body["title"]), message=str(body["message"]), request_id=body["request_id"]
        )
    else:
        response = _page(body)
    return response, status


# The last resort, when even the plain page cannot be made: both languages, nothing of the request.
BARE_PAGE = (
    '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Sơn La</title></head><body>'
    "<h1>Đã xảy ra lỗi / Something went wrong</h1>"
    '<p><a href="/">Trang chủ / Home page</a></p></body></html>'
)


def _page(body: dict) -> str:
    """The error page in the portal's layout; if that fails (the failure is in the layout itself: a context
    processor, the language links), the same text in a page of its own without them, so that no error ever
    leaves as the server's raw page without the portal's headers."""
    try:
        return render_template("errors/error.html", **body)
    except Exception:
        current_app.logger.exception("error page failed; the plain one is shown")
    try:
        # Straight from the environment: render_template would run the same context processors again.
        template = current_app.jinja_env.get_template("errors/plain.html")
        return template.render(**body, lang=locale_code(), home=request.script_root + "/")
    except Exception:
        current_app.logger.exception("plain error page failed")
        return BARE_PAGE


def _headers(app: Flask) -> list[tuple[str, str]]:
    settings = app.config["PORTAL_SETTINGS"]
    return [
        ("Content-Security-Policy", content_security_policy(settings.map_tile_url)),
        *fixed_headers(settings),
    ]


def last_resort(app: Flask) -> None:
    """Wrap the WSGI application: an exception that escapes Flask and its error handlers (one raised while
    the request is being set up or finished) is answered with the bare bilingual page and the portal's
    security headers, never the server's own raw page."""
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"), *_headers(app)]
    body = BARE_PAGE.encode()
    inner = app.wsgi_app

    def wsgi_app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            return inner(environ, start_response)
        except Exception:
            app.logger.exception("unhandled error outside the error handlers")
            # No exc_info: nothing was sent yet (Flask starts the answer only once it has one).
            start_response("500 INTERNAL SERVER ERROR", [*headers, ("Content-Length", str(len(body)))])
            return [body]

    app.wsgi_app = wsgi_app  # type: ignore[method-assign]


def init_app(app: Flask) -> None:
    last_resort(app)
    headers = _headers(app)

    def guarded(response: Response) -> Response:
        """The security headers set on the error page itself: the after_request hook that sets them (portal
        .security) is not reached when an earlier hook fails for a broken request."""
        for name, value in headers:
            response.headers.setdefault(name, value)
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return guarded(app.make_response(render_error(400, *CSRF_MESSAGE)))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        message = getattr(error, "portal_message", None)  # a Throttled error may say what was limited
        shown = code if code in MESSAGES else 500 if code >= 500 else 400
        # A throttle knows when its window ends; the rest of the 429s and 503s say a minute.
        retry = getattr(error, "retry_after", None)
        retry = retry if isinstance(retry, int) and retry > 0 else 60
        response, status = render_error(shown, None, message, retry_after=retry)
        response = app.make_response((response, code))
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        if code in (429, 503):
            response.headers["Retry-After"] = str(retry)
        return guarded(response)

    @app.errorhandler(OperationalError)
    def database_down(error):
        app.logger.error("database unavailable: %s", type(error).__name__)
        db.session.rollback()
        response = app.make_response(render_error(503))
        response.headers["Retry-After"] = "30"
        return guarded(response)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("unhandled error")
        db.session.rollback()
        return guarded(app.make_response(render_error(500)))
