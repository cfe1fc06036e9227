"""The signed-in account kept per process (portal/accounts/loader.py) when several processes share Redis:
an account disabled, or its sessions ended, through ONE process is refused by every OTHER process on its very
next request (SECURITY.md check 4), not SNAPSHOT_SECONDS later; and a Redis that does not answer makes the
loader read the database every time rather than trust what it kept."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from portal import throttle
from portal.accounts import loader, sessions
from portal.accounts.models import Account
from portal.extensions import cache, db
from tests.conftest import build_app, migrate_and_seed
from tests.support.clients import sign_in
from tests.support.databases import throwaway_database
from tests.support.services import REDIS_URL, redis_answers

needs_redis = pytest.mark.skipif(
    not redis_answers() and os.environ.get("PORTAL_REQUIRE_REDIS") != "1", reason="no Redis on 127.0.0.1:6379"
)
OFFICER = "xuly@demo.sonla.vn"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def two_processes(tmp_path):
    """An app on a database and a Redis shared with another process (`change_officer`)."""
    with throwaway_database(tmp_path, "snapshots") as url:
        # Each test its own key prefix in the shared Redis database, so runs in parallel do not meet.
        prefix = f"portal:test:{uuid.uuid4().hex[:12]}:"
        apps = [build_app(tmp_path / name, url, redis_url=REDIS_URL) for name in ("seed", "here")]
        for application in apps:
            for backend in application.extensions["cache"].values():
                backend.key_prefix = prefix
        migrate_and_seed(apps[0])
        # The sign-in limits count in the same shared Redis database for every run on this machine (the
        # demo officer's per-minute and per-day budgets): start this test's sign-in from zero.
        with apps[1].app_context():
            for step in ("account", "account-day"):
                throttle.clear(f"login:{step}:{OFFICER}")
        yield apps[1], url, prefix
        for application in apps:
            with application.app_context():
                cache.clear()
                db.session.remove()
                db.engine.dispose()


def officer_client(application):
    client = sign_in(application.test_client(), OFFICER)
    with client.session_transaction() as session:
        session[sessions.SECOND_FACTOR_PASSED] = True
    return client


CHANGE = """
import sys
from pathlib import Path
from sqlalchemy import select
from portal import create_app
from portal.accounts.models import Account
from portal.extensions import db
from portal.settings import Settings

folder, url, redis_url, prefix, email, change = sys.argv[1:7]
app = create_app(Settings.for_tests(Path(folder), url, redis_url=redis_url))
for backend in app.extensions["cache"].values():
    backend.key_prefix = prefix
with app.app_context():
    account = db.session.scalar(select(Account).where(Account.email == email))
    if change == "disable":
        account.is_enabled = False
    else:
        account.session_version += 1
    db.session.commit()
"""


def change_officer(tmp_path, url: str, prefix: str, change: str) -> None:
    """Another process (another worker or node) changes the officer through the ORM and commits."""
    subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", CHANGE, str(tmp_path / "other"), url, REDIS_URL, prefix, OFFICER, change],
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


def refused(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


@needs_redis
def test_an_account_disabled_through_another_process_is_refused_on_the_next_request(two_processes, tmp_path):
    there, url, prefix = two_processes
    client = officer_client(there)
    assert client.get("/staff/queue").status_code == 200
    assert client.get("/staff/queue").status_code == 200  # now answered from what this process kept
    change_officer(tmp_path, url, prefix, "disable")
    assert refused(client.get("/staff/queue"))


@needs_redis
def test_sessions_ended_through_another_process_end_on_the_next_request(two_processes, tmp_path):
    there, url, prefix = two_processes
    client = officer_client(there)
    assert client.get("/staff/queue").status_code == 200
    assert client.get("/staff/queue").status_code == 200
    change_officer(tmp_path, url, prefix, "new-version")  # a password change, "sign out everywhere"
    assert refused(client.get("/staff/queue"))


@needs_redis
def test_without_an_answer_from_redis_nothing_kept_is_used(two_processes, monkeypatch):
    there, _url, _prefix = two_processes
    client = officer_client(there)
    assert client.get("/staff/queue").status_code == 200
    assert client.get("/staff/queue").status_code == 200

    def no_answer(*args, **kwargs):
        raise ConnectionError("redis is away")

    monkeypatch.setattr(cache, "get", no_answer)
    # A change the cache could not announce (Redis away) is still seen: the account is read afresh.
    with there.app_context():
        db.session.execute(
            Account.__table__.update().where(Account.__table__.c.email == OFFICER).values(is_enabled=False)
        )
        db.session.commit()
    assert refused(client.get("/staff/queue"))
    assert loader.SHARED_KEY  # the counter's name is part of the deployment's Redis keys (README)
