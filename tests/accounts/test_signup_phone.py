"""Citizen sign-up, sign-in and password reset with a mobile phone: the 6-digit code is texted (an "sms"
job in the outbox, the SMS contract), follows the e-mail code's rules (HMAC-stored, 10 minutes, five wrong
tries), and every answer is the same whether or not the number already has an account."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Account, OneTimeCode
from portal.accounts.operations import create_account
from portal.accounts.passwords import verify_password
from portal.accounts.routes_signup import CODES_PER_TARGET
from portal.extensions import db
from tests.support.factories import make_account
from tests.support.sms import Gateway, queued_sms

PASSWORD = "ruộng bậc thang Mù Cang"  # noqa: S105
NEW_PASSWORD = "chè Shan tuyết Tà Xùa"  # noqa: S105
PHONE = "+84912345678"


@pytest.fixture
def texts(app, monkeypatch):
    """The app configured with the local SMS gateway (the worker would send through it)."""
    with Gateway() as server:
        settings = replace(app.config["PORTAL_SETTINGS"], sms=server.settings())
        monkeypatch.setitem(app.config, "PORTAL_SETTINGS", settings)
        yield server


def phone_account(password=PASSWORD) -> Account:
    """A citizen who signed up with PHONE (proven) and has no e-mail address."""
    return create_account(
        email=None, password=password, full_name="Lò Văn Pọm", phone=PHONE, phone_verified=True
    )


def start(client, phone="0912 345 678"):
    return client.post("/register", data={"full_name": "Lò Văn Pọm", "channel": "phone", "phone": phone})


def last_code(to=PHONE) -> str:
    sent = [job for job in queued_sms() if job["to"] == to]
    return re.search(r"\b(\d{6})\b", sent[-1]["text"])[1]


def verify(client, code, password=PASSWORD):
    return client.post("/register/verify", data={"code": code, "password": password, "confirm": password})


def login(client, name, password):
    return client.post("/login", data={"email": name, "password": password})


def test_sign_up_by_phone_end_to_end_then_sign_in_with_the_number(app, client, texts):
    response = start(client)
    assert response.status_code == 302 and response.location.endswith("/register/verify")
    (job,) = queued_sms()
    assert job["to"] == PHONE and job["purpose"] == "signup"
    code = last_code()
    assert code not in db.session.scalar(select(OneTimeCode.code_hash))  # only an HMAC is kept
    page = client.get("/register/verify").get_data(as_text=True)
    assert "0912 345 678" in page
    assert verify(client, code).status_code == 302
    created = db.session.scalar(select(Account).where(Account.phone == PHONE))
    assert created.email is None and created.role == "citizen" and created.phone_verified_at is not None
    assert created.password_hash.startswith("$argon2id$") and verify_password(created.password_hash, PASSWORD)
    assert client.get("/feedback/mine").status_code == 200  # signed in
    assert client.get("/my-data").status_code == 200  # my data copes without an e-mail
    client.post("/logout")
    other = app.test_client()
    assert login(other, "+84 912 345 678", PASSWORD).status_code == 302
    assert other.get("/feedback/mine").status_code == 200
    assert login(app.test_client(), "0912345678", "Sai-mat-khau-2026").status_code == 401


def test_wrong_and_expired_codes(client, texts):
    start(client)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    assert verify(client, wrong).status_code == 400
    row = db.session.scalar(select(OneTimeCode))
    assert row.wrong_tries == 1
    row.expires_at = row.created_at - timedelta(seconds=1)
    db.session.flush()
    assert verify(client, code).status_code == 400
    assert db.session.scalar(select(Account).where(Account.phone == PHONE)) is None


def test_five_wrong_codes_close_it(client, texts):
    start(client)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert verify(client, wrong).status_code == 400
    assert verify(client, code).status_code == 400
    assert db.session.scalar(select(Account).where(Account.phone == PHONE)) is None


def test_a_number_with_an_account_gets_the_same_answer_and_no_code(app, client, texts):
    phone_account()
    taken = start(client)
    fresh = start(app.test_client(), phone="0987 654 321")
    assert taken.status_code == fresh.status_code == 302 and taken.location == fresh.location
    told = [job for job in queued_sms() if job["to"] == PHONE]
    assert len(told) == 1 and not re.search(r"\b\d{6}\b", told[0]["text"])
    assert db.session.scalar(select(OneTimeCode).where(OneTimeCode.target == PHONE)) is None


def test_codes_are_rate_limited_per_phone(client, texts):
    for _ in range(CODES_PER_TARGET):
        assert start(client).status_code == 302
    assert start(client, phone="+84912345678").status_code == 429  # the same number, written otherwise


def test_without_sms_the_phone_option_says_so(app, client):
    assert not app.config["PORTAL_SETTINGS"].sms.gateway
    page = client.get("/register").get_data(as_text=True)
    assert "cannot send text messages" in page or "không gửi được tin nhắn" in page
    response = start(client)
    assert response.status_code == 400 and queued_sms() == []
    assert db.session.scalar(select(OneTimeCode)) is None


def forgot(client, name):
    return client.post("/forgot-password", data={"email": name})


def reset_with(client, code, password=NEW_PASSWORD):
    return client.post("/reset/code", data={"code": code, "password": password, "confirm": password})


def test_reset_by_phone_ends_every_session(app, client, texts):
    account = phone_account()
    signed_in = app.test_client()
    assert login(signed_in, "0912 345 678", PASSWORD).status_code == 302
    version = account.session_version
    response = forgot(client, "0912.345.678")
    assert response.status_code == 302 and response.location.endswith("/reset/code")
    (job,) = queued_sms()
    assert job["to"] == PHONE and job["purpose"] == "reset"
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    assert reset_with(client, wrong).status_code == 400
    assert reset_with(client, code).status_code == 302
    db.session.refresh(account)
    assert verify_password(account.password_hash, NEW_PASSWORD) and account.session_version > version
    assert signed_in.get("/feedback/mine").status_code != 200  # the other session ended
    assert reset_with(client, code).status_code == 302  # the pending reset ended: back to the form
    assert login(app.test_client(), PHONE, NEW_PASSWORD).status_code == 302


def test_reset_answers_the_same_for_an_unknown_number(app, client, texts):
    phone_account()
    known = forgot(client, PHONE)
    unknown = forgot(app.test_client(), "0987 654 321")
    assert known.status_code == unknown.status_code == 302 and known.location == unknown.location
    assert [job["to"] for job in queued_sms()] == [PHONE]
    page = app.test_client()
    forgot(page, "0987 654 321")
    assert reset_with(page, "123456").status_code == 400


def test_an_unproven_phone_neither_signs_in_nor_resets(app, client, texts):
    make_account("citizen", email="co.email@example.com", phone=PHONE, password=PASSWORD)
    assert login(client, PHONE, PASSWORD).status_code == 401
    assert forgot(client, PHONE).status_code == 302
    assert queued_sms() == []


@pytest.mark.parametrize("who", ["anonymous", "citizen", "processor"])
def test_the_code_page_opens_only_after_asking_for_a_code(app, who):
    """The new route's door: without a pending phone reset in the session, everybody is sent to the form."""
    client = app.test_client()
    if who != "anonymous":
        from tests.support.clients import sign_in

        sign_in(client, make_account(who))
    response = client.get("/reset/code")
    assert response.status_code == 302 and response.location.endswith("/forgot-password")
    assert client.post("/reset/code", data={"code": "123456"}).status_code == 302


