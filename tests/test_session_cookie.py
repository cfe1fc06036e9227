"""The signed session cookie (portal/security.py StaticFileSessionInterface): a cookie whose signature was
checked once is not checked again, but its age still is on every request, a changed cookie is checked
afresh, and an unchanged session is not written back; `Vary: Cookie` as Flask sets it."""

from __future__ import annotations

import time

import pytest

from portal import security
from tests.support.clients import fresh_client
from tests.tracking.test_page_cache import browser, csrf_on  # noqa: F401 (csrf_on: a fixture)

TWELVE_HOURS = 12 * 3600  # PERMANENT_SESSION_LIFETIME: the age a session cookie may reach


def _status(app, create_feedback, address: str):
    item = create_feedback()
    citizen = browser(app, "feedback", item.id, address)
    return citizen, f"/feedback/{item.code}/status"


def test_a_cookie_verified_once_still_expires(app, create_feedback, monkeypatch):
    citizen, path = _status(app, create_feedback, "198.51.100.81")
    assert citizen.get(path).status_code == 200
    assert citizen.get(path).status_code == 200  # the same cookie again: its signature was kept

    class Later:
        @staticmethod
        def time() -> float:
            return time.time() + TWELVE_HOURS + 2

    monkeypatch.setattr(security, "time", Later)
    assert citizen.get(path).status_code == 404  # an expired session holds no access any more


def test_a_cookie_changed_after_one_was_verified_is_checked_again(app, create_feedback):
    citizen, path = _status(app, create_feedback, "198.51.100.82")
    assert citizen.get(path).status_code == 200
    cookie = citizen.get_cookie("portal_session")
    assert cookie is not None
    payload, signed_at, signature = cookie.value.rsplit(".", 2)
    forged = f"{payload}.{signed_at}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    other = fresh_client(app, "198.51.100.83")
    other.set_cookie("portal_session", forged)
    assert other.get(path).status_code == 404
    assert citizen.get(path).status_code == 200


@pytest.mark.usefixtures("csrf_on")
def test_a_session_is_written_back_when_it_changes_and_only_then(app, create_feedback):
    citizen, path = _status(app, create_feedback, "198.51.100.84")
    before = citizen.get_cookie("portal_session")
    assert before is not None
    first = citizen.get(path)  # its form's CSRF token is the session's first: the session changed
    assert first.status_code == 200
    assert "portal_session=" in first.headers.get("Set-Cookie", "")
    assert first.headers.getlist("Vary") == ["Cookie"]
    after = citizen.get_cookie("portal_session")
    assert after is not None and after.value != before.value
    for _ in range(2):  # unchanged now: not written back, and still varies on the cookie
        page = citizen.get(path)
        assert page.status_code == 200
        assert "Set-Cookie" not in page.headers
        assert page.headers.getlist("Vary") == ["Cookie"]
    # With another Vary already set (the compressed answer's), Cookie is added to it, as Flask does.
    gzipped = citizen.get(path, headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers.get("Content-Encoding") == "gzip"
    assert "Set-Cookie" not in gzipped.headers
    assert [v.strip() for v in gzipped.headers["Vary"].split(",")] == ["Accept-Encoding", "Cookie"]
