"""The connection pool keeps as many connections as a gevent worker's concurrent requests use (both
databases). With SQLAlchemy's default (5 kept) a burst of 16 requests closed 11 connections as they were
returned, so under load most requests opened a new one (bench/notes/pool.md)."""

from __future__ import annotations

from portal import engine_options
from portal.extensions import db
from tests.conftest import build_app
from tests.support.databases import throwaway_database


def test_a_burst_of_concurrent_requests_keeps_its_connections(app):
    with app.app_context():
        engine = db.engine
        held = [engine.connect() for _ in range(16)]  # wrk's 16 connections, each in a request at once
        for connection in held:
            connection.close()
        assert engine.pool.checkedin() == 16, engine.pool.status()


def test_the_pool_size_setting_reaches_the_engine(tmp_path):
    with throwaway_database(tmp_path, "pool") as url:
        application = build_app(tmp_path, url, db_pool_size=3)
        with application.app_context():
            held = [db.engine.connect() for _ in range(4)]  # 3 kept and 1 of the burst's extra
            for connection in held:
                connection.close()
            assert db.engine.pool.checkedin() == 3, db.engine.pool.status()
            db.engine.dispose()


def test_a_burst_may_open_half_as_many_more():
    assert engine_options("postgresql+psycopg://db/portal", pool_size=20)["max_overflow"] == 10
    assert engine_options("sqlite:///portal.sqlite3", pool_size=1)["max_overflow"] == 1


def test_postgresql_connections_compile_no_statement_just_in_time(app):
    """At a million rows the queue's counts cost more than jit_above_cost and PostgreSQL spent 46 of their
    120 ms compiling them; the portal's connections switch JIT off (portal.engine_options)."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            assert "options" not in engine_options("sqlite:///portal.sqlite3")["connect_args"]
            return
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW jit").scalar() == "off"
