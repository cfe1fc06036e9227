"""Security headers, session cookies and CSRF (SECURITY.md A4-A5, E19-E20)."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import func, select

from portal.events.models import Event
from portal.extensions import db
from tests.conftest import build_app, html_lang, migrate_and_seed
from tests.support.factories import account, make_account

CITIZEN = "citizen"  # this test's fresh citizen (tests.support.factories)
HTTPS_BASE = "https://portal.example"


# --- helpers ------------------------------------------------------------------------------------


def credentials(who=CITIZEN) -> dict[str, str]:
    """The login form's e-mail and password of a factory account (a role name: this test's fresh one)."""
    found = account(who)
    return {"email": found.email, "password": found.plain_password}


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def set_cookies(response) -> dict[str, dict[str, str]]:
    """name -> {'value': ..., lower-cased attribute: value or ''} for every Set-Cookie header."""
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        first, *attributes = [piece.strip() for piece in header.split(";")]
        name, _, value = first.partition("=")
        parsed = {"value": value}
        for attribute in attributes:
            key, _, attr_value = attribute.partition("=")
            parsed[key.lower()] = attr_value
        cookies[name] = parsed
    return cookies


def translated(app, lang: str, msgid: str) -> str:
    """The catalogue's text for `msgid` in `lang`, HTML-escaped as Jinja renders it."""
    with app.app_context(), app.test_request_context(), force_locale(lang):
        text = gettext(msgid)
    if lang == "vi":
        assert text != msgid, f"no Vietnamese translation yet for {msgid!r}"
    return str(escape(text))


