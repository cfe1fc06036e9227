"""The request's user (Flask-Login's `current_user`), found with one look-up of the request's context.

`current_user` is a proxy: each read through it finds the request context, then asks Flask's `g` (itself a
proxy) twice whether the user is loaded and for it: ~8 Python calls a read, and the hooks and the status pages
read it four or five times a request (bench/notes/tracking5.md). `user()` reads the loaded user from `g`
directly, and loads it through Flask-Login the first time, as `current_user` does.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from flask_login import current_user

_LOADED = "_login_user"  # where Flask-Login keeps the request's user in `g` (flask_login.utils._get_user)


def user() -> Any:
    """What `current_user._get_current_object()` gives: the request's user (loaded on first use, anonymous
    when nobody is signed in), None outside a request."""
    if not has_request_context():
        return None
    found = vars(g._get_current_object()).get(_LOADED)
    if found is not None:
        return found
    return current_user._get_current_object()
