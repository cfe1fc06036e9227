"""A row id past the id columns' range is no row's id: a 404 in an address, "no such id" in a query, never
a 500 (SQLite's OverflowError past 64 bits, PostgreSQL's "integer out of range" past 32; attack on the
demo, 08/12/2026). One converter, one reader (portal/domain/ids.py)."""

from __future__ import annotations

import pytest

from portal.domain.ids import MAX_ID, parse_id
from tests.support.factories import account

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "path",
    [f"/staff/admin/accounts/{HUGE}", f"/staff/disasters/{HUGE}", f"/staff/admin/accounts/{MAX_ID + 1}"],
)
def test_an_id_past_64_bits_in_an_address_is_a_404(client, login, path):
    login(account("admin"))
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_largest_id_is_still_routed(client, login):
    login(account("admin"))
    assert client.get(f"/staff/disasters/{MAX_ID}").status_code == 404  # routed, no such row: the view's 404


@pytest.mark.parametrize("category", [HUGE, str(MAX_ID + 1), str(2**63 - 1), "-1", "²", "1e3"])
def test_an_id_out_of_range_in_the_query_is_no_such_id(client, category):
    response = client.get(f"/feedback/similar?category={category}&commune=03646&title=den+hong")
    assert response.status_code == 200
    assert response.is_json


def test_parse_id_bounds():
    assert parse_id("0") == 0 and parse_id(str(MAX_ID)) == MAX_ID
    assert MAX_ID == 2**31 - 1  # PostgreSQL INTEGER, the id columns' type
    for bad in (str(MAX_ID + 1), str(2**63 - 1), HUGE, "", "-1", " 1", "²", "١٢", None, 12, "1" * 11):
        assert parse_id(bad) is None, bad
