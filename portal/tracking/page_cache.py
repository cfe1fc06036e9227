"""The rendered main part of the citizen's status pages, kept by each process under a key that names
everything the part shows.

The features build the key: the item's id and code, its page version (portal/tracking/versions.py: it
changes in the same transaction as anything on the page, and is read from the database on every request,
so every worker and node sees a change at the next request after its commit), the names it shows from
other tables, the locale, today's local date (what the page says depends on it) and the script root.
The access check runs before the cache is asked: a request that may not see the item never reaches it.

What differs per viewer is never in a kept part: the layout around it (flashed messages, the language
links, the signed-in menu) is rendered per request, and a form's CSRF token is a slot (`CSRF_FIELD`) that
`for_viewer` fills with the viewer's own token.

The whole page is kept too, for the visitor every tracking link makes: nobody signed in, no flashed message
waiting, not in shared-phone mode. Then the layout around the part holds nothing of the viewer's (its
navigation is the anonymous one, its language links are built from the page's own address, which is in the
key), so the page is the same for every such viewer but for the CSRF slot, filled per viewer as in the
part. Any other visitor gets the layout rendered per request, as before. A whole page without the slot (no
form on it) is the same bytes for every such viewer: its gzip is kept with it too (portal.compression's
`KeptBody`, made at the first request that takes gzip), so a browser's request does not compress it again.
What is filled per viewer is only the CSRF token (the layout's other per-viewer parts are why a page is
kept whole only for this visitor); the answer's headers (the request id, the session cookie) are not kept.

`read_key` runs a feature's key statement on a connection of its own when the request's session has not
begun one: SQLAlchemy Core, without the ORM session's execution and transaction set-up (the same
statement, the same engine and connection pool, on PostgreSQL the session's AUTOCOMMIT copy for a GET).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any, NamedTuple

from flask import Flask, Request, current_app, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_wtf import csrf
from markupsafe import Markup, escape
from sqlalchemy import Executable

from portal.compression import KeptBody
from portal.database import read_row
from portal.i18n import locale_code
from portal.layout import visitor_kind
from portal.lru import BoundedLRU

EXTENSION = "portal.tracking.pages"
# Per process and application, the least recently used dropped first. Counted in pages, not bytes: a part or
# a whole page is 4-9 KB. A whole page without a form also keeps its gzip once a browser asked for it, 30-40 %
# of the page (a 4 KB page's is 1.5-1.9 KB, a 9 KB page's 2.6 KB: bench/notes/gzipkept.md), so a whole page
# holds at most 1.4 times its size: about 24 MB for 2,000 of the largest whole pages instead of 18.
MAX_PAGES = 2000
WHOLE_PAGES = "portal.tracking.whole_pages"
MAX_KEPT_ADDRESS = 160  # bytes of path + query string: a longer address gets its layout rendered each time

# Unguessable, so no text a citizen or an officer writes can contain it (and it is escaped anyway).
CSRF_SLOT = f"csrf-slot-{secrets.token_hex(16)}"
_SLOT_BYTES = CSRF_SLOT.encode("ascii")
CSRF_FIELD = Markup(f'<input id="csrf_token" name="csrf_token" type="hidden" value="{CSRF_SLOT}">')  # noqa: S704 - constant


def read_key(statement: Executable, parameters: dict[str, Any]) -> Any:
    """The one row (or None) of a status page's key statement: a named tuple of its columns
    (portal.database.read_row, on the pooled driver connection)."""
    return read_row(statement, parameters)


def kept(key: Hashable, render: Callable[[], str]) -> Markup:
    """The part kept under `key`, or `render()` kept now."""
    pages: BoundedLRU[Hashable, Markup] = current_app.extensions[EXTENSION]
    # A template's output, escaped by Jinja's autoescape.
    return pages.get_or_make(key, lambda: Markup(render()))  # noqa: S704


def for_viewer(part: Markup) -> Markup:
    """The kept part with this viewer's CSRF token in its forms (a token is made only when it has one)."""
    if CSRF_SLOT not in part:
        return part
    # Looked up when called: portal.security installs its cheaper, identical generate_csrf there.
    return Markup(part.replace(CSRF_SLOT, csrf.generate_csrf()))  # noqa: S704 - Markup.replace escapes the token


