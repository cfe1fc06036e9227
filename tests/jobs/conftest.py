"""A committed database of its own for the tests that run a real worker (threads or a process), and the
Redis these tests may use for the queue."""

from __future__ import annotations

import os
import uuid

import pytest

from portal.extensions import db
from tests.conftest import build_app, migrate_and_seed
from tests.support.databases import throwaway_database
from tests.support.services import REDIS_URL, redis_answers


@pytest.fixture(scope="module")
def committed_database(tmp_path_factory):
    """A migrated, seeded database whose commits stick (no surrounding test transaction)."""
    folder = tmp_path_factory.mktemp("jobs_db")
    with throwaway_database(folder, "jobs") as url:
        seeded = build_app(folder, url)
        migrate_and_seed(seeded)
        with seeded.app_context():
            db.engine.dispose()
        yield url


@pytest.fixture(params=["sqlite", "redis"])
def queue_backend(request) -> dict:
    """Settings for the queue: huey's SQLite file in the instance folder (the default), or Redis under a
    queue name of this test's own."""
    if request.param == "sqlite":
        return {}
    if not redis_answers():
        if os.environ.get("PORTAL_REQUIRE_REDIS") == "1":
            pytest.fail("PORTAL_REQUIRE_REDIS=1 but no Redis answers at " + REDIS_URL)
        pytest.skip("no Redis on 127.0.0.1:6379")
    return {"redis_url": REDIS_URL, "jobs_queue": f"portal-test-{uuid.uuid4().hex[:12]}"}
