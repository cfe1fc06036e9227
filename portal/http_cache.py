"""HTTP caching of answers that are the same for everyone: strong ETags answered 304, addresses versioned by
their content (cached for a year), and `@sessionless` views that neither read nor write the session.

A `@sessionless` view answers the same whoever asks, so its successful answer (status below 400) must not
depend on, nor refresh, the session: portal.security leaves the session cookie out of it (no Set-Cookie, no
`Vary: Cookie`, as for a static file), and neither it nor the staff idle check loads the signed-in account.
Flask still parses an incoming session cookie before it knows the view; nothing reads it. An error answer
(404 …) is an ordinary page and keeps the ordinary session handling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Response, current_app, request

from portal.compression import accepts_gzip

F = TypeVar("F", bound=Callable[..., object])

# For an address whose content can never change (it names a version of the content): a year, and browsers
# need not revalidate it on reload.
IMMUTABLE = "public, max-age=31536000, immutable"


def sessionless(view: F) -> F:
    """Mark a view whose answer never depends on the session (see the module's docstring)."""
    view.sessionless = True  # type: ignore[attr-defined]
    return view


_DECIDED = "portal.sessionless"  # in the WSGI environ: the answer, once the request is routed


def is_sessionless() -> bool:
    """Whether the current request is routed to a `@sessionless` view (asked up to three times a request:
    decided once, after routing; before it, or with no route, the answer is False and not kept)."""
    current = request._get_current_object()  # type: ignore[attr-defined]  # one proxy look-up, not three
    environ = current.environ
    decided = environ.get(_DECIDED)
    if decided is not None:
        return decided
    endpoint = current.endpoint
    if endpoint is None:
        return False
    decided = environ[_DECIDED] = bool(
        getattr(current_app.view_functions.get(endpoint), "sessionless", False)
    )
    return decided


def leaves_session_alone(response: Response) -> bool:
    """A successful answer of a `@sessionless` view: no session cookie, no `Vary: Cookie`, no account."""
    return response.status_code < 400 and is_sessionless()


def cached_answer(
    body: bytes, mimetype: str, etag: str, cache_control: str, gzipped: bytes | None = None
) -> Response:
    """`body` with a strong ETag (`etag`, unquoted) and `cache_control`; 304 with no body when the request's
    If-None-Match names it. `gzipped`, the gzip of `body`, is sent to a client that takes gzip (ETag
    `<etag>-gzip`, as portal.compression names a gzipped answer), so it is not compressed again each time."""
    headers = {"Cache-Control": cache_control}
    if gzipped is not None:
        headers["Vary"] = (
            "Accept-Encoding"  # either way: a cache must not give one client's variant to another
        )
        if accepts_gzip():
            body, etag = gzipped, f"{etag}-gzip"
            headers["Content-Encoding"] = "gzip"
    headers["ETag"] = f'"{etag}"'
    if request.if_none_match.contains_weak(etag):  # GET and HEAD compare weakly (RFC 9110 13.1.2)
        headers.pop("Content-Encoding", None)
        response = Response(status=304, headers=headers)
        del response.headers["Content-Type"]
        return response
    return Response(body, mimetype=mimetype, headers=headers)
