"""Two officers claiming the same item at the same instant: exactly one wins, 50 rounds in a row.

Runs on its own database (a SQLite file, or a fresh PostgreSQL database when TEST_DATABASE_URL is set),
because the race needs real, separate transactions.
"""

import threading

import pytest
from sqlalchemy import select, update

from portal.accounts.models import Account
from portal.extensions import db
from portal.feedback.models import Feedback
from portal.staff import operations
from tests.conftest import build_app, migrate_and_seed
from tests.support.databases import throwaway_database
from tests.support.factories import make_account

ROUNDS = 50


@pytest.fixture
def race_app(tmp_path):
    with throwaway_database(tmp_path, "race") as url:
        app = build_app(tmp_path, url)
        migrate_and_seed(app)
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def officers(race_app) -> tuple[str, ...]:
    """A fresh processor and leader of Tô Hiệu, committed in the race database: their e-mail addresses."""
    with race_app.app_context():
        made = tuple(make_account(role).email for role in ("processor", "leader"))
        db.session.commit()
        db.session.remove()
    return made


def attempt(app, email, item_id, barrier, results):
    with app.app_context():
        officer = db.session.scalar(select(Account).where(Account.email == email))
        barrier.wait()
        try:
            operations.claim("feedback", item_id, officer)
            db.session.commit()
            results.append(email)
        except operations.ClaimLost:
            db.session.rollback()
        finally:
            db.session.remove()


def test_exactly_one_winner_every_round(race_app, officers):
    with race_app.app_context():
        item_id = db.session.scalar(
            select(Feedback.id).where(
                Feedback.agency.has(slug="ubnd-phuong-to-hieu"), Feedback.queue_due.is_not(None)
            )
        )
    for _round in range(ROUNDS):
        with race_app.app_context():
            db.session.execute(update(Feedback).where(Feedback.id == item_id).values(assignee_id=None))
            db.session.commit()
            db.session.remove()
        barrier, results = threading.Barrier(len(officers)), []
        threads = [
            threading.Thread(target=attempt, args=(race_app, email, item_id, barrier, results))
            for email in officers
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert len(results) == 1, results
        with race_app.app_context():
            holder = db.session.scalar(select(Feedback.assignee_id).where(Feedback.id == item_id))
            winner = db.session.scalar(select(Account.id).where(Account.email == results[0]))
            assert holder == winner
            db.session.remove()
