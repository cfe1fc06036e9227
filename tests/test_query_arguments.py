"""Query arguments named like a page's view arguments or like url_for's own (`_method`, `_anchor`,
`_external`, `_scheme`) are data, never a 500 (attack on the demo, 08/12/2026: the language link passed them
to url_for). Any failure in the layout itself still gives the portal's translated page and headers."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.catalog.models import Procedure
from portal.extensions import db
from tests.conftest import build_app, html_lang

BARE = {"/login", "/", "/procedures", "/feedback"}


def language_link(body: str, lang: str) -> str:
    found = re.search(rf'<a href="([^"]*)" lang="{lang}" hreflang="{lang}"', body)
    assert found, "no language link"
    return found.group(1).replace("&amp;", "&")


@pytest.mark.parametrize(
    "address",
    [
        "/procedures/{known}?code=1",
        "/procedures/no-such-code?code=1",
        "/feedback/PA-261126-0001?code=1",
        "/payments/SLKT45BFRJ8W?reference=1",
        "/login?_method=x",
        "/?_method=x",
        "/?_anchor=x&_external=1&_scheme=javascript",
        "/procedures/no-such-code?code=%00",
        "/login?_method=%00",
    ],
)
def test_a_query_argument_named_like_a_url_variable_is_no_500(client, address):
    known = db.session.scalars(select(Procedure.code).limit(1)).first()
    response = client.get(address.format(known=known))
    assert response.status_code in (200, 400, 404)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response.headers
    assert html_lang(response.get_data(as_text=True)) == "vi"


def test_the_language_link_keeps_the_page_and_its_query_as_data(client):
    known = db.session.scalars(select(Procedure.code).limit(1)).first()
    body = client.get(f"/procedures/{known}?code=1&_external=1&_scheme=javascript&_anchor=x").get_data(
        as_text=True
    )
    link = language_link(body, "en")
    assert link.startswith(f"/procedures/{known}?")  # the page's own code, not the query's, same site
    assert "code=1" in link and "_external=1" in link and "_scheme=javascript" in link
    assert "lang=en" in link and "#" not in link


def test_a_nul_byte_is_left_out_of_the_language_link(client):
    response = client.get("/procedures?q=%00&agency=2")
    assert response.status_code == 400
    link = language_link(response.get_data(as_text=True), "en")
    assert "%00" not in link and "agency=2" in link


@pytest.fixture(scope="module")
def broken_layout_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("broken")
    application = build_app(folder, f"sqlite:///{folder / 'broken.sqlite3'}")
    application.config["PROPAGATE_EXCEPTIONS"] = False  # as in production

    @application.context_processor
    def broken():
        raise RuntimeError("a context processor failed")

    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(("lang", "title"), [("vi", "Đã xảy ra lỗi"), ("en", "Something went wrong")])
def test_a_failing_layout_still_gives_the_portals_translated_error_page(broken_layout_app, lang, title):
    response = broken_layout_app.test_client().get(f"/login?lang={lang}")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert html_lang(body) == lang
    assert title in body and "Traceback" not in body and "RuntimeError" not in body
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_an_error_outside_the_handlers_gets_the_bare_page_with_headers(broken_layout_app, monkeypatch):
    def failing_session(*args, **kwargs):
        raise RuntimeError("the session store failed")

    monkeypatch.setattr(broken_layout_app.session_interface, "open_session", failing_session)
    response = broken_layout_app.test_client().get("/")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and "Đã xảy ra lỗi" in body and "Traceback" not in body
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
