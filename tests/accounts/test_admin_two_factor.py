"""The administrators' side of two-step sign-in: the province-wide policy (/staff/admin/security) and the
reset of one member's authenticator after a lost phone. Both audited."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from sqlalchemy import select

from portal.accounts import two_factor
from portal.accounts.models import RecoveryCode, SignInPolicy
from portal.accounts.operations import create_account
from portal.events.models import Event
from portal.extensions import db
from tests.accounts.conftest import (
    ADMIN,
    AGENCY_ADMIN,
    LEADER,
    PROCESSOR,
    email_of,
    password_step,
    signed_in,
)
from tests.support.clients import fresh_client
from tests.support.factories import account as account_of


def admin_client(app, who: str = ADMIN):
    client = fresh_client(app)
    assert password_step(client, who).status_code == 302
    return client


def last_event(subject_type: str, action: str) -> Event | None:
    return db.session.scalars(
        select(Event)
        .where(Event.subject_type == subject_type, Event.action == action)
        .order_by(Event.id.desc())
    ).first()


def test_the_province_admin_turns_the_policy_on_and_it_is_audited(app):
    client = admin_client(app)
    page = client.get("/staff/admin/security")
    assert page.status_code == 200
    response = client.post("/staff/admin/security", data={"require_staff_two_factor": "y"})
    assert response.status_code == 302
    assert db.session.get(SignInPolicy, 1).require_staff_two_factor is True
    assert two_factor.staff_two_factor_required() == (True, "database")
    event = last_event("sign_in_policy", "two_factor_policy_changed")
    assert event.actor_id == account_of(ADMIN).id
    assert json.loads(event.note) == {
        "before": {"require_staff_two_factor": False, "source": "environment"},
        "after": {"require_staff_two_factor": True, "source": "database"},
    }
    # From now on a member without an authenticator is sent to enrolment.
    officer = fresh_client(app)
    assert urlsplit(password_step(officer, PROCESSOR).headers["Location"]).path == "/login/two-factor/setup"
    # It applies at once, to the administrator too: their next request goes to enrolment.
    following = client.post("/staff/admin/security", data={})
    assert urlsplit(following.headers["Location"]).path == "/login/two-factor/setup"
    assert two_factor.staff_two_factor_required() == (True, "database")


def test_an_agency_admin_cannot_change_the_policy(app):
    client = admin_client(app, AGENCY_ADMIN)
    assert client.post("/staff/admin/security", data={"require_staff_two_factor": "y"}).status_code == 403
    assert db.session.get(SignInPolicy, 1) is None


def test_resetting_a_members_two_factor_is_audited_and_ends_their_sessions(app, enrol):
    enrol(LEADER)
    leader = account_of(LEADER)
    two_factor._replace_recovery_codes(leader)
    version = leader.session_version
    client = admin_client(app, AGENCY_ADMIN)  # the leader's own agency administrator
    page = client.get(f"/staff/admin/accounts/{leader.id}").get_data(as_text=True)
    assert f"/staff/admin/accounts/{leader.id}/two-factor" in page
    response = client.post(f"/staff/admin/accounts/{leader.id}/two-factor")
    assert response.status_code == 302
    db.session.refresh(leader)
    assert not two_factor.is_enrolled(leader)
    assert db.session.scalars(select(RecoveryCode).where(RecoveryCode.account_id == leader.id)).all() == []
    assert leader.session_version == version + 1
    event = last_event("account", "two_factor_reset")
    assert event.subject_id == leader.id and event.actor_id == account_of(AGENCY_ADMIN).id


def test_an_agency_admin_cannot_reset_another_agencys_staff(app, enrol):
    create_account(
        email="yte@example.vn",
        password="Mat-khau-rat-dai-2026",  # noqa: S106
        full_name="Cán bộ Sở Y tế",
        role="leader",
        agency_slug="so-y-te",
    )
    enrol("yte@example.vn")
    other = account_of("yte@example.vn")
    client = admin_client(app, AGENCY_ADMIN)
    assert client.post(f"/staff/admin/accounts/{other.id}/two-factor").status_code == 404
    assert two_factor.is_enrolled(other)


def test_after_a_reset_the_member_enrols_again_when_required(app, enrol, require_two_factor):
    enrol(LEADER)
    require_two_factor()
    two_factor.reset(account_of(LEADER), account_of(ADMIN))
    client = fresh_client(app)
    assert urlsplit(password_step(client, LEADER).headers["Location"]).path == "/login/two-factor/setup"
    assert not signed_in(client)


def test_the_command_line_resets_two_factor_when_no_administrator_can(app, enrol):
    enrol(ADMIN)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["accounts", "reset-two-factor", email_of(ADMIN).upper()])
    assert result.exit_code == 0, result.output
    assert not two_factor.is_enrolled(account_of(ADMIN))
    event = last_event("account", "two_factor_reset")
    assert event.actor_id is None and "command line" in event.note
    again = runner.invoke(args=["accounts", "reset-two-factor", email_of(ADMIN)])
    assert again.exit_code == 0 and "nothing changed" in again.output
    unknown = runner.invoke(args=["accounts", "reset-two-factor", "khongco@example.vn"])
    assert unknown.exit_code != 0
