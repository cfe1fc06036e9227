"""The same TOTP code, or the same reset link, sent at the same instant through two instances of the portal
(as two gunicorn processes would): exactly one is accepted, round after round.

Runs on its own database (a SQLite file, or a fresh PostgreSQL database when TEST_DATABASE_URL is set),
because the race needs real, separate transactions.
"""

from __future__ import annotations

import threading

import pyotp
import pytest
from sqlalchemy import select, update

from portal.accounts import reset, totp, two_factor
from portal.accounts.models import Account, SecondFactor
from portal.extensions import db
from tests.conftest import build_app, migrate_and_seed
from tests.support.databases import throwaway_database
from tests.support.factories import make_account

ROUNDS = 20


@pytest.fixture
def two_portals(tmp_path):
    with throwaway_database(tmp_path, "race") as url:
        first = build_app(tmp_path, url)
        migrate_and_seed(first)
        second = build_app(tmp_path, url)  # its own engine and connection pool, like another process
        yield first, second
        for app in (first, second):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture
def leader(two_portals) -> str:
    """A fresh leader of Tô Hiệu, committed so that both portals see it: its e-mail address."""
    first, _second = two_portals
    with first.app_context():
        email = make_account("leader").email
        db.session.commit()
        db.session.remove()
    return email


def race(apps, work) -> list:
    """Run work(app) in both apps at once; return what each returned."""
    barrier, results = threading.Barrier(len(apps)), []

    def run(app):
        with app.app_context():
            try:
                barrier.wait()
                outcome = work()
                db.session.commit()
                results.append(outcome)
            finally:
                db.session.rollback()
                db.session.remove()

    threads = [threading.Thread(target=run, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == len(apps), results
    return results


def test_one_totp_code_sent_twice_at_once_is_accepted_once(two_portals, leader):
    first, _second = two_portals
    secret = totp.new_secret()
    with first.app_context():
        account = db.session.scalar(select(Account).where(Account.email == leader))
        db.session.add(
            SecondFactor(
                account_id=account.id, secret_encrypted=totp.encrypt(secret, first.config["SECRET_KEY"])
            )
        )
        db.session.commit()
        db.session.remove()
    for _round in range(ROUNDS):
        with first.app_context():
            db.session.execute(update(SecondFactor).values(last_step=None))
            db.session.commit()
            db.session.remove()
        code = pyotp.TOTP(secret).now()

        def verify(code=code):
            return two_factor.verify(db.session.scalar(select(Account).where(Account.email == leader)), code)

        assert sorted(race(two_portals, verify)) == [False, True]


def test_one_reset_link_sent_twice_at_once_changes_the_password_once(two_portals, leader):
    first, _second = two_portals
    for number in range(3):
        with first.app_context():
            _account, token = reset.request_reset(leader)
            db.session.commit()
            db.session.remove()
        password = f"Mat-khau-moi-lan-{number}-2026"
        outcomes = race(two_portals, lambda: reset.use_token(token, password) is not None)  # noqa: B023
        assert sorted(outcomes) == [False, True]