def csrf_token(body: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
    assert match, "no csrf_token field on the page"
    return match[1]


def assert_security_headers(response) -> None:
    directives = csp_directives(response)
    assert directives.get("default-src") == ["'self'"]
    assert directives.get("object-src") == ["'none'"]
    assert directives.get("base-uri") == ["'none'"]
    assert directives.get("frame-ancestors") == ["'none'"]
    assert directives.get("form-action") == ["'self'"]
    images = directives.get("img-src", [])
    assert "'self'" in images
    for source in images:  # besides our own: inline data, blobs and at most a https map tile host
        https_host = re.fullmatch(r"https://[\w.*-]+\.[a-z]{2,}", source)
        allowed = source in ("'self'", "data:", "blob:") or https_host
        assert allowed, source
    for name in ("default-src", "script-src", "style-src"):
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(directives.get(name, [])), name
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin"


# --- headers on every kind of response ------------------------------------------------------------


@pytest.mark.parametrize(
    "path, status, content_type",
    [
        ("/", 200, "text/html"),
        ("/procedures?q=khai+sinh", 200, "text/html"),
        ("/healthz", 200, "application/json"),
        ("/khong-co-trang-nay", 404, "text/html"),
        ("/logout", 405, "text/html"),
        ("/static/css/portal.css", 200, "text/css"),
    ],
)
def test_security_headers_on_every_response(client, path, status, content_type):
    response = client.get(path)
    response.close()
    assert response.status_code == status
    assert response.mimetype == content_type
    assert_security_headers(response)


def test_security_headers_on_json_404(client):
    response = client.get("/khong-co-trang-nay", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.is_json
    assert_security_headers(response)


def test_security_headers_on_redirect(client):
    response = client.post("/login", data=credentials())
    assert response.status_code == 302
    assert_security_headers(response)


def test_no_hsts_over_plain_http(client):
    for path in ("/", "/healthz", "/khong-co-trang-nay"):
        assert "Strict-Transport-Security" not in client.get(path).headers


# --- session cookie on http -----------------------------------------------------------------------


def test_session_cookie_flags_after_login(client, app):
    response = client.post("/login", data=credentials())
    assert response.status_code == 302
    cookies = set_cookies(response)
    name = app.config["SESSION_COOKIE_NAME"]
    assert name in cookies, cookies.keys()
    cookie = cookies[name]
    assert "httponly" in cookie
    assert cookie.get("samesite", "").lower() == "lax"
    assert cookie.get("path") == "/"
    assert "domain" not in cookie
    # Plain http (development): a Secure cookie would never come back, so it is not set.
    assert "secure" not in cookie
    assert not name.startswith("__Host-")


def test_signed_in_pages_are_not_cached(client):
    first = client.post("/login", data=credentials())
    assert first.status_code == 302
    assert "no-store" in first.headers.get("Cache-Control", "")
    for path in ("/", "/procedures", "/procedures/1.001193"):
        response = client.get(path)
        assert response.status_code == 200
        assert "no-store" in response.headers.get("Cache-Control", ""), path


# --- the same portal on https ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def https_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("https")
    application = build_app(folder, f"sqlite:///{folder / 'https.sqlite3'}", base_url=HTTPS_BASE)
    migrate_and_seed(application)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def https_credentials(https_app) -> dict[str, str]:
    """A fresh citizen committed in the HTTPS app's own database: its login form's e-mail and password."""
    with https_app.app_context():
        citizen = make_account("citizen")
        made = {"email": citizen.email, "password": citizen.plain_password}
        db.session.commit()
        db.session.remove()
    return made


def test_https_session_cookie_is_host_prefixed_and_secure(https_app, https_credentials):
    client = https_app.test_client()
    response = client.post("/login", base_url=HTTPS_BASE, data=https_credentials)
    assert response.status_code == 302
    cookies = set_cookies(response)
    assert "__Host-session" in cookies, cookies.keys()
    assert "portal_session" not in cookies
    cookie = cookies["__Host-session"]
    # The __Host- prefix is only honoured with Secure, Path=/ and no Domain.
    assert "secure" in cookie
    assert cookie.get("path") == "/"
    assert "domain" not in cookie
    assert "httponly" in cookie
    assert cookie.get("samesite", "").lower() == "lax"


def test_https_language_cookie_is_secure(https_app):
    response = https_app.test_client().get("/?lang=en", base_url=HTTPS_BASE)
    cookie = set_cookies(response)["portal_lang"]
    assert cookie["value"] == "en"
    assert "secure" in cookie
    assert "httponly" in cookie


@pytest.mark.parametrize("path, status", [("/", 200), ("/healthz", 200), ("/khong-co-trang-nay", 404)])
def test_https_sends_hsts(https_app, path, status):
    response = https_app.test_client().get(path, base_url=HTTPS_BASE)
    assert response.status_code == status
    assert response.headers.get("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"
    assert_security_headers(response)


# --- CSRF -----------------------------------------------------------------------------------------


@pytest.fixture
def csrf_on(app, monkeypatch):
    """CSRF protection as in production (the shared test settings switch it off)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def login_events() -> int:
    return db.session.scalar(select(func.count()).select_from(Event).where(Event.action == "login"))


def signed_in(client) -> bool:
    return 'action="/logout"' in client.get("/").get_data(as_text=True)


def sign_in_with_token(client) -> None:
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={**credentials(), "csrf_token": token})
    assert response.status_code == 302


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_login_without_csrf_token_is_refused(app, client, csrf_on, lang):
    before = login_events()
    response = client.post(f"/login?lang={lang}", data=credentials())
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert html_lang(body) == lang
    assert translated(app, lang, "Form expired") in body
    assert "Traceback" not in body
    assert "CSRFError" not in body
    assert "token is missing" not in body.lower()
    assert login_events() == before
    assert not signed_in(client)


def test_login_with_csrf_token_works(client, csrf_on):
    sign_in_with_token(client)
    assert signed_in(client)


def test_csrf_token_of_another_session_is_refused(app, client, csrf_on):
    other = app.test_client()
    foreign_token = csrf_token(other.get("/login").get_data(as_text=True))
    client.get("/login")  # the victim has a session of their own
    response = client.post("/login", data={**credentials(), "csrf_token": foreign_token})
    assert response.status_code == 400
    assert translated(app, "vi", "Form expired") in response.get_data(as_text=True)
    assert not signed_in(client)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_logout_without_csrf_token_is_refused(app, client, csrf_on, lang):
    sign_in_with_token(client)
    response = client.post(f"/logout?lang={lang}")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert html_lang(body) == lang
    assert translated(app, lang, "Form expired") in body
    assert "Traceback" not in body
    assert signed_in(client)  # a forged logout changes nothing


def test_logout_with_csrf_token_works(client, csrf_on):
    sign_in_with_token(client)
    token = csrf_token(client.get("/").get_data(as_text=True))
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert not signed_in(client)


def test_logout_by_get_is_not_allowed(client):
    assert client.post("/login", data=credentials()).status_code == 302
    response = client.get("/logout")
    assert response.status_code == 405
    assert "POST" in response.headers.get("Allow", "")
    assert signed_in(client)


# --- static files stay cacheable for signed-in staff -------------------------------------------------


@pytest.mark.parametrize("encoding", ["gzip", ""])
def test_static_files_are_cacheable_for_signed_in_staff(client, login, encoding):
    login("leader")
    page = client.get("/staff/queue")
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]  # the staff page itself stays private
    assert "Cookie" in page.headers["Vary"]
    response = client.get("/static/css/portal.css", headers={"Accept-Encoding": encoding})
    response.close()
    assert response.status_code == 200
    cache_control = response.headers["Cache-Control"]
    assert "no-store" not in cache_control and "private" not in cache_control
    assert f"max-age={7 * 24 * 3600}" in cache_control
    assert "Cookie" not in response.headers.get("Vary", "")
    assert response.headers["ETag"]
    assert_security_headers(response)
    # The browser's revalidation earns a 304, as for anyone.
    again = client.get(
        "/static/css/portal.css",
        headers={"Accept-Encoding": encoding, "If-None-Match": response.headers["ETag"]},
    )
    again.close()
    assert again.status_code == 304
    assert "no-store" not in again.headers.get("Cache-Control", "")
    assert "Cookie" not in again.headers.get("Vary", "")


def test_missing_static_file_for_signed_in_staff_is_a_private_page(client, login):
    login("leader")
    response = client.get("/static/css/no-such-file.css")
    assert response.status_code == 404
    assert "no-store" in response.headers["Cache-Control"]


# --- pages of a private grant, a view's stricter referrer policy (attack on the demo, 08/12/2026) ----------


def test_an_anonymous_reporters_my_data_pages_are_not_stored(client, create_feedback):
    from portal.feedback import operations

    item = create_feedback(contact_name="Người Ẩn Danh", phone="+84933000555", email="an@example.vn")
    item.token_hash = operations.hash_token("tok-" + "s" * 20)
    db.session.commit()
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    client.get("/my-data/t/tok-" + "s" * 20)
    for path in ("/my-data", "/my-data/correct"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Người Ẩn Danh" in response.get_data(as_text=True)
        assert response.headers["Cache-Control"] == "no-store", path
    client.post("/my-data/leave")
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")


@pytest.mark.parametrize("policy", ["no-referrer", "same-origin", "strict-origin"])
def test_a_views_stricter_referrer_policy_survives(app, policy):
    with app.test_request_context("/"):
        response = app.process_response(app.make_response(("page", 200, {"Referrer-Policy": policy})))
    assert response.headers.getlist("Referrer-Policy") == [policy]


@pytest.mark.parametrize("policy", ["unsafe-url", "origin", "no-referrer-when-downgrade"])
def test_a_looser_referrer_policy_is_replaced(app, policy):
    with app.test_request_context("/"):
        response = app.process_response(app.make_response(("page", 200, {"Referrer-Policy": policy})))
    assert response.headers.getlist("Referrer-Policy") == ["strict-origin-when-cross-origin"]
