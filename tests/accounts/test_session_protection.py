"""Flask-Login's "strong" session protection: a copied session cookie used with another User-Agent signs
no one in, while an anonymous visitor's session is left alone (no cookie rewritten on every page)."""

from __future__ import annotations

from portal.demo import DEMO_PASSWORD

CITIZEN = "congdan@demo.sonla.vn"


def sign_in(client):
    response = client.post("/login", data={"email": CITIZEN, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return response


def signed_in(client) -> bool:
    return 'action="/logout"' in client.get("/").get_data(as_text=True)


def test_anonymous_session_gets_no_set_cookie_on_plain_pages(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in production
    # /track holds a form: its CSRF token puts the visitor's first value into the session.
    assert client.get("/track").status_code == 200
    assert client.get_cookie(app.config["SESSION_COOKIE_NAME"]) is not None
    for path in ("/", "/procedures", "/track"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers.getlist("Set-Cookie") == [], (path, response.headers.getlist("Set-Cookie"))


def test_anonymous_session_keeps_a_flashed_message_until_shown(app, client):
    sign_in(client)
    assert client.post("/logout").status_code == 302
    first = client.get("/")  # shows "You have signed out." and drops it from the session
    assert 'action="/logout"' not in first.get_data(as_text=True)
    assert client.get("/").headers.getlist("Set-Cookie") == []


def test_copied_session_with_another_user_agent_signs_no_one_in(app, client):
    client.environ_base["HTTP_USER_AGENT"] = "Trinh duyet cua cong dan"
    sign_in(client)
    assert signed_in(client)
    name = app.config["SESSION_COOKIE_NAME"]
    stolen = client.get_cookie(name).value
    thief = app.test_client()
    thief.environ_base["HTTP_USER_AGENT"] = "Trinh duyet khac"
    thief.set_cookie(name, stolen)
    assert not signed_in(thief)
    assert thief.get("/login").status_code == 200  # a signed-in visitor would be sent on
    # The same cookie from the same browser still works.
    same = app.test_client()
    same.environ_base["HTTP_USER_AGENT"] = "Trinh duyet cua cong dan"
    same.set_cookie(name, stolen)
    assert signed_in(same)
    assert same.get("/login").status_code == 302


def test_copied_session_from_another_address_signs_no_one_in(app, client):
    sign_in(client)
    name = app.config["SESSION_COOKIE_NAME"]
    thief = app.test_client()
    thief.environ_base["REMOTE_ADDR"] = "203.0.113.50"
    thief.set_cookie(name, client.get_cookie(name).value)
    assert not signed_in(thief)


def test_a_remember_cookie_next_to_an_anonymous_session_is_still_refused_and_deleted(
    app, client, monkeypatch
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.get("/track").status_code == 200  # an anonymous session with a CSRF token
    remember = app.config["REMEMBER_COOKIE_NAME"]
    client.set_cookie(remember, "1|forged")
    response = client.get("/")
    assert 'action="/logout"' not in response.get_data(as_text=True)
    deletions = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{remember}=;")]
    assert deletions, response.headers.getlist("Set-Cookie")
