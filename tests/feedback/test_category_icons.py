"""Pictures beside words (issue 13 item 6): the report form's category picker shows an icon per category."""

from __future__ import annotations

import re
from pathlib import Path

from portal.feedback.seed import CATEGORIES
from tests.support.feedback import category_id

ICONS = Path(__file__).resolve().parents[2] / "static" / "icons"


def test_every_seeded_category_has_its_own_icon_and_the_licence_is_stated():
    for slug, *_ in CATEGORIES:
        svg = (ICONS / "categories" / f"{slug}.svg").read_text(encoding="utf-8")
        assert svg.startswith("<svg") and "<script" not in svg and "href" not in svg, slug
    assert "CC0" in (ICONS / "README.md").read_text(encoding="utf-8")


def test_the_picker_is_radio_buttons_each_with_its_icon_and_name(client):
    page = client.get("/feedback/new").get_data(as_text=True)
    choices = re.findall(
        r'<label class="category-choice"><input type="radio" name="category" value="(\d+)">'
        r'<svg class="cat-icon"[^>]*>(.*?)</svg><span>([^<]+)</span></label>',
        page,
    )
    assert len(choices) == len(CATEGORIES)  # every seeded category is active
    by_id = {int(value): (shapes, name) for value, shapes, name in choices}
    landslide, fire = by_id[category_id("sat-lo")], by_id[category_id("chay-rung")]
    assert landslide[1] == "Sạt lở đất, đá" and fire[1] == "Cháy rừng"
    assert landslide[0] and fire[0] and landslide[0] != fire[0]  # each its own drawing
    assert "<select" not in page.split('name="category"')[0].rsplit("<fieldset", 1)[-1]


def test_a_chosen_category_stays_chosen_when_the_form_comes_back(client):
    chosen = category_id("cap-thoat-nuoc")
    page = client.post("/feedback/new", data={"category": str(chosen)}).get_data(as_text=True)
    assert f'value="{chosen}" checked>' in page


def test_no_category_chosen_is_an_error_on_the_picker(client):
    page = client.post("/feedback/new", data={"title": "x"}).get_data(as_text=True)
    assert re.search(r'<fieldset class="categories has-error"[^>]*>.*?<p class="error"', page, re.S)
