"""Who gets 200, 403 or 404 on each administration page (the doors; the actions have their own tests).

Province admin: everything. Agency admin: categories, procedures, accounts and templates of their own
agency (another agency's rows are 404, as if they did not exist), never agencies, the calendar or the
bank account (403). Every other role: 403. Anonymous: sent to sign in.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts.models import Account
from portal.agencies.models import Agency
from portal.extensions import db
from tests.support.admin import (
    ADMIN,
    AGENCY_ADMIN,
    CITIZEN,
    HEALTH,
    HEALTH_CATEGORY,
    HEALTH_PROCEDURE,
    LEADER,
    PROCESSOR,
    RECEPTIONIST,
    account,
    agency,
    body,
    category,
    fresh_client,
    health_admin,
    procedure,
    signed_in,
    staff,
    template_of,
)

ROLES = {
    "receptionist": RECEPTIONIST,
    "processor": PROCESSOR,
    "leader": LEADER,
    "agency_admin": AGENCY_ADMIN,
    "admin": ADMIN,
    "citizen": CITIZEN,
}


def pages() -> dict[str, str]:
    """Name -> URL, with real rows: Tô Hiệu's (the demo agency admin's) and the Department of Health's."""
    health_staff = staff("bacsi@soyte.example.vn", "processor", HEALTH)
    return {
        "index": "/staff/admin",
        "agencies": "/staff/admin/agencies",
        "agency": f"/staff/admin/agencies/{agency('ubnd-phuong-to-hieu').id}",
        "categories": "/staff/admin/categories",
        "health category": f"/staff/admin/categories/{category(HEALTH_CATEGORY).id}",
        "procedures": "/staff/admin/procedures",
        "health procedure": f"/staff/admin/procedures/{procedure(HEALTH_PROCEDURE).id}",
        "accounts": "/staff/admin/accounts",
        "new account": "/staff/admin/accounts/new",
        "own processor": f"/staff/admin/accounts/{account(PROCESSOR).id}",
        "health processor": f"/staff/admin/accounts/{health_staff.id}",
        "province admin": f"/staff/admin/accounts/{account(ADMIN).id}",
        "citizen account": f"/staff/admin/accounts/{account(CITIZEN).id}",
        "calendar": "/staff/admin/calendar",
        "templates": "/staff/admin/templates",
        "new template": "/staff/admin/templates/new",
        "own template": f"/staff/admin/templates/{template_of('ubnd-phuong-to-hieu').id}",
        "bank": "/staff/admin/bank",
        "audit": "/staff/audit",
    }


ADMIN_ONLY = {"agencies", "agency", "calendar", "bank"}
OWN_AGENCY = {
    "index",
    "categories",
    "procedures",
    "accounts",
    "new account",
    "own processor",
    "templates",
    "new template",
    "own template",
}
OTHER_AGENCY = {"health category", "health procedure", "health processor", "province admin"}


def expected(role: str, page: str) -> int:
    if page == "audit":
        return 200 if role in ("leader", "admin") else 403
    if page == "citizen account":  # not a staff account: no administration page for anybody
        return 404 if role in ("agency_admin", "admin") else 403
    if role == "admin":
        return 200
    if role == "agency_admin":
        return 403 if page in ADMIN_ONLY else 404 if page in OTHER_AGENCY else 200
    return 403


@pytest.mark.parametrize("role", list(ROLES))
def test_each_page_answers_each_role(app, role):
    urls = pages()
    client = signed_in(app, ROLES[role])
    for page, url in urls.items():
        response = client.get(url)
        response.close()
        assert response.status_code == expected(role, page), (role, page, url, response.status_code)


def test_anonymous_visitors_are_sent_to_sign_in(app):
    client = fresh_client(app)
    for url in pages().values():
        response = client.get(url)
        response.close()
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url


