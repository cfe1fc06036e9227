"""The suite's one kind of test client, and one way to sign it in.

`FreshContextClient` (every app built by tests.conftest.build_app uses it, so `client`, `app.test_client()`
and `fresh_client(app)` are all one) runs every request in an empty `contextvars.Context`: each request gets
its own application context, `g` and database session (bound to the same test connection) and its teardown
runs at the end of the request, as in production. Without this every request of a test would share the
test's own context's `g` (Flask-Login's cached user, the locale, the list of uploaded files). It also flushes
the test's own session before each request and expires it afterwards, so a test can prepare data with the
operations, call a route, and read what the route changed without refreshing objects by hand.
"""

from __future__ import annotations

import contextvars
import re

from flask import has_app_context
from flask.testing import FlaskClient

from portal.extensions import db


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in a new application context (see the module doc)."""

    def open(self, *args, **kwargs):
        outer = has_app_context()
        if outer:
            db.session.flush()  # the request's own session must see what the test prepared
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if outer:
            db.session.expire_all()  # and the test must see what the request changed
        return response


def fresh_client(app, remote_addr: str = "127.0.0.1") -> FreshContextClient:
    """Another browser: its own cookies, from `remote_addr` (so rounds stay under the hourly limits)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = remote_addr
    return client


def password_of(account) -> str:
    """The password a factory account (an Account or its e-mail) was made with, else the demo password."""
    from portal.demo import DEMO_PASSWORD
    from tests.support.factories import PASSWORDS

    if isinstance(account, str):
        return PASSWORDS.get(account.strip().lower(), DEMO_PASSWORD)
    return getattr(account, "plain_password", None) or DEMO_PASSWORD


def sign_in(client, account, password: str | None = None):
    """Sign `client` in as `account`: an Account, a role name (this test's fresh account of that role, see
    tests.support.factories.fresh) or the e-mail of a demo account. Returns the client."""
    if isinstance(account, str) and "@" not in account:
        from tests.support.factories import fresh

        account = fresh(account)
    email = account if isinstance(account, str) else account.email
    if password is None:
        password = password_of(account)
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, (email, response.status_code)
    return client


def signed_in(app, account, password: str | None = None, remote_addr: str = "127.0.0.1"):
    """A fresh client signed in as `account`."""
    return sign_in(fresh_client(app, remote_addr), account, password)


def input_value(html: str, name: str) -> str:
    """The value an HTML page's input called `name` shows ("" when it has none); the input must be there."""
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    assert tag, f"no {name} input"
    value = re.search(r'value="([^"]*)"', tag[0])
    return value[1] if value else ""
