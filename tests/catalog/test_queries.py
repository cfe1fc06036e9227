"""Catalogue queries: folded search, filters, facets and look-up by code."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import select

from portal import search as search_module
from portal.agencies.models import Agency
from portal.catalog.models import Procedure, RequiredDocument
from portal.catalog.queries import CatalogFilter, facets, procedure_by_code, search
from portal.domain.collation import sort_key
from portal.extensions import db

BUILDING_PERMIT = "SL-025"
BIRTH = "1.001193"


def found(**criteria) -> list[str]:
    return [procedure.code for procedure in search(CatalogFilter(**criteria))]


def add_procedure(code: str, search_key: str, **values) -> Procedure:
    procedure = Procedure(
        code=code,
        name=f"Thủ tục thử {code}",
        area=values.pop("area", "Thử nghiệm"),
        level=values.pop("level", "commune"),
        deciding_body="UBND cấp xã",
        search_key=search_key,
        **values,
    )
    db.session.add(procedure)
    db.session.flush()
    return procedure


# --- search ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "giay phep xay dung",
        unicodedata.normalize("NFD", "giấy phép xây dựng"),
        "GIẤY PHÉP XÂY DỰNG",
        "giâý phép xâý dựng",
        "dựng xây phép giấy",  # word order does not matter
    ],
)
def test_search_finds_the_building_permit(app, query):
    assert BUILDING_PERMIT in found(query=query)


def test_every_term_must_match(app):
    assert BUILDING_PERMIT in found(query="giay phep")
    assert BUILDING_PERMIT not in found(query="giay phep lai xe")


def test_empty_query_returns_all_active_procedures_in_order(app):
    procedures = search(CatalogFilter())
    assert len(procedures) == 34
    keys = [(procedure.area, procedure.name) for procedure in procedures]
    # Vietnamese order (issue 11 item 11): "Căn cước" before "Chứng thực" (ă < h), which Python's order reverses.
    assert keys == sorted(keys, key=lambda key: (sort_key(key[0]), sort_key(key[1])))
    assert keys != sorted(keys)
    assert all(procedure.is_active for procedure in procedures)


def test_search_by_code(app):
    assert found(query="1.001193") == [BIRTH]
    assert found(query="2.000635") == ["2.000635"]


def test_search_by_english_gloss(app):
    assert BIRTH in found(query="Birth Registration")


def test_inactive_procedures_are_never_found(app):
    procedure = procedure_by_code(BIRTH)
    procedure.is_active = False
    db.session.flush()
    assert BIRTH not in found()
    assert BIRTH not in found(query="1.001193")
    assert BIRTH not in found(area="Hộ tịch")
    assert procedure_by_code(BIRTH) is None


def test_like_wildcards_reaching_the_database_are_literal(app, monkeypatch):
    """Even if a term with % _ or \\ got past the tokenizer, LIKE must treat them as characters."""
    literal = add_procedure("T-LIT", "thu nghiem 50% a_b back\\slash")
    lookalike = add_procedure("T-ALIKE", "thu nghiem 50x axb backxslash")
    for term in ("50%", "a_b", "back\\slash", "%", "_"):
        monkeypatch.setattr(search_module, "search_terms", lambda query, term=term: [term])
        codes = found(query="ignored")
        assert literal.code in codes, term
        assert lookalike.code not in codes, term


def test_escape_like():
    escape = search_module.escape_like
    assert escape("50%") == "50\\%"
    assert escape("a_b") == "a\\_b"
    assert escape("a\\b") == "a\\\\b"
    assert escape("\\%") == "\\\\\\%"
    assert escape("giay phep") == "giay phep"


@pytest.mark.parametrize("query", ["%", "_", "%%%", "\\", "' OR 1=1 --", "ắ" * 5000, "a " * 500])
def test_odd_queries_do_not_fail(app, query):
    assert isinstance(search(CatalogFilter(query=query)), list)


# --- filters --------------------------------------------------------------------------------------


def test_area_filter_is_exact(app):
    codes = found(area="Hộ tịch")
    assert BIRTH in codes
    areas = {procedure_by_code(code).area for code in codes}
    assert areas == {"Hộ tịch"}
    assert found(area="Hộ") == []


@pytest.mark.parametrize("level", ["commune", "province"])
def test_level_filter_includes_both(app, level):
    procedures = search(CatalogFilter(level=level))
    levels = {procedure.level for procedure in procedures}
    assert levels == {level, "both"}


def test_level_both_means_only_both(app):
    procedures = search(CatalogFilter(level="both"))
    assert procedures
    assert {procedure.level for procedure in procedures} == {"both"}


def test_unknown_level_is_no_filter(app):
    assert len(found(level="national")) == len(found()) == 34


def test_agency_filter(app):
    procedures = search(CatalogFilter(agency="cong-an-tinh"))
    assert procedures
    assert {procedure.agency.slug for procedure in procedures} == {"cong-an-tinh"}
    assert found(agency="khong-co") == []


def test_filters_and_query_combine(app):
    codes = found(query="cap", agency="cong-an-tinh", level="province")
    assert codes
    assert set(codes) <= set(found(agency="cong-an-tinh")) & set(found(query="cap"))


def test_filter_active_flag():
    assert not CatalogFilter().active
    assert CatalogFilter(query="x").active
    assert CatalogFilter(area="Hộ tịch").active
    assert CatalogFilter(level="commune").active
    assert CatalogFilter(agency="cong-an-tinh").active


# --- facets ---------------------------------------------------------------------------------------


def test_facets_list_areas_and_deciding_agencies(app):
    values = facets()
    areas = [area for area, _ in values["areas"]]
    assert "Hộ tịch" in areas
    assert len(areas) == len(set(areas))
    assert areas == sorted(areas, key=sort_key)
    slugs = {agency.slug for agency in values["agencies"]}
    assert "cong-an-tinh" in slugs
    # Only agencies that decide at least one active procedure appear.
    used = set(db.session.scalars(select(Procedure.agency_id).where(Procedure.is_active)))
    assert {agency.id for agency in values["agencies"]} == used - {None}


def test_facets_ignore_inactive_procedures(app):
    agency = db.session.scalar(select(Agency).where(Agency.slug == "so-noi-vu"))
    only = add_procedure(
        "T-AREA",
        "thu",
        area="Lĩnh vực chỉ có thủ tục ngừng",
        agency_id=agency.id,
        level="province",
        is_active=False,
    )
    for procedure in db.session.scalars(select(Procedure).where(Procedure.agency_id == agency.id)):
        procedure.is_active = False
    db.session.flush()
    values = facets()
    assert only.area not in [area for area, _ in values["areas"]]
    assert "so-noi-vu" not in {agency.slug for agency in values["agencies"]}


# --- look-up by code ------------------------------------------------------------------------------


def test_procedure_by_code_loads_documents_in_order(app):
    procedure = add_procedure("T-DOCS", "thu")
    for position, name in ((3, "Ba"), (1, "Một"), (2, "Hai")):
        db.session.add(RequiredDocument(procedure=procedure, position=position, name=name))
    db.session.flush()
    db.session.expire_all()
    loaded = procedure_by_code("T-DOCS")
    assert [document.name for document in loaded.documents] == ["Một", "Hai", "Ba"]


@pytest.mark.parametrize("code", ["9.999999", "sl-025", " SL-025", "SL-025 ", "%", ""])
def test_procedure_by_code_is_exact(app, code):
    assert procedure_by_code(code) is None


def test_procedure_by_code_finds_national_and_local_codes(app):
    assert procedure_by_code(BIRTH).name == "Đăng ký khai sinh"
    assert procedure_by_code(BUILDING_PERMIT).name.startswith("Cấp giấy phép xây dựng")
