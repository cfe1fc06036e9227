"""The layout's links, built once per script root: the same addresses url_for gives, under any prefix."""

from __future__ import annotations

from flask import url_for

from portal.i18n import link


def test_link_matches_url_for_and_follows_the_script_root(app):
    for script_root in ("", "/cong-thong-tin"):
        with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
            for endpoint, values in (
                ("main.home", {}),
                ("tracking.track", {}),
                ("static", {"filename": "favicon.svg"}),
            ):
                assert link(endpoint, **values) == url_for(endpoint, **values)
                assert link(endpoint, **values).startswith(f"{script_root}/")


def test_layout_links_carry_the_script_root(app):
    body = app.test_client().get("/", base_url="http://localhost/cong-thong-tin/").get_data(as_text=True)
    assert 'href="/cong-thong-tin/procedures"' in body
    assert 'href="/cong-thong-tin/static/css/portal.css"' in body


def test_long_addresses_are_not_kept_by_the_language_links(app):
    """The language links' cache is bounded by entries: a long query string is answered but not kept."""
    from portal.i18n import LANGUAGE_URLS

    client = app.test_client()
    app.extensions.pop(LANGUAGE_URLS, None)
    long_search = "đường " * 60
    body = client.get("/feedback", query_string={"q": long_search}).get_data(as_text=True)
    assert "lang=en" in body
    assert not any(long_search.strip() in str(key) for key in app.extensions.get(LANGUAGE_URLS, {}))
    client.get("/feedback", query_string={"q": "đường"})
    assert any("đường" in str(key) for key in app.extensions[LANGUAGE_URLS])
