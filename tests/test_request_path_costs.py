"""What every request does, done with fewer look-ups (bench/notes/tracking5.md), with the same results: the session
data loaded once per verified cookie and copied for each request, Flask-Login's anonymous visitor, the request's
user through `portal.visitor`, the locale's code, the request id's header."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from flask import g, session
from flask_babel import force_locale, refresh
from flask_login import current_user
from flask_login.signals import user_accessed
from markupsafe import Markup

from portal import visitor
from portal.extensions import login_manager
from portal.i18n import locale_code
from portal.request_id import HEADER, _of_this_request
from tests.support.clients import fresh_client


def _cookie_for(app, data: dict) -> str:
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps(data)


def _open(app, cookie: str):
    with app.test_request_context("/", headers={"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"}):
        from flask import request

        return app.session_interface.open_session(app, request)


def test_each_request_gets_its_own_copy_of_a_kept_cookies_data(app):
    """A view that changes a nested list in place (without marking the session modified) must not change what
    the next request with the same cookie reads."""
    cookie = _cookie_for(app, {"feedback_access": [3, 4], "nested": {"list": [1]}})
    first = _open(app, cookie)
    first["feedback_access"].append(99)
    first["nested"]["list"].append(2)
    second = _open(app, cookie)  # the same cookie: its verification and data kept from the first
    assert second["feedback_access"] == [3, 4] and second["nested"] == {"list": [1]}
    assert second["feedback_access"] is not first["feedback_access"]


def test_tagged_values_load_as_flasks_serializer_loads_them(app):
    data = {
        "t": (1, [2, 3]),
        "b": b"\x00bytes",
        "m": Markup("<b>x</b>"),
        "u": UUID(int=7),
        "d": datetime(2026, 12, 7, 9, 30, tzinfo=UTC),
        "x": {" di": "not a tag of ours"},
    }
    cookie = _cookie_for(app, data)
    expected = app.session_interface.get_signing_serializer(app).loads(cookie)
    for _ in range(2):  # verified, then kept
        opened = _open(app, cookie)
        assert dict(opened) == expected
        assert opened["t"][1] is not expected["t"][1]


def test_an_anonymous_visitor_is_loaded_as_flask_login_loads_one(app, monkeypatch):
    """No `_user_id`, no remember cookie: the anonymous user at once, the `user_accessed` signal sent, and the
    session counted as read (so `Vary: Cookie`), without Flask-Login's own path."""
    sent: list[object] = []
    user_accessed.connect(sent.append, weak=False)
    called: list[str] = []
    flask_login_manager = type(login_manager).__mro__[1]
    original = flask_login_manager._load_user
    monkeypatch.setattr(
        flask_login_manager, "_load_user", lambda self: called.append("flask-login") or original(self)
    )
    remember = f"{app.config['REMEMBER_COOKIE_NAME']}=forged"
    try:
        with app.test_request_context("/"):
            g.pop("_login_user", None)
            session["feedback_access"] = [1]
            session.accessed = False
            user = current_user._get_current_object()
            assert not user.is_authenticated and user.__class__ is login_manager.anonymous_user
            assert session.accessed and sent == [app] and called == []
        with app.test_request_context("/", headers={"Cookie": remember}):
            g.pop("_login_user", None)  # (the suite's app context, hence its `g`, spans the test)
            assert not current_user.is_authenticated
            assert called == ["flask-login"]  # a remember cookie: Flask-Login's own checks
    finally:
        user_accessed.disconnect(sent.append)


def test_an_anonymous_page_still_answers_vary_cookie(app, create_feedback):
    from tests.tracking.test_page_cache import browser

    item = create_feedback()
    citizen = browser(app, "feedback", item.id, "198.51.100.91")
    citizen.get(f"/feedback/{item.code}/status")  # (a first view may write the session)
    answer = citizen.get(f"/feedback/{item.code}/status")
    assert answer.status_code == 200 and answer.headers.getlist("Vary") == ["Cookie"]
    assert "Set-Cookie" not in answer.headers


def test_visitor_user_is_current_user(app, login):
    with app.test_request_context("/"):
        assert visitor.user() is current_user._get_current_object()
        assert visitor.user() is g._login_user  # loaded once, then read from `g`
    client = fresh_client(app, "198.51.100.92")
    assert visitor.user() is None  # outside a request, as current_user gives None
    assert client.get("/healthz").status_code == 200


def test_locale_code_of_the_portals_locales_and_of_any_other(app):
    with app.test_request_context("/?lang=en"):
        assert locale_code() == "en"
    with app.test_request_context("/"):
        refresh()  # (the suite's app context, hence the locale Flask-Babel keeps in `g`, spans the test)
        assert locale_code() == "vi"
        with force_locale("vi_VN"):
            assert locale_code() == "vi_VN"  # not one of ours: as Babel writes it


def test_the_request_id_is_read_from_the_proxys_header_as_before(app):
    with app.test_request_context("/", headers={HEADER: "abcdef0123456789abcdef0123456789"}):
        g.pop("request_id", None)
        assert _of_this_request(1) == "abcdef0123456789abcdef0123456789"
    with app.test_request_context("/", headers={HEADER: "abcdef0123456789abcdef0123456789"}):
        g.pop("request_id", None)  # (the suite's app context, hence its `g`, spans the test)
        assert _of_this_request(0) != "abcdef0123456789abcdef0123456789"  # no proxy of ours: made here
