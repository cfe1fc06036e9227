"""The layout's fixed parts are rendered once per locale, script root and kind of visitor (portal/layout.py):
each visitor still sees their own navigation, in their own language, with their own CSRF token, whoever
was served before them by the same process."""

from __future__ import annotations

import re

from tests.conftest import html_lang
from tests.support.clients import fresh_client, signed_in

NAV = {
    # link text (English) -> who sees it
    "Sign in": {"anonymous"},
    "Sign out": {"citizen", "processor", "finance", "admin"},
    "My dossiers": {"citizen"},
    "My reports": {"citizen"},
    "Work queue": {"processor", "admin"},
    "Payments": {"finance", "admin"},
    "Administration": {"admin"},
    "Audit log": {"admin"},
}


def navigation(body: str) -> str:
    return body[body.index('<nav class="wrap main-nav"') : body.index("</header>")]


def test_each_visitor_sees_their_own_navigation_whoever_came_before(app):
    visitors = {"anonymous": fresh_client(app)}
    for role in ("citizen", "processor", "finance", "admin"):
        visitors[role] = signed_in(app, role)
    # Twice round, in an order where every kind follows another kind: a kept part serves only its own.
    for _ in range(2):
        for who, client in visitors.items():
            body = client.get("/track?lang=en").get_data(as_text=True)
            nav = navigation(body)
            for label, seen_by in NAV.items():
                assert (f">{label}<" in nav) == (who in seen_by), (who, label)


def test_the_sign_out_form_carries_each_sessions_own_token(app):
    first, second = signed_in(app, "processor"), signed_in(app, "processor")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        tokens = []
        for client in (first, second):
            body = client.get("/track").get_data(as_text=True)
            form = body[body.index('<form method="post" action="/logout"') :]
            tokens.append(re.search(r'name="csrf_token" value="([^"]+)"', form)[1])
        assert tokens[0] != tokens[1]
        # The token in the kept layout's form is the one this session checks: signing out works.
        assert first.post("/logout", data={"csrf_token": tokens[0]}).status_code == 302
        assert ">Sign in<" in navigation(first.get("/track?lang=en").get_data(as_text=True))
        assert second.post("/logout", data={"csrf_token": tokens[0]}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_language_follows_each_switch_and_each_page_links_to_itself(app):
    client = fresh_client(app)
    for lang, home, other in (("vi", "Trang chủ", "en"), ("en", "Home", "vi"), ("vi", "Trang chủ", "en")):
        for path in ("/track", "/procedures"):
            body = client.get(f"{path}?lang={lang}").get_data(as_text=True)
            assert html_lang(body) == lang
            assert f">{home}</a>" in navigation(body)
            # The switcher is not part of a kept fragment: it names this page.
            assert f'href="{path}?lang={other}"' in body
    # A 404 page offers the home page in the other language.
    body = client.get("/no/such/page").get_data(as_text=True)
    assert html_lang(body) == "vi" and 'href="/?lang=en"' in body
