"""The layout's fixed parts (head, header, navigation, footer) rendered once and reused.

base.html wraps each part that is the same for many requests in `{% call layout_fragment("name", variant) %}
… {% endcall %}`. The part is rendered the first time and then served from memory for every
request with the same key: the fragment's name, the `variant` the template passes (the kind of visitor
for the navigation: `visitor_kind()`), the locale in force and the script root. The ~20 translated labels
and ~20 addresses of the layout thus cost one dictionary look-up per part instead of a render.

What a fragment holds must depend on nothing but that key: no CSRF token, flashed message, user name,
current address or query string (base.html leaves those outside the fragments). A fragment is kept per
application (its Jinja environment); nothing is kept when templates reload (development), so an edited
layout shows at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, has_request_context, request
from jinja2 import pass_context
from jinja2.runtime import Context

from portal import visitor
from portal.domain.roles import Role
from portal.i18n import locale_code

MAX_KEPT = 512  # parts x locales x script roots x kinds of visitor; all dropped when full


@pass_context
def layout_fragment(context: Context, name: str, variant: str = "", *, caller: Callable[[], str]) -> str:
    """`{% call layout_fragment("name", variant) %}…{% endcall %}`: the body as rendered the first time for
    this key, or rendered now."""
    environment = context.environment
    if environment.auto_reload:
        return caller()
    locale = context.get("render_locale") or locale_code()  # portal.i18n.jinja_translations
    key = (name, variant, locale, request.script_root if has_request_context() else None)
    kept: dict[tuple, str] = environment.layout_fragments  # type: ignore[attr-defined]
    found = kept.get(key)
    if found is None:
        found = caller()
        if len(kept) >= MAX_KEPT:
            kept.clear()
        kept[key] = found
    return found


def visitor_kind() -> str:
    """What the navigation depends on: nobody signed in, a citizen, a village intermediary (who also has the
    list of cases they filed for villagers), or a member of staff and their role."""
    user: Any = visitor.user()
    if user is None or not user.is_authenticated:
        return ""
    if user.role == Role.INTERMEDIARY.value:
        return "intermediary"
    return f"staff:{user.role}" if user.is_staff else "citizen"


def init_app(app: Flask) -> None:
    app.jinja_env.extend(layout_fragments={})
    app.jinja_env.globals.update(layout_fragment=layout_fragment, visitor_kind=visitor_kind)
