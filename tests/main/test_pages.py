"""Smoke tests of the main pages in both languages."""

import pytest

from tests.conftest import html_lang

PAGES = ["/", "/procedures", "/procedures?q=khai+sinh", "/procedures/1.001193", "/login"]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_pages_render_in_both_languages(client, path, lang):
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}lang={lang}")
    assert response.status_code == 200
    assert html_lang(response.get_data(as_text=True)) == lang


def test_vietnamese_is_the_default(client):
    body = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert html_lang(body) == "vi"
    assert "Tìm thủ tục" in body


def test_language_choice_is_remembered(client):
    client.get("/?lang=en")
    body = client.get("/procedures").get_data(as_text=True)
    assert html_lang(body) == "en"
    assert "Administrative procedures" in body


def test_healthz_and_readyz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "storage": "ok"}}
