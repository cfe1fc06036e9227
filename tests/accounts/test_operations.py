"""Account operations: create_account and authenticate (flush, never commit)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from portal.accounts.models import Account
from portal.accounts.operations import AccountError, authenticate, create_account, find_by_email
from portal.accounts.passwords import WeakPassword
from portal.demo import DEMO_PASSWORD
from portal.domain.roles import PROVINCE_ROLES, STAFF_ROLES
from portal.events.models import Event
from portal.extensions import db

CITIZEN = "congdan@demo.sonla.vn"
NEW_PASSWORD = "Chiềng Sinh mưa rào 7"


def events(account_id: int, action: str) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event).where(
                Event.subject_type == "account", Event.subject_id == account_id, Event.action == action
            )
        )
    )


def account_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Account))


# --- create_account -------------------------------------------------------------------------------


def test_create_citizen(app):
    account = create_account(email="  Lo.Van.A@Example.VN ", password=NEW_PASSWORD, full_name="  Lò   Văn A ")
    assert account.id is not None
    assert account.email == "lo.van.a@example.vn"
    assert account.full_name == "Lò Văn A"
    assert account.role == "citizen"
    assert account.agency is None
    assert account.is_enabled
    assert account.password_hash.startswith("$argon2id$")
    assert NEW_PASSWORD not in account.password_hash
    assert find_by_email("LO.VAN.A@example.vn") is account
    created = events(account.id, "account_created")
    assert len(created) == 1
    assert created[0].note == "citizen"


def test_create_staff_with_agency_by_slug_or_code(app):
    by_slug = create_account(
        email="a@sonla.gov.vn",
        password=NEW_PASSWORD,
        full_name="A",
        role="receptionist",
        agency_slug="ubnd-phuong-to-hieu",
    )
    by_code = create_account(
        email="b@sonla.gov.vn",
        password=NEW_PASSWORD,
        full_name="B",
        role="processor",
        agency_slug="000.21.00.H52",
    )
    assert by_slug.agency.slug == by_code.agency.slug == "ubnd-phuong-to-hieu"
    assert by_slug.is_staff and by_code.is_staff


def test_province_admin_needs_no_agency(app):
    account = create_account(email="qt@sonla.gov.vn", password=NEW_PASSWORD, full_name="QT", role="admin")
    assert account.agency is None
    assert account.is_staff


def test_actor_is_recorded(app):
    admin = find_by_email("admin@demo.sonla.vn")
    account = create_account(email="c@sonla.gov.vn", password=NEW_PASSWORD, full_name="C", actor_id=admin.id)
    assert events(account.id, "account_created")[0].actor_id == admin.id


@pytest.mark.parametrize("role", ["superuser", "", "Admin", "citizen "])
def test_unknown_role_is_refused(app, role):
    before = account_count()
    with pytest.raises(AccountError, match="unknown role"):
        create_account(email="x@example.vn", password=NEW_PASSWORD, full_name="X", role=role)
    assert account_count() == before


@pytest.mark.parametrize("role", [role for role in STAFF_ROLES if role not in PROVINCE_ROLES])
def test_staff_without_agency_is_refused(app, role):
    before = account_count()
    with pytest.raises(AccountError, match="needs an agency"):
        create_account(email="x@example.vn", password=NEW_PASSWORD, full_name="X", role=role)
    assert account_count() == before


@pytest.mark.parametrize("role", PROVINCE_ROLES)
def test_province_wide_roles_have_no_agency(app, role):
    account = create_account(email="x@example.vn", password=NEW_PASSWORD, full_name="X", role=role)
    assert (account.role, account.agency_id, account.is_staff) == (role, None, True)


def test_unknown_agency_is_refused(app):
    with pytest.raises(AccountError, match="unknown agency"):
        create_account(
            email="x@example.vn",
            password=NEW_PASSWORD,
            full_name="X",
            role="processor",
            agency_slug="ubnd-xa-khong-ton-tai",
        )


@pytest.mark.parametrize("email", [CITIZEN, "CongDan@Demo.SonLa.vn", "  congdan@demo.sonla.vn  "])
def test_duplicate_e_mail_is_refused(app, email):
    before = account_count()
    with pytest.raises(AccountError, match="already exists"):
        create_account(email=email, password=NEW_PASSWORD, full_name="Trùng")
    assert account_count() == before


@pytest.mark.parametrize("email", ["", "khong-co-a-cong", "a" * 250 + "@x.vn"])
def test_invalid_e_mail_is_refused(app, email):
    with pytest.raises(AccountError, match="invalid e-mail"):
        create_account(email=email, password=NEW_PASSWORD, full_name="X")


@pytest.mark.parametrize(
    "password, reason",
    [
        ("ngan", "short"),
        ("matkhau123", "common"),
        ("x" * 300, "long"),
    ],
)
def test_weak_password_creates_nothing(app, password, reason):
    before = account_count()
    with pytest.raises(WeakPassword) as caught:
        create_account(email="x@example.vn", password=password, full_name="X")
    assert caught.value.reason == reason
    assert account_count() == before
    assert find_by_email("x@example.vn") is None


# --- authenticate ---------------------------------------------------------------------------------


def test_authenticate_writes_a_login_event(app):
    citizen = find_by_email(CITIZEN)
    before = {event.id for event in events(citizen.id, "login")}
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        account = authenticate(CITIZEN, DEMO_PASSWORD)
    assert account is citizen
    assert account.last_login_at is not None
    new = [event for event in events(account.id, "login") if event.id not in before]
    assert len(new) == 1
    assert new[0].actor_id == account.id
    assert new[0].ip_address == "203.0.113.7"


def test_authenticate_ignores_case_and_spaces_of_the_e_mail(app):
    assert authenticate("  CONGDAN@demo.sonla.vn ", DEMO_PASSWORD) is find_by_email(CITIZEN)


@pytest.mark.parametrize(
    "email, password",
    [
        (CITIZEN, "SonLa-demo-2025"),
        (CITIZEN, DEMO_PASSWORD.lower()),
        (CITIZEN, ""),
        (CITIZEN, DEMO_PASSWORD + " "),
        ("khongco@demo.sonla.vn", DEMO_PASSWORD),
        ("", DEMO_PASSWORD),
    ],
)
def test_authenticate_refuses_wrong_credentials_without_a_login_event(app, email, password):
    citizen = find_by_email(CITIZEN)
    before, last_login = len(events(citizen.id, "login")), citizen.last_login_at
    assert authenticate(email, password) is None
    assert len(events(citizen.id, "login")) == before
    assert citizen.last_login_at == last_login


def test_authenticate_refuses_a_disabled_account(app):
    account = find_by_email(CITIZEN)
    account.is_enabled = False
    db.session.flush()
    before = len(events(account.id, "login"))
    assert authenticate(CITIZEN, DEMO_PASSWORD) is None
    assert len(events(account.id, "login")) == before


def test_authenticate_upgrades_an_old_hash(app):
    account = find_by_email(CITIZEN)
    weak_hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    account.password_hash = weak_hasher.hash(DEMO_PASSWORD)
    db.session.flush()
    old = account.password_hash
    assert authenticate(CITIZEN, DEMO_PASSWORD) is account
    assert account.password_hash != old
    assert account.password_hash.startswith("$argon2id$")
    assert PasswordHasher().check_needs_rehash(account.password_hash) is False
    assert authenticate(CITIZEN, DEMO_PASSWORD) is account  # the new hash still verifies
