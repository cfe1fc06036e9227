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
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from portal.i18n import locale_code

EXTENSION = "portal.tracking.pages"
MAX_PAGES = 2000  # per process and application: a few KB each, the least recently used dropped first

# Unguessable, so no text a citizen or an officer writes can contain it (and it is escaped anyway).
_SLOT = f"csrf-slot-{secrets.token_hex(16)}"
CSRF_FIELD = Markup(f'<input id="csrf_token" name="csrf_token" type="hidden" value="{_SLOT}">')  # noqa: S704 - constant


def kept(key: Hashable, render: Callable[[], str]) -> Markup:
    """The part kept under `key`, or `render()` kept now."""
    pages: OrderedDict[Hashable, Markup] = current_app.extensions[EXTENSION]
    part = pages.get(key)
    if part is not None:
        try:
            pages.move_to_end(key)
        except KeyError:  # dropped meanwhile by another thread: it is still the right part
            pass
        return part
    part = Markup(render())  # noqa: S704 - a template's output, escaped by Jinja's autoescape
    pages[key] = part
    while len(pages) > MAX_PAGES:
        try:
            pages.popitem(last=False)
        except KeyError:
            break
    return part


def for_viewer(part: Markup) -> Markup:
    """The kept part with this viewer's CSRF token in its forms (a token is made only when it has one)."""
    if _SLOT not in part:
        return part
    return Markup(part.replace(_SLOT, generate_csrf()))  # noqa: S704 - Markup.replace escapes the token


def status_page(
    kind: str, key: Any, today: date, render_part: Callable[[str, date], str], template: str
) -> tuple[str, int, dict[str, str]]:
    """A feature's status page: the part kept under (kind, the feature's key, locale, today, script root),
    rendered by `render_part(code, today)` on a miss, inside `template` with this viewer's CSRF token. The
    caller has checked access first. `no-store`: the page is private (a shared phone's Back shows nothing)."""
    part = kept((kind, *key, locale_code(), today, request.script_root), lambda: render_part(key.code, today))
    page = render_template(template, code=key.code, content=for_viewer(part))
    return page, 200, {"Cache-Control": "no-store"}


def init_app(app: Flask) -> None:
    """Called by each feature that keeps its page here (their wiring); once per application."""
    app.extensions.setdefault(EXTENSION, OrderedDict())
