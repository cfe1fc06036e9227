"""Citizen sign-up with an e-mailed one-time code: hashed, expiring, five wrong tries close it, rate
limited; the same answer for an address that already has an account."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from portal.accounts import signup
from portal.accounts.models import Account, OneTimeCode
from portal.accounts.passwords import verify_password
from portal.accounts.routes_signup import CODES_PER_TARGET
from portal.extensions import db
from tests.support.factories import make_account

PASSWORD = "ruộng bậc thang Mù Cang"  # noqa: S105


def start(client, email="mai@example.com", phone=""):
    return client.post("/register", data={"full_name": "Lò Thị Mai", "email": email, "phone": phone})


def code_in(outbox) -> str:
    return re.search(r"\b(\d{6})\b", outbox[-1][2])[1]


def verify(client, code, password=PASSWORD):
    return client.post("/register/verify", data={"code": code, "password": password, "confirm": password})


def test_sign_up_with_the_e_mailed_code(client, outbox):
    response = start(client, phone="0912 345 678")
    assert response.status_code == 302 and response.location.endswith("/register/verify")
    code = code_in(outbox)
    stored = db.session.scalar(select(OneTimeCode.code_hash))
    assert code not in stored  # only an HMAC is kept
    response = verify(client, code)
    assert response.status_code == 302
    created = db.session.scalar(select(Account).where(Account.email == "mai@example.com"))
    assert created.role == "citizen" and created.phone == "+84912345678"
    assert created.password_hash.startswith("$argon2id$") and verify_password(created.password_hash, PASSWORD)
    assert client.get("/feedback/mine").status_code == 200  # signed in
    assert verify(client, code).status_code == 302  # the pending sign-up ended: back to /register


def test_five_wrong_codes_close_it(client, outbox):
    start(client)
    code = code_in(outbox)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert verify(client, wrong).status_code == 400
    assert verify(client, code).status_code == 400
    assert db.session.scalar(select(Account).where(Account.email == "mai@example.com")) is None


def test_an_expired_code_is_refused(client, outbox):
    start(client)
    code = code_in(outbox)
    row = db.session.scalar(select(OneTimeCode))
    row.expires_at = row.created_at - timedelta(seconds=1)
    db.session.flush()
    assert verify(client, code).status_code == 400


def test_a_newer_code_closes_the_older_one(app, client, outbox):
    start(client)
    first = code_in(outbox)
    start(client)
    second = code_in(outbox)
    if first != second:
        assert verify(client, first).status_code == 400
    assert verify(client, second).status_code == 302


def test_an_address_with_an_account_gets_the_same_answer_and_no_code(client, outbox):
    existing = make_account("citizen", email="da.co@example.com")
    response = start(client, email="da.co@example.com")
    fresh = start(client.application.test_client(), email="moi@example.com")
    assert response.status_code == fresh.status_code == 302
    assert response.location == fresh.location
    to, subject, body = outbox[0]
    assert to == "da.co@example.com" and not re.search(r"\b\d{6}\b", body)
    assert db.session.scalar(select(OneTimeCode).where(OneTimeCode.target == existing.email)) is None


def test_codes_are_rate_limited_per_address(client, outbox):
    for _ in range(signup_limit()):
        assert start(client).status_code == 302
    assert start(client).status_code == 429


def signup_limit() -> int:
    return CODES_PER_TARGET


def test_check_code_counts_wrong_tries_in_the_database(app):
    code = signup.issue_code("x@example.com")
    assert not signup.check_code("x@example.com", "999999" if code != "999999" else "888888")
    assert db.session.scalar(select(OneTimeCode.wrong_tries)) == 1
    assert signup.check_code("x@example.com", code)
    assert not signup.check_code("x@example.com", code)  # once
