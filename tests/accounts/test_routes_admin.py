"""Staff accounts: create, change role, disable/enable, set a new password.

The province admin manages every staff account; an agency admin only their agency's staff, never making
anyone a province admin nor moving anyone to another agency. Nobody disables themselves. Disabling and a
new password end every session of the account at once (session_version).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Account
from portal.accounts.passwords import verify_password
from portal.domain.roles import STAFF_ROLES
from portal.extensions import db
from tests.support.admin import (
    ADMIN,
    AGENCY_ADMIN,
    HEALTH,
    LEADER,
    PROCESSOR,
    STRONG,
    account,
    agency,
    change,
    errors,
    events,
    fresh_client,
    signed_in,
    staff,
)
from tests.support.paging import walk

NEW = "moi@test.example.vn"
EXISTING = "<the e-mail of an existing account>"  # replaced by the fresh processor's address


def new_account(**overrides):
    data = {
        "email": NEW,
        "full_name": "Lò Văn Mới",
        "role": "processor",
        "agency": str(agency("ubnd-phuong-to-hieu").id),
        "password": STRONG,
    }
    data.update(overrides)
    return data


def count(email: str = NEW) -> int:
    return db.session.scalar(select(func.count(Account.id)).where(Account.email == email))


def still_signed_in(client) -> bool:
    response = client.get("/staff/queue")
    response.close()
    return response.status_code == 200


# ------------------------------------------------------------------------------------------------- create


def test_admin_creates_an_account_the_person_can_sign_in_with(app):
    response = signed_in(app, ADMIN).post(
        "/staff/admin/accounts/new", data=new_account(email=" Moi@Test.Example.vn ")
    )
    assert response.status_code == 302
    created = account(NEW)
    assert (created.role, created.agency_id, created.full_name) == (
        "processor",
        agency("ubnd-phuong-to-hieu").id,
        "Lò Văn Mới",
    )
    assert response.headers["Location"].endswith(f"/staff/admin/accounts/{created.id}")
    [event] = events("account", created.id, "account_created")
    assert event.actor_id == account(ADMIN).id
    assert change(event) == {
        "before": {},
        "after": {
            "email": NEW,
            "full_name": "Lò Văn Mới",
            "role": "processor",
            "agency_id": created.agency_id,
        },
    }
    assert STRONG not in event.note and created.password_hash not in event.note
    assert still_signed_in(signed_in(app, NEW, STRONG))


def test_admin_creates_a_province_admin_without_an_agency(app):
    client = signed_in(app, ADMIN)
    assert (
        client.post("/staff/admin/accounts/new", data=new_account(role="admin", agency="")).status_code == 302
    )
    assert (account(NEW).role, account(NEW).agency_id) == ("admin", None)


def test_admin_creates_a_province_finance_officer_without_an_agency(app):
    """finance (issue 9): province-wide like admin; owns the provincial fee account (portal/payments/policy.py)."""
    client = signed_in(app, ADMIN)
    assert (
        client.post("/staff/admin/accounts/new", data=new_account(role="finance", agency="")).status_code
        == 302
    )
    assert (account(NEW).role, account(NEW).agency_id) == ("finance", None)


def test_a_finance_officer_belongs_to_no_agency(app):
    response = signed_in(app, ADMIN).post(
        "/staff/admin/accounts/new?lang=en", data=new_account(role="finance")
    )
    assert response.status_code == 400
    assert "A province-wide role has no agency: choose none." in errors(response)
    assert count() == 0


@pytest.mark.parametrize("agency_value", ["", "own"])
def test_agency_admin_cannot_create_a_finance_officer(app, agency_value):
    data = new_account(
        role="finance", agency="" if agency_value == "" else str(agency("ubnd-phuong-to-hieu").id)
    )
    response = signed_in(app, AGENCY_ADMIN).post("/staff/admin/accounts/new?lang=en", data=data)
    assert response.status_code == 400
    assert "Not a valid choice." in errors(response)
    assert count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password": "short1"}, "The password must have at least 8 characters."),
        ({"password": "12345678"}, "This password is too common. Choose a longer, less predictable one."),
        ({"password": "x" * 257}, "Field cannot be longer than 256 characters."),
        ({"email": "not-an-address"}, "Enter a valid e-mail address."),
        ({"email": EXISTING}, "An account with this e-mail address already exists."),
        ({"full_name": "  "}, "Enter the full name."),
        ({"role": "citizen"}, "Not a valid choice."),
        ({"role": "processor", "agency": ""}, "Choose the agency this person works for."),
    ],
)
def test_bad_input_creates_nothing(app, overrides, message):
    if overrides.get("email") == EXISTING:
        overrides = {**overrides, "email": account(PROCESSOR).email}
    client = signed_in(app, ADMIN)
    before = db.session.scalar(select(func.count(Account.id)))
    response = client.post("/staff/admin/accounts/new?lang=en", data=new_account(**overrides))
    assert response.status_code == 400
    assert message in errors(response)
    assert db.session.scalar(select(func.count(Account.id))) == before


def test_agency_admin_creates_staff_of_their_own_agency(app):
    client = signed_in(app, AGENCY_ADMIN)
    assert client.post("/staff/admin/accounts/new", data=new_account(role="leader")).status_code == 302
    assert (account(NEW).role, account(NEW).agency_id) == ("leader", account(AGENCY_ADMIN).agency_id)


@pytest.mark.parametrize(
    "overrides",
    [
        {"role": "admin"},
        {"role": "admin", "agency": ""},
        {"agency": "HEALTH"},
        {"agency": ""},
    ],
)
def test_agency_admin_cannot_create_admins_or_staff_of_another_agency(app, overrides):
    if overrides.get("agency") == "HEALTH":
        overrides = {**overrides, "agency": str(agency(HEALTH).id)}
    response = signed_in(app, AGENCY_ADMIN).post(
        "/staff/admin/accounts/new?lang=en", data=new_account(**overrides)
    )
    assert response.status_code == 400
    assert "Not a valid choice." in errors(response)
    assert count() == 0


# ------------------------------------------------------------------------------------------------ role


def test_admin_changes_role_and_agency(app):
    target = account(PROCESSOR)
    health = agency(HEALTH)
    response = signed_in(app, ADMIN).post(
        f"/staff/admin/accounts/{target.id}/role", data={"role": "leader", "agency": str(health.id)}
    )
    assert response.status_code == 302
    db.session.refresh(target)
    assert (target.role, target.agency_id) == ("leader", health.id)
    [event] = events("account", target.id, "account_role_changed")
    assert change(event) == {
        "before": {"role": "processor", "agency_id": agency("ubnd-phuong-to-hieu").id},
        "after": {"role": "leader", "agency_id": health.id},
    }


def test_agency_admin_changes_a_role_within_the_agency(app):
    target = account(PROCESSOR)
    response = signed_in(app, AGENCY_ADMIN).post(
        f"/staff/admin/accounts/{target.id}/role", data={"role": "leader", "agency": str(target.agency_id)}
    )
    assert response.status_code == 302
    db.session.refresh(target)
    assert target.role == "leader"


@pytest.mark.parametrize(
    ("role", "agency_slug"),
    [
        ("admin", None),
        ("admin", "ubnd-phuong-to-hieu"),
        ("processor", HEALTH),
        ("leader", HEALTH),
    ],
)
def test_agency_admin_cannot_escalate_or_move_anyone(app, role, agency_slug):
    target = account(PROCESSOR)
    agency_value = str(agency(agency_slug).id) if agency_slug else ""
    client = signed_in(app, AGENCY_ADMIN)
    response = client.post(
        f"/staff/admin/accounts/{target.id}/role?lang=en", data={"role": role, "agency": agency_value}
    )
    assert response.status_code == 400
    assert "Not a valid choice." in errors(response)
    db.session.refresh(target)
    assert (target.role, target.agency.slug) == ("processor", "ubnd-phuong-to-hieu")
    assert events("account", target.id, "account_role_changed") == []


def test_agency_admin_cannot_escalate_themselves_nor_touch_a_province_admin(app):
    me, province_admin = account(AGENCY_ADMIN), account(ADMIN)
    client = signed_in(app, AGENCY_ADMIN)
    response = client.post(
        f"/staff/admin/accounts/{me.id}/role?lang=en",
        data={"role": "agency_admin", "agency": str(me.agency_id)},
    )
    assert response.status_code == 400
    assert "You cannot change your own role. Ask another administrator." in errors(response)
    for path, data in (
        ("role", {"role": "processor", "agency": str(me.agency_id)}),
        ("enabled", {"active": "0"}),
        ("password", {"password": "Mot-mat-khau-moi-2026"}),
    ):
        response = client.post(f"/staff/admin/accounts/{province_admin.id}/{path}", data=data)
        response.close()
        assert response.status_code == 404
    db.session.refresh(province_admin)
    assert (province_admin.role, province_admin.is_enabled, province_admin.session_version) == (
        "admin",
        True,
        1,
    )


def test_agency_admin_cannot_manage_another_agencys_staff(app):
    other = staff("bacsi@soyte.example.vn", "processor", HEALTH)
    client = signed_in(app, AGENCY_ADMIN)
    for path, data in (
        ("role", {"role": "leader"}),
        ("enabled", {"active": "0"}),
        ("password", {"password": "Mot-mat-khau-moi-2026"}),
    ):
        response = client.post(f"/staff/admin/accounts/{other.id}/{path}", data=data)
        response.close()
        assert response.status_code == 404
    db.session.refresh(other)
    assert (other.role, other.is_enabled, other.session_version) == ("processor", True, 1)


def test_nobody_changes_their_own_role(app):
    me = account(ADMIN)
    response = signed_in(app, ADMIN).post(
        f"/staff/admin/accounts/{me.id}/role?lang=en",
        data={"role": "processor", "agency": str(agency(HEALTH).id)},
    )
    assert response.status_code == 400
    db.session.refresh(me)
    assert me.role == "admin"


# ------------------------------------------------------------------------------------------ disable/enable


def test_disabling_ends_the_accounts_sessions_at_once(app):
    target = account(PROCESSOR)
    victim = signed_in(app, PROCESSOR)
    assert still_signed_in(victim)
    response = signed_in(app, AGENCY_ADMIN).post(
        f"/staff/admin/accounts/{target.id}/enabled", data={"active": "0"}
    )
    assert response.status_code == 302
    response = victim.get("/staff/queue")  # the next request of the signed-in client: signed out
    response.close()
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    db.session.refresh(target)
    assert (target.is_enabled, target.session_version) == (False, 2)
    [event] = events("account", target.id, "account_disabled")
    assert change(event) == {
        "before": {"is_enabled": True, "session_version": 1},
        "after": {"is_enabled": False, "session_version": 2},
    }
    # and the password no longer opens a session
    refused = fresh_client(app).post(
        "/login", data={"email": target.email, "password": target.plain_password}
    )
    refused.close()
    assert refused.status_code == 401


def test_enabling_again(app):
    target = account(LEADER)
    client = signed_in(app, ADMIN)
    client.post(f"/staff/admin/accounts/{target.id}/enabled", data={"active": "0"}).close()
    assert client.post(f"/staff/admin/accounts/{target.id}/enabled", data={"active": "1"}).status_code == 302
    db.session.refresh(target)
    assert (target.is_enabled, target.session_version) == (True, 3)
    assert [e.action for e in events("account", target.id)][-2:] == ["account_disabled", "account_enabled"]
    assert still_signed_in(signed_in(app, LEADER))


@pytest.mark.parametrize("email", [ADMIN, AGENCY_ADMIN])
def test_nobody_disables_themselves(app, email):
    me = account(email)
    client = signed_in(app, email)
    response = client.post(f"/staff/admin/accounts/{me.id}/enabled?lang=en", data={"active": "0"})
    assert response.status_code == 400
    assert "You cannot disable your own account." in errors(response)
    db.session.refresh(me)
    assert (me.is_enabled, me.session_version) == (True, 1)
    assert still_signed_in(client)


# ----------------------------------------------------------------------------------------------- password


def test_a_new_password_ends_sessions_and_replaces_the_old_one(app):
    target = account(PROCESSOR)
    old_password = target.plain_password
    victim = signed_in(app, PROCESSOR)
    response = signed_in(app, AGENCY_ADMIN).post(
        f"/staff/admin/accounts/{target.id}/password", data={"password": "Mot-mat-khau-moi-2026"}
    )
    assert response.status_code == 302
    assert not still_signed_in(victim)
    db.session.refresh(target)
    assert verify_password(target.password_hash, "Mot-mat-khau-moi-2026")
    assert not verify_password(target.password_hash, old_password)
    [event] = events("account", target.id, "password_reset")
    assert "Mot-mat-khau-moi-2026" not in event.note and "argon2" not in event.note
    assert change(event) == {"before": {"session_version": 1}, "after": {"session_version": 2}}
    assert still_signed_in(signed_in(app, PROCESSOR, "Mot-mat-khau-moi-2026"))


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", "Enter a password."),
        ("1234567", "The password must have at least 8 characters."),
        ("12345678", "This password is too common. Choose a longer, less predictable one."),
    ],
)
def test_a_weak_new_password_is_refused(app, password, message):
    target = account(PROCESSOR)
    old_hash = target.password_hash
    response = signed_in(app, ADMIN).post(
        f"/staff/admin/accounts/{target.id}/password?lang=en", data={"password": password}
    )
    assert response.status_code == 400
    assert message in errors(response)
    db.session.refresh(target)
    assert (target.password_hash, target.session_version) == (old_hash, 1)
    assert events("account", target.id, "password_reset") == []


def test_citizen_accounts_are_not_managed_here(app):
    citizen = account("citizen")
    client = signed_in(app, ADMIN)
    for path, data in (
        ("role", {"role": "processor", "agency": str(agency(HEALTH).id)}),
        ("enabled", {"active": "0"}),
        ("password", {"password": "Mot-mat-khau-moi-2026"}),
    ):
        response = client.post(f"/staff/admin/accounts/{citizen.id}/{path}", data=data)
        response.close()
        assert response.status_code == 404
    db.session.refresh(citizen)
    assert (citizen.role, citizen.is_enabled) == ("citizen", True)


def test_a_concurrent_duplicate_is_refused_without_a_500(app, monkeypatch):
    """If another administrator created the same e-mail between the check and the insert, the database's
    unique constraint refuses it: the page says so and nothing is written."""
    from portal.accounts import admin_operations as operations

    monkeypatch.setattr(operations, "find_by_email", lambda email: None)  # the check misses the race
    taken = account(PROCESSOR).email
    client = signed_in(app, ADMIN)
    before = db.session.scalar(select(func.count(Account.id)))
    response = client.post("/staff/admin/accounts/new?lang=en", data=new_account(email=taken))
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/admin/accounts/new")
    assert "Someone else changed this at the same time" in client.get(
        "/staff/admin/accounts/new?lang=en"
    ).get_data(as_text=True)
    assert db.session.scalar(select(func.count(Account.id))) == before


def test_the_list_pages_by_email_even_with_the_key_separator_in_one(app, monkeypatch):
    monkeypatch.setattr("portal.accounts.routes_admin.PAGE", 2)
    signed_in(app, ADMIN).post(
        "/staff/admin/accounts/new", data=new_account(email="a~b@demo.sonla.vn")
    ).close()
    assert count("a~b@demo.sonla.vn") == 1
    staff_ids = select(Account.id).where(Account.role.in_(STAFF_ROLES)).order_by(Account.email)
    everything = list(db.session.scalars(staff_ids).all())
    ids, followed = walk(signed_in(app, ADMIN), "/staff/admin/accounts", "/staff/admin/accounts/")
    assert ids == everything and len(followed) == (len(everything) - 1) // 2
    searched, followed = walk(signed_in(app, ADMIN), "/staff/admin/accounts?q=DEMO", "/staff/admin/accounts/")
    # The demo staff and a~b@demo.sonla.vn; not the test's own admin, a fresh factory account elsewhere.
    demo = list(db.session.scalars(staff_ids.where(Account.email.contains("@demo.sonla.vn"))).all())
    assert len(demo) == len(everything) - 1 and searched == demo
    assert followed and all(url.startswith("/staff/admin/accounts?q=demo&after=") for url in followed)
