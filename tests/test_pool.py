"""Pooled PostgreSQL connections: no ping for a connection used a moment ago, a ping (and a fresh connection
when it failed) for one that sat idle, e.g. across a PostgreSQL restart."""

from __future__ import annotations

import os

import psycopg
import pytest
from sqlalchemy import text

from portal import database
from portal.extensions import db
from tests.conftest import build_app

SERVER = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not SERVER.startswith("postgresql"), reason="pooled PostgreSQL connections (TEST_DATABASE_URL)"
)


@pytest.fixture
def pg_app(tmp_path):
    url = SERVER.replace("postgresql://", "postgresql+psycopg://", 1) if "+" not in SERVER else SERVER
    application = build_app(tmp_path, url)
    yield application
    with application.app_context():
        db.engine.dispose()


def backend_pid(app) -> int:
    with app.app_context(), db.engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_used_a_moment_ago_is_not_pinged(pg_app, monkeypatch):
    calls = []
    original = psycopg.Cursor.execute
    monkeypatch.setattr(
        psycopg.Cursor, "execute", lambda self, *a, **k: (calls.append(a[0]), original(self, *a, **k))[1]
    )
    backend_pid(pg_app)
    calls.clear()
    backend_pid(pg_app)
    assert len(calls) == 1, calls  # the query itself; pool_pre_ping added a "SELECT 1" on every checkout


def test_an_idle_connection_killed_meanwhile_is_replaced_without_an_error(pg_app, monkeypatch):
    first = backend_pid(pg_app)
    plain = SERVER.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (first,))
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0, raising=False)  # it has been idle "long enough"
    second = backend_pid(pg_app)
    assert second != first
    assert pg_app.test_client().get("/healthz").status_code == 200
