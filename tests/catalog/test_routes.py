"""The public catalogue: /procedures search and filters, /procedures/<code> detail."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from urllib.parse import urlencode

import pytest
from markupsafe import escape
from sqlalchemy import select

from portal.calendar.queries import LOCAL_TZ
from portal.catalog import routes as catalog_routes
from portal.catalog.models import Procedure
from portal.extensions import db
from tests.conftest import html_lang

BUILDING_PERMIT = "SL-025"
BUILDING_PERMIT_NAME = "Cấp giấy phép xây dựng"
BIRTH = "1.001193"
EXTRACT = "2.000635"  # certified extract of a civil-status record: 8,000 VND, same day


def listing(client, **params):
    response = client.get("/procedures?" + urlencode(params))
    assert response.status_code == 200
    return response


def codes(response) -> list[str]:
    """Procedure codes linked from the result list, in page order."""
    body = response.get_data(as_text=True)
    if '<ul class="procedure-list">' not in body:
        return []
    block = body.split('<ul class="procedure-list">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="/procedures/([^"?#]+)"', block)


def active_codes(**where) -> set[str]:
    statement = select(Procedure.code).where(Procedure.is_active)
    for column, values in where.items():
        statement = statement.where(getattr(Procedure, column).in_(values))
    return set(db.session.scalars(statement))


def text_of(body: str) -> str:
    """Visible text with tags dropped and every kind of space folded to one plain space."""
    return " ".join(re.sub(r"<[^>]+>", " ", body).replace("\xa0", " ").replace("\u202f", " ").split())


# --- search ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "giay phep xay dung",
        "giấy phép xây dựng",
        unicodedata.normalize("NFD", "giấy phép xây dựng"),
        "GIẤY PHÉP XÂY DỰNG",
        "GIAY PHEP XAY DUNG",
        "Giấy Phép Xây Dựng",
        "giâý phép xâý dựng",  # tone mark typed on the last vowel (old input habit)
        "giấy phép xây dựng nhà ở riêng lẻ",
        "họat động xây dựng",  # area name, tone on the first vowel of "oa"
        "  giấy\tphép\u200b xây\n dựng  ",  # tabs, newlines, a zero-width space
    ],
)
def test_search_finds_the_building_permit(client, query):
    response = listing(client, q=query)
    found = codes(response)
    assert BUILDING_PERMIT in found
    assert BUILDING_PERMIT_NAME in response.get_data(as_text=True)
    assert all(code in active_codes() for code in found)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("an tòan thực phẩm", "SL-032"),  # old-style tone placement of "toàn"
        ("an toàn thực phẩm", "SL-032"),
        ("ĐĂNG KÝ KHAI SINH", BIRTH),
        ("dang ky khai sinh", BIRTH),
        ("đăng ký khai tử", "1.000656"),
    ],
)
def test_search_ignores_tone_placement_case_and_accents(client, query, expected):
    assert expected in codes(listing(client, q=query))


def test_search_by_national_code(client):
    found = codes(listing(client, q="1.001193"))
    assert found == [BIRTH]


def test_search_by_local_code(client):
    assert BUILDING_PERMIT in codes(listing(client, q="SL-025"))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_search_by_english_gloss(client, lang):
    response = listing(client, q="birth registration", lang=lang)
    found = codes(response)
    assert BIRTH in found
    assert BUILDING_PERMIT not in found
    assert html_lang(response.get_data(as_text=True)) == lang


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_empty_query_lists_every_active_procedure(client, lang):
    response = listing(client, q="", lang=lang)
    found = codes(response)
    assert len(found) == len(set(found)) == 34
    assert set(found) == active_codes()
    count = re.search(r'<p class="result-count"[^>]*>([^<]*)</p>', response.get_data(as_text=True))
    assert count and re.search(r"\b34\b", count[1])
    assert 'class="empty"' not in response.get_data(as_text=True)


def test_listing_without_parameters_is_the_full_list(client):
    response = client.get("/procedures")
    assert response.status_code == 200
    assert len(codes(response)) == 34


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_nonsense_query_shows_the_empty_state(client, lang):
    response = listing(client, q="xyzzy quetzalcoatl", lang=lang)
    body = response.get_data(as_text=True)
    assert codes(response) == []
    assert 'class="empty"' in body
    assert html_lang(body) == lang
    assert 'href="/procedures"' in body  # a way back to the full list


@pytest.mark.parametrize("query", ["%", "_", "%%", "%_%", "100%", "khai_sinh", "\\", "\\%", "[a-z]*"])
def test_like_wildcards_in_the_query_are_harmless(client, query):
    response = listing(client, q=query)
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    # Wildcards and punctuation only separate words: they never match anything by themselves.
    words = re.sub(r"[%_\\\[\]*-]", " ", query).split()
    assert codes(response) == codes(listing(client, q=" ".join(words)))


def test_wildcard_between_letters_does_not_match_a_letter(client):
    # If "_" reached LIKE unescaped, "kh_i" would be one pattern matching "khai".
    assert codes(listing(client, q="kh_i zzzz")) == []
    assert codes(listing(client, q="kh%i zzzz")) == []


def test_sql_in_the_query_is_just_text(client):
    response = listing(client, q="' OR 1=1 --")
    assert "Traceback" not in response.get_data(as_text=True)
    assert len(codes(response)) < 34


def test_query_is_escaped_in_the_page(client):
    response = listing(client, q='"><script>alert(1)</script>')
    body = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_very_long_query_does_not_error(client):
    query = ("giấy phép xây dựng " * 300)[:5000]
    response = listing(client, q=query)
    assert BUILDING_PERMIT in codes(response)
    body = response.get_data(as_text=True)
    value = re.search(r'<input id="q" name="q" type="search" value="([^"]*)"', body)
    assert value and len(value[1]) <= 200


def test_long_garbage_query_does_not_error(client):
    response = listing(client, q="ắ" * 5000)
    assert 'class="empty"' in response.get_data(as_text=True)


# --- filters --------------------------------------------------------------------------------------


def test_filter_by_area(client):
    found = codes(listing(client, area="Hộ tịch"))
    assert BIRTH in found
    assert set(found) == active_codes(area=["Hộ tịch"])
    assert BUILDING_PERMIT not in found


def test_area_filter_accepts_nfd(client):
    found = codes(listing(client, area=unicodedata.normalize("NFD", "Hộ tịch")))
    assert set(found) == active_codes(area=["Hộ tịch"])


def test_unknown_area_gives_the_empty_state(client):
    response = listing(client, area="Không có lĩnh vực này")
    assert codes(response) == []
    assert 'class="empty"' in response.get_data(as_text=True)


@pytest.mark.parametrize("level", ["commune", "province"])
def test_filter_by_level_includes_both(client, level):
    found = set(codes(listing(client, level=level)))
    assert found == active_codes(level=[level, "both"])
    both = active_codes(level=["both"])
    assert both, "the seed data should have a procedure of both levels"
    assert both <= found


def test_levels_split_the_catalogue(client):
    commune = set(codes(listing(client, level="commune")))
    province = set(codes(listing(client, level="province")))
    assert commune | province == active_codes()
    assert commune & province == active_codes(level=["both"])
    assert BIRTH in commune and BIRTH not in province


def test_unknown_level_is_ignored(client):
    assert len(codes(listing(client, level="national"))) == 34


def test_filter_by_agency(client):
    found = set(codes(listing(client, agency="cong-an-tinh")))
    expected = set(
        db.session.scalars(
            select(Procedure.code).where(Procedure.is_active, Procedure.agency.has(slug="cong-an-tinh"))
        )
    )
    assert found == expected
    assert len(found) >= 3
    assert BIRTH not in found


def test_unknown_agency_gives_the_empty_state(client):
    assert codes(listing(client, agency="khong-co")) == []


def test_filters_combine(client):
    found = set(codes(listing(client, q="cấp", agency="cong-an-tinh", level="province")))
    assert found
    assert found <= set(codes(listing(client, agency="cong-an-tinh")))
    assert found <= set(codes(listing(client, q="cấp")))


def test_filter_menus_offer_the_values(client):
    body = listing(client).get_data(as_text=True)
    assert '<option value="Hộ tịch">' in body
    assert '<option value="cong-an-tinh">' in body
    assert '<option value="commune">' in body and '<option value="province">' in body


# --- detail ---------------------------------------------------------------------------------------


def detail(client, code: str, lang: str = "vi"):
    response = client.get(f"/procedures/{code}?lang={lang}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert html_lang(body) == lang
    return body


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_detail_lists_the_documents(client, lang):
    body = detail(client, BUILDING_PERMIT, lang)
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == BUILDING_PERMIT))
    assert procedure.documents
    block = body.split('<ol class="documents"', 1)[1].split("</ol>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", block, re.S)
    assert len(items) == len(procedure.documents)
    assert items[0].strip() == str(escape(procedure.documents[0].name))
    assert BUILDING_PERMIT_NAME in body


@pytest.mark.parametrize("lang, shown", [("vi", "8.000 ₫"), ("en", "8,000 ₫")])
def test_detail_formats_the_fee(client, lang, shown):
    assert shown in text_of(detail(client, EXTRACT, lang))


@pytest.mark.parametrize("lang, shown", [("vi", "Miễn phí"), ("en", "Free")])
def test_detail_shows_free_procedures(client, lang, shown):
    assert shown in text_of(detail(client, BIRTH, lang))


@pytest.mark.parametrize(
    "lang, pattern",
    [
        ("vi", r"Thứ (Hai|Ba|Tư|Năm|Sáu|Bảy), ngày \d{1,2} tháng \d{1,2} năm 20\d\d"),
        ("en", r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday), \d{1,2} [A-Z][a-z]+ 20\d\d"),
    ],
)
def test_detail_shows_a_due_date(client, lang, pattern):
    body = detail(client, BUILDING_PERMIT, lang)
    due = re.search(r'<p class="due-date">(.*?)</p>', body, re.S)
    assert due, "no due date on the page"
    assert re.search(pattern, due[1]), due[1]


@pytest.mark.parametrize(
    "received, code, expected",
    [
        # Tuesday 10 March 2026, no holiday nearby.
        (datetime(2026, 3, 10, 9, 0), BIRTH, "Tuesday, 10 March 2026"),  # same day before 15:00
        (datetime(2026, 3, 10, 15, 30), BIRTH, "Wednesday, 11 March 2026"),  # after the cut-off
        (datetime(2026, 3, 13, 16, 0), BIRTH, "Monday, 16 March 2026"),  # Friday afternoon
        (datetime(2026, 3, 14, 10, 0), BIRTH, "Monday, 16 March 2026"),  # Saturday
        (datetime(2026, 3, 10, 9, 0), BUILDING_PERMIT, "Tuesday, 31 March 2026"),  # 15 working days
    ],
)
def test_detail_due_date_counts_working_days(client, monkeypatch, received, code, expected):
    monkeypatch.setattr(catalog_routes, "local_now", lambda: received.replace(tzinfo=LOCAL_TZ))
    body = detail(client, code, "en")
    due = re.search(r'<p class="due-date">(.*?)</p>', body, re.S)
    assert due and expected in due[1]


def test_detail_of_a_local_code_says_it_is_unconfirmed(client):
    body = detail(client, BUILDING_PERMIT, "en")
    assert "SL-025" in body


@pytest.mark.parametrize("code", ["9.999999", "sl-025", "SL-0250", "%", "1.001193.x", "..%2f..%2fetc"])
def test_unknown_code_is_404(client, code):
    assert client.get(f"/procedures/{code}").status_code == 404


# A NUL byte is never text: every request carrying one gets the translated 400 page, before any query
# (PostgreSQL would otherwise refuse the string deep inside and answer 500).
@pytest.mark.parametrize(
    "url",
    [
        "/procedures?q=%00",
        "/procedures?area=%00",
        "/procedures?level=%00",
        "/procedures?agency=%00",
        "/procedures?agency=cong-an%00",
        "/procedures/%00",
        "/procedures/SL-025%00",
    ],
)
def test_nul_bytes_get_a_clear_400(client, url):
    response = client.get(url + ("&" if "?" in url else "?") + "lang=en")
    assert response.status_code == 400
    assert "Bad request" in response.get_data(as_text=True)


def test_inactive_procedure_is_hidden(client):
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == BIRTH))
    procedure.is_active = False
    db.session.flush()
    assert client.get(f"/procedures/{BIRTH}").status_code == 404
    all_codes = codes(listing(client))
    assert BIRTH not in all_codes
    assert len(all_codes) == 33
    assert BIRTH not in codes(listing(client, q="1.001193"))