def test_a_phone_only_citizen_corrects_the_name_and_keeps_no_e_mail(app, client, texts):
    from portal.privacy import correction
    from portal.privacy.queries import ACCOUNT, Subject

    first, second = (
        phone_account(),
        create_account(
            email=None, password=PASSWORD, full_name="Cầm Thị Xuân", phone="+84987654321", phone_verified=True
        ),
    )
    for account in (first, second):
        started = correction.start(
            Subject(ACCOUNT, account.id), correction.Contact("Tên mới", "", account.phone), "vi"
        )
        assert started.saved == ("name",) and started.waiting is None  # saved at once, no code waits
        db.session.flush()
        assert (
            account.full_name == "Tên mới" and account.email is None and account.phone_verified_at is not None
        )


def test_a_phone_only_citizen_changes_their_number_with_a_code_texted_to_it(app, client, texts):
    """Regression: the correction form refused every phone-only citizen ("An account needs an e-mail
    address") and could only mail its code; now the code goes to the new number, which it proves."""
    account = phone_account()
    db.session.commit()
    assert login(client, "0912 345 678", PASSWORD).status_code == 302
    response = client.post(
        "/my-data/correct", data={"name": account.full_name, "email": "", "phone": "0977 111 222"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/my-data/correct/confirm")
    assert db.session.get(Account, account.id).phone == PHONE  # nothing changes before the code
    code = last_code("+84977111222")
    assert client.post("/my-data/correct/confirm", data={"code": code}).status_code == 302
    db.session.expire_all()
    changed = db.session.get(Account, account.id)
    assert changed.phone == "+84977111222" and changed.email is None
    assert changed.phone_verified_at is not None  # the code reached the new number
    client.post("/logout")
    assert login(client, "0977 111 222", PASSWORD).status_code == 302


def test_an_idle_phone_only_citizen_is_warned_by_text(app, texts):
    from portal.db_types import utcnow
    from portal.privacy import retention

    sleeper = phone_account()
    sleeper.created_at = sleeper.last_login_at = utcnow() - timedelta(days=3 * 365)
    db.session.flush()
    retention.run(app, dry_run=False, now=utcnow(), echo=lambda line: None)
    (job,) = queued_sms()
    assert job["to"] == PHONE and job["purpose"] == "retention"
