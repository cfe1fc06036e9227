"""E-receipt numbers under concurrency (issue 16 item 11): two officers confirming at the same instant.

Runs on its own database (a SQLite file, or a fresh PostgreSQL database when TEST_DATABASE_URL is set),
because the two confirmations must commit for real in separate transactions.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.accounts.models import Account
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.payments import operations, receipts
from portal.payments.models import Payment
from tests.conftest import build_app, migrate_and_seed
from tests.support.databases import throwaway_database
from tests.support.factories import make_account

ROUNDS = 10


@pytest.fixture
def race_app(tmp_path):
    with throwaway_database(tmp_path, "receipts") as url:
        app = build_app(tmp_path, url)
        migrate_and_seed(app)
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def officers(race_app) -> tuple[str, str]:
    with race_app.app_context():
        made = (make_account("receptionist").email, make_account("leader").email)
        db.session.commit()
        db.session.remove()
    return made


def open_fees(app, count: int, round_: int) -> list[str]:
    """`count` fresh open fees of a demo dossier, committed: their references."""
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.applicant_name == "Hà Văn Nam"))
        references = [f"SLRACE{round_:03d}{n}"[:12] for n in range(count)]
        db.session.add_all(Payment(reference=r, dossier_id=dossier.id, amount_vnd=15000) for r in references)
        db.session.commit()
        db.session.remove()
    return references


def confirm_together(app, pairs: list[tuple[str, str]]) -> list[str]:
    """Each (officer e-mail, reference) confirmed in cash by its own thread at the same instant; returns the
    e-mails of those that won."""
    barrier, won, errors = threading.Barrier(len(pairs)), [], []

    def attempt(email: str, reference: str) -> None:
        with app.app_context():
            try:
                officer = db.session.scalar(select(Account).where(Account.email == email))
                payment = db.session.scalar(select(Payment).where(Payment.reference == reference))
                barrier.wait(timeout=60)
                operations.confirm_at_counter(payment, officer, "cash", "")
                db.session.commit()
                won.append(email)
            except operations.PaymentError:
                db.session.rollback()
            except BaseException as error:  # noqa: BLE001 - reported by the test
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a confirmation hung"
    assert errors == [], errors
    return won


def numbers(app) -> list[int]:
    with app.app_context():
        series = receipts.series_for(datetime.now(UTC))
        found = db.session.scalars(
            select(Payment.receipt_number)
            .where(Payment.receipt_series == series)
            .order_by(Payment.receipt_number)
        ).all()
        db.session.remove()
    return list(found)


def test_two_fees_confirmed_at_once_take_consecutive_numbers(race_app, officers):
    start = len(numbers(race_app))
    for round_ in range(ROUNDS):
        first, second = open_fees(race_app, 2, round_)
        won = confirm_together(race_app, [(officers[0], first), (officers[1], second)])
        assert sorted(won) == sorted(officers)
    issued = numbers(race_app)
    # Distinct, and without a gap: 1 … n in the year's series.
    assert issued == list(range(1, start + 2 * ROUNDS + 1))


def test_one_fee_confirmed_twice_at_once_is_settled_once_with_one_number(race_app, officers):
    start = len(numbers(race_app))
    for round_ in range(ROUNDS):
        [reference] = open_fees(race_app, 1, 100 + round_)
        won = confirm_together(race_app, [(officers[0], reference), (officers[1], reference)])
        assert len(won) == 1, won
    assert numbers(race_app) == list(range(1, start + ROUNDS + 1))
