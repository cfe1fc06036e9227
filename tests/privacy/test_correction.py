"""Correction of contact data with re-verification by a code sent through the jobs outbox (issue 10 item 3)."""

import json
import re
from dataclasses import replace

import pytest
from sqlalchemy import select

from portal.accounts.models import Account
from portal.events.models import Event
from portal.extensions import db
from portal.jobs.models import OutboxJob
from portal.privacy.models import ContactChange
from portal.settings import Smtp
from tests.privacy.support import make_citizen
from tests.support.factories import make_account

CODE = re.compile(r"\b(\d{6})\b")


@pytest.fixture
def mail_on(app):
    before = app.config["PORTAL_SETTINGS"]
    app.config["PORTAL_SETTINGS"] = replace(before, smtp=Smtp(host="127.0.0.1"))
    yield
    app.config["PORTAL_SETTINGS"] = before


def sent_code(to: str) -> str:
    for job in db.session.scalars(
        select(OutboxJob).where(OutboxJob.kind == "mail").order_by(OutboxJob.id.desc())
    ):
        payload = json.loads(job.payload)
        if payload.get("to") == to:
            return CODE.search(payload["body"])[1]
    raise AssertionError(f"no code mailed to {to}")


def actions(kind: str, subject_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(Event.action).where(Event.subject_type == kind, Event.subject_id == subject_id)
        )
    )


def test_a_new_email_and_phone_wait_for_the_code_sent_to_the_new_address(client, login, mail_on):
    me = make_citizen("a")
    db.session.commit()
    login(me.account)
    response = client.post(
        "/my-data/correct", data={"name": me.name, "email": "moi@example.com", "phone": "0977 111 222"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/my-data/correct/confirm")
    account = db.session.get(Account, me.account.id)
    assert account.email == me.email  # nothing changes before the code
    code = sent_code("moi@example.com")
    wrong = "000000" if code != "000000" else "111111"
    assert client.post("/my-data/correct/confirm", data={"code": wrong}).status_code == 400
    assert client.post("/my-data/correct/confirm", data={"code": code}).status_code == 302
    db.session.refresh(account)
    assert (account.email, account.phone) == ("moi@example.com", "+84977111222")
    # Open reports and dossiers get the new contact; staff see a "corrected" line on their timelines.
    open_report = me.feedback[0]
    db.session.refresh(open_report)
    assert open_report.phone == "+84977111222"
    assert "contact_corrected" in actions("feedback", open_report.id)
    assert "contact_corrected" in actions("dossier", me.dossiers[1].id)
    assert "contact_corrected" in actions("account", account.id)
    # The waiting row keeps nothing once used, and the code cannot be used twice.
    change = db.session.scalar(select(ContactChange))
    assert change.closed_at is not None and change.new_email == ""
    assert client.post("/my-data/correct/confirm", data={"code": code}).status_code == 302  # back to the form


def test_a_new_name_is_taken_at_once_and_staff_see_it_on_the_timeline(client, login, app):
    me = make_citizen("a")
    db.session.commit()
    login(me.account)
    response = client.post(
        "/my-data/correct", data={"name": "Quàng Thị Mới", "email": me.email, "phone": "0912000111"}
    )
    assert response.status_code == 302
    db.session.refresh(me.feedback[1])
    assert me.feedback[1].contact_name == "Quàng Thị Mới"
    staff = make_account("processor")
    from tests.support.clients import sign_in

    officer = sign_in(app.test_client(), staff)
    page = officer.get(f"/staff/feedback/{me.feedback[1].code}").get_data(as_text=True)
    assert "Người dân đã sửa thông tin liên hệ" in page


def test_an_email_used_by_another_account_is_refused(client, login, mail_on):
    me = make_citizen("a")
    other = make_account("citizen", email="taken@example.com")
    db.session.commit()
    login(me.account)
    response = client.post(
        "/my-data/correct", data={"name": me.name, "email": other.email, "phone": "0912000111"}
    )
    assert response.status_code == 400


def test_too_many_wrong_codes_close_the_change(client, login, mail_on):
    me = make_citizen("a")
    db.session.commit()
    login(me.account)
    client.post(
        "/my-data/correct", data={"name": me.name, "email": "moi2@example.com", "phone": "0912000111"}
    )
    code = sent_code("moi2@example.com")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post("/my-data/correct/confirm", data={"code": wrong})
    client.post("/my-data/correct/confirm", data={"code": code})
    assert db.session.get(Account, me.account.id).email == me.email


def test_codes_are_limited_per_hour(client, login, mail_on):
    me = make_citizen("a")
    db.session.commit()
    login(me.account)
    statuses = [
        client.post(
            "/my-data/correct", data={"name": me.name, "email": f"moi{n}@example.com", "phone": "0912000111"}
        ).status_code
        for n in range(6)
    ]
    assert statuses == [302] * 5 + [400]