def test_an_agency_admin_of_health_sees_health_rows_only(app):
    client = health_admin(app)
    own = {
        "category": f"/staff/admin/categories/{category(HEALTH_CATEGORY).id}",
        "procedure": f"/staff/admin/procedures/{procedure(HEALTH_PROCEDURE).id}",
    }
    for url in own.values():
        response = client.get(url)
        response.close()
        assert response.status_code == 200, url
    listing = body(client.get("/staff/admin/categories"))
    assert f'/staff/admin/categories/{category(HEALTH_CATEGORY).id}"' in listing
    assert f'/staff/admin/categories/{category("giao-thong").id}"' not in listing
    listing = body(client.get("/staff/admin/procedures"))
    assert f'/staff/admin/procedures/{procedure(HEALTH_PROCEDURE).id}"' in listing
    assert f'/staff/admin/procedures/{procedure("SL-033").id}"' not in listing  # the provincial police's
    for url in (
        f"/staff/admin/categories/{category('giao-thong').id}",
        f"/staff/admin/procedures/{procedure('SL-033').id}",
        f"/staff/admin/templates/{template_of('ubnd-phuong-to-hieu').id}",
        f"/staff/admin/accounts/{account(PROCESSOR).id}",
    ):
        response = client.get(url)
        response.close()
        assert response.status_code == 404, url


def test_agency_admins_list_only_their_staff(app):
    staff("bacsi@soyte.example.vn", "processor", HEALTH)
    processor, leader, admin, citizen = (account(who).email for who in (PROCESSOR, LEADER, ADMIN, CITIZEN))
    listing = body(signed_in(app, AGENCY_ADMIN).get("/staff/admin/accounts"))
    assert processor in listing and leader in listing
    assert "bacsi@soyte.example.vn" not in listing and admin not in listing and citizen not in listing
    listing = body(signed_in(app, ADMIN).get("/staff/admin/accounts"))
    assert processor in listing and "bacsi@soyte.example.vn" in listing and admin in listing
    assert citizen not in listing


def test_post_endpoints_are_closed_to_other_roles_and_change_nothing(app):
    to_hieu = agency("ubnd-phuong-to-hieu")
    before = (to_hieu.name, to_hieu.code, to_hieu.is_active)
    for email in (AGENCY_ADMIN, LEADER, PROCESSOR):
        client = signed_in(app, email)
        for url, data in (
            (f"/staff/admin/agencies/{to_hieu.id}", {"name": "X", "name_en": "X", "code": "1.2.3"}),
            (f"/staff/admin/agencies/{to_hieu.id}/active", {"active": "0"}),
            ("/staff/admin/bank", {"bank_bin": "970436", "account_number": "1", "account_name": "X"}),
            ("/staff/admin/calendar", {"day": "2026-12-28", "kind": "off", "reason": "x"}),
        ):
            response = client.post(url, data=data)
            response.close()
            assert response.status_code == 403, (email, url)
    db.session.expire_all()
    row = db.session.get(Agency, to_hieu.id)
    assert (row.name, row.code, row.is_active) == before
    assert db.session.scalar(select(Account.id).where(Account.role == "citizen").limit(1)) is not None


def test_every_form_carries_a_csrf_token_and_a_post_without_it_changes_nothing(app, monkeypatch):
    import re

    row = agency("ubnd-phuong-to-hieu")
    client = signed_in(app, ADMIN)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    refused = client.post(
        f"/staff/admin/agencies/{row.id}", data={"name": "Đổi", "name_en": "X", "code": row.code}
    )
    refused.close()
    assert refused.status_code == 400
    db.session.refresh(row)
    assert row.name != "Đổi"
    for url in pages().values():
        text = body(client.get(url))
        forms = re.findall(r'<form[^>]*method="post".*?</form>', text, re.S)
        assert forms and all('name="csrf_token"' in form for form in forms), url
    page = body(client.get(f"/staff/admin/agencies/{row.id}"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    accepted = client.post(
        f"/staff/admin/agencies/{row.id}",
        data={"name": "Đổi", "name_en": row.name_en, "code": row.code, "csrf_token": token},
    )
    accepted.close()
    assert accepted.status_code == 302
    db.session.refresh(row)
    assert row.name == "Đổi"
