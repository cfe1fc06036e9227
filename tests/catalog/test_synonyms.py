"""Everyday expressions find procedures ("sổ đỏ" → land-use right certificate); administrators edit them."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.catalog import synonyms
from portal.catalog.models import Synonym
from portal.catalog.queries import CatalogFilter, search
from portal.events.models import Event
from portal.extensions import db


def names(query: str) -> set[str]:
    return {procedure.name for procedure in search(CatalogFilter(query=query))}


def test_at_least_thirty_expressions_are_seeded():
    assert len(synonyms.SEED) >= 30


def test_so_do_finds_the_land_use_right_certificate_procedures(app):
    found = names("sổ đỏ")
    assert "Cấp đổi Giấy chứng nhận quyền sử dụng đất" in found
    assert any(name.startswith("Đăng ký đất đai") for name in found)
    assert not any("khai sinh" in name for name in found)


def test_expressions_with_other_words_and_without_diacritics(app):
    assert "Đăng ký khai sinh" in names("lam giay khai sinh")
    assert "Trợ cấp xã hội hằng tháng, hỗ trợ kinh phí chăm sóc, nuôi dưỡng hằng tháng" in names("hộ nghèo")
    assert names("xin phép xây nhà") == {"Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"}


def test_every_seeded_expression_finds_a_procedure(app):
    missing = [phrase for phrase, _terms in synonyms.SEED if not names(phrase)]
    assert missing == [], missing


def test_a_plain_search_is_unchanged(app):
    assert synonyms.alternatives("khai tử") == ["khai tử"]


def test_the_administrator_adds_an_expression_and_it_is_audited(client, login):
    login("admin@demo.sonla.vn")
    response = client.post(
        "/staff/admin/synonyms", data={"phrase": "Giấy tờ nhà đất", "search_terms": "quyền sử dụng đất"}
    )
    assert response.status_code == 302
    row = db.session.scalar(select(Synonym).where(Synonym.phrase_key == "giay to nha dat"))
    assert row.search_terms == "quyen su dung dat"
    assert (
        db.session.scalar(select(func.count()).select_from(Event).where(Event.subject_type == "synonym")) == 1
    )
    assert "Cấp đổi Giấy chứng nhận quyền sử dụng đất" in names("giấy tờ nhà đất")
    row_id = row.id
    client.post(f"/staff/admin/synonyms/{row_id}/delete", data={})
    assert db.session.scalar(select(func.count()).select_from(Synonym).where(Synonym.id == row_id)) == 0


def test_an_agency_administrator_cannot_edit_expressions(client, login):
    login("quantri.xa@demo.sonla.vn")
    assert client.get("/staff/admin/synonyms").status_code == 403
