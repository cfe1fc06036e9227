"""One id per request, on every log line about it, in the X-Request-ID response header and on the error
pages, so that a citizen can quote it and an operator can find the request in the logs of any node.

The id is the proxy's when the request came through one of our proxies (PORTAL_TRUSTED_PROXIES > 0: the
shipped nginx sends `X-Request-ID $request_id`) and the value is well formed; otherwise it is made here.
A client cannot choose it when no proxy of ours is trusted, and a malformed value (too long, spaces,
markup, a newline meant to forge a log line) is never taken from anyone.
"""

from __future__ import annotations

import logging
import re
import secrets

from flask import Flask, Response, current_app, g, has_request_context, request

HEADER = "X-Request-ID"
_ENVIRON_KEY = "HTTP_X_REQUEST_ID"
# nginx's $request_id is 32 hex digits; other proxies send UUIDs. Letters, digits and dashes only.
_WELL_FORMED = re.compile(r"[A-Za-z0-9-]{8,64}")


def well_formed(value: str | None) -> bool:
    return value is not None and _WELL_FORMED.fullmatch(value) is not None


def new() -> str:
    return secrets.token_hex(16)  # the same shape as nginx's $request_id


def chosen(header: str | None, trusted_proxies: int) -> str:
    """The id of a request that carried `header`: the proxy's when it is ours and well formed, else new."""
    if trusted_proxies > 0 and well_formed(header):
        assert header is not None
        return header
    return new()


def current() -> str | None:
    """This request's id (made on first use), or None outside a request."""
    if not has_request_context():
        return None
    return _of_this_request(current_app.config["PORTAL_SETTINGS"].trusted_proxies)


def _of_this_request(trusted_proxies: int) -> str:
    """Inside a request: its id, made on first use and kept in `g`."""
    request_globals = g._get_current_object()  # (one proxy look-up)
    value = request_globals.get("request_id")
    if value is None:
        # The header as `request.headers.get(HEADER)` reads it, straight from the WSGI environ.
        value = request_globals.request_id = chosen(request.environ.get(_ENVIRON_KEY), trusted_proxies)
    return value


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (None outside a request) for formatters that print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current()
        return True


def init_app(app: Flask) -> None:
    # No before_request: the id is made on its first use (a log line, an error page, or at the latest this
    # after_request), the same value whenever that is.
    config = app.config

    @app.after_request
    def send_request_id(response: Response) -> Response:
        # Inside a request by definition: no context check, no current_app look-up.
        response.headers[HEADER] = _of_this_request(config["PORTAL_SETTINGS"].trusted_proxies)
        return response