def status_page(
    kind: str, key: Any, today: date, render_part: Callable[[str, date], str], template: str
) -> ResponseReturnValue:
    """A feature's status page: the part kept under (kind, the feature's key, locale, today, script root),
    rendered by `render_part(code, today)` on a miss, inside `template` with this viewer's CSRF token. The
    caller has checked access first. `no-store`: the page is private (a shared phone's Back shows nothing)."""
    # The request and the application looked up once through their proxies (a status page is mostly these).
    current = request._get_current_object()  # type: ignore[attr-defined]
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    part_key = (kind, *key, locale_code(), today, current.script_root)
    if same_layout_for_everyone(current, app):
        # The page as rendered for the first such viewer, with the CSRF slot still in it.
        address = (current.path, current.query_string)
        pages: BoundedLRU[Hashable, _Whole] = app.extensions[WHOLE_PAGES]
        whole = pages.get_or_make(
            (*part_key, address),
            lambda: _Whole.of(
                render_template(template, code=key.code, content=_part(part_key, key, today, render_part))
            ),
        )
        return whole.answer({"Cache-Control": "no-store"})
    part = _part(part_key, key, today, render_part)
    page = render_template(template, code=key.code, content=for_viewer(part))
    return page, 200, {"Cache-Control": "no-store"}


class _Whole(NamedTuple):
    """A whole page kept as the bytes of its answer (UTF-8, as Flask encodes a view's text; encoding a page
    anew on every request cost 10-15 µs), and whether it holds the CSRF slot (so it is searched for once)."""

    body: KeptBody
    slot: bool

    @classmethod
    def of(cls, page: str) -> _Whole:
        return cls(KeptBody(page.encode("utf-8")), CSRF_SLOT in page)

    def answer(self, headers: dict[str, str]) -> ResponseReturnValue:
        """The page for this viewer: without a form, the kept bytes (and their kept gzip); with one, this
        viewer's CSRF token in its slot (escaped as Markup escapes it), compressed per request as any page."""
        if not self.slot:
            return self.body.answer(200, headers)
        return with_csrf_token(self.body.data), 200, headers


def with_csrf_token(page: bytes) -> bytes:
    """A kept page's bytes with this viewer's CSRF token in its `CSRF_SLOT`s (escaped as Markup escapes it)."""
    # Looked up when called: portal.security installs its cheaper, identical generate_csrf there.
    token = str(escape(csrf.generate_csrf())).encode("utf-8")
    return page.replace(_SLOT_BYTES, token)


def _part(part_key: tuple, key: Any, today: date, render_part: Callable[[str, date], str]) -> Markup:
    return kept(part_key, lambda: render_part(key.code, today))


def same_layout_for_everyone(current: Request | None = None, app: Flask | None = None) -> bool:
    """Whether base.html around the part holds nothing of this viewer's: nobody signed in (the anonymous
    navigation, no sign-out form and its token), no flashed message waiting, not in shared-phone mode (its
    form carries the viewer's token), a short address, and templates that do not reload (development).
    `current` and `app`: the request and the application when the caller has them (else looked up)."""
    if current is None:
        current = request._get_current_object()  # type: ignore[attr-defined]
    if app is None:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
    browser_session = session._get_current_object()  # type: ignore[attr-defined]
    return (
        "_flashes" not in browser_session
        and not browser_session.get("shared_phone")
        and visitor_kind() == ""
        and len(current.path) + len(current.query_string) <= MAX_KEPT_ADDRESS
        and not app.jinja_env.auto_reload
    )


def init_app(app: Flask) -> None:
    """Called by each feature that keeps its page here (their wiring); once per application."""
    app.extensions.setdefault(EXTENSION, BoundedLRU(MAX_PAGES))
    app.extensions.setdefault(WHOLE_PAGES, BoundedLRU(MAX_PAGES))
