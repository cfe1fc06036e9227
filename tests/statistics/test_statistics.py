"""/statistics: public province-wide figures for the year so far, in both languages, without personal
data, cacheable for a few minutes, and the same numbers as the staff dashboard's province view."""

from __future__ import annotations

import re
from html import unescape

import pytest

from portal.calendar.queries import local_now
from portal.dossiers.demo import PLAN
from portal.feedback.demo import ITEMS
from tests.conftest import html_lang

PUBLIC_KEYS = {
    "received",
    "processed",
    "on_time_rate",
    "online_submission_share",
    "online_payment_share",
    "feedback_received",
    "feedback_on_time_share",
    "feedback_satisfaction",
}

KEYED = re.compile(r'<(?:dd|td)[^>]* data-key="([^"]+)"[^>]*>(.*?)</(?:dd|td)>', re.S)


def shown(body: str) -> dict[str, str]:
    """data-key → the number shown (the same markup on /statistics and /staff/dashboard)."""
    return {
        key: " ".join(unescape(re.sub(r"<[^>]+>", "", text)).split()) for key, text in KEYED.findall(body)
    }


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_public_page_in_both_languages(client, lang):
    response = client.get(f"/statistics?lang={lang}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert html_lang(body) == lang
    assert "<h1>" in body and body.count("<h1") == 1
    assert set(shown(body)) == PUBLIC_KEYS
    assert "/login" not in response.headers.get("Location", "")


def test_no_login_needed_and_cacheable_for_a_few_minutes(client):
    response = client.get("/statistics")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert "Cookie" in response.headers["Vary"]


def test_no_personal_data_from_the_demo(client, login):
    login("leader")  # whoever looks, the page is the same public page
    bodies = [client.get(f"/statistics?lang={lang}").get_data(as_text=True) for lang in ("vi", "en")]
    names = [name for _code, name, _days, _path in PLAN]
    names += [f"Người dân {n}" for n in range(1, len(ITEMS) + 1)]  # feedback contacts
    names += ["Lò Thị Mai", "Cầm Văn Hùng", "Quàng Văn Thanh", "Tòng Thị Hoa", "Hoàng Văn Páo"]  # accounts
    for body in bodies:
        for name in names:
            assert name not in body, name
        assert "@" not in body  # no e-mail address of any kind
        assert not re.search(r"\+84\d{6,}|\b0\d{2,3}[ .]?\d{3}[ .]?\d{3,4}\b", body)  # no phone number
        assert "014190" not in body  # no id number
        for _slug, title, _description, _days, _actions, _rating in ITEMS:
            assert title not in body


def test_the_numbers_are_the_dashboards_province_figures(client, login):
    public = shown(client.get("/statistics?lang=en").get_data(as_text=True))
    login("admin")
    today = local_now().date()
    query = f"agency=all&from={today.year}-01-01&to={today.isoformat()}"
    staff = shown(client.get(f"/staff/dashboard?lang=en&{query}").get_data(as_text=True))
    for key in PUBLIC_KEYS - {"on_time_rate"}:
        assert public[key] == staff[key], key
    assert public["on_time_rate"] == staff["2.1"]
    # the demo is seeded days before today: this year has them all (unless today is early in January)
    if today.timetuple().tm_yday > 14:
        assert (
            public["received"] == "10" and public["feedback_received"] == "9"
        )  # 6 + the 3 urgent demo reports


def test_the_facts_are_kept_for_a_few_minutes(app, client, monkeypatch):
    """Anonymous visitors cannot make the database count the province on every request."""
    import cachelib.simple

    from portal.extensions import cache
    from portal.statistics import routes_public

    monkeypatch.setitem(app.config, "STATISTICS_CACHE_SECONDS", 300)
    with app.app_context():
        cache.clear()  # the session's app: nothing kept from another test
    calls = []
    original = routes_public.dashboard.build
    monkeypatch.setattr(routes_public.dashboard, "build", lambda *args: calls.append(args) or original(*args))
    first = shown(client.get("/statistics?lang=en").get_data(as_text=True))
    again = shown(client.get("/statistics?lang=vi").get_data(as_text=True))
    assert len(calls) == 1 and first["received"] == again["received"]
    later = cachelib.simple.time() + 301
    monkeypatch.setattr(cachelib.simple, "time", lambda: later)
    client.get("/statistics")
    assert len(calls) == 2  # expired: counted again
