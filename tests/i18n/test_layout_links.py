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
