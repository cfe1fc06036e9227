"""Read-only requests on PostgreSQL read without a transaction (portal/db_session.py): no BEGIN/ROLLBACK for
a GET's SELECTs, while a GET that writes, locks or sets something local still does it in one transaction,
other methods are unchanged, and a view marked `in_transaction` keeps one snapshot across its reads.

The suite's own tests run in a session pinned to one connection (tests/conftest.py), which this module
leaves: it needs the real pool and engine, so its routes work on a scratch table of their own."""

from __future__ import annotations

import os
import secrets

import psycopg
import pytest
from flask import Blueprint, jsonify, request
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from portal import database
from portal.db_session import PortalSession, autocommit_copy, in_transaction, plain_read
from portal.extensions import db
from tests.conftest import build_app

SERVER = os.environ.get("TEST_DATABASE_URL", "")
postgres_only = pytest.mark.skipif(
    not SERVER.startswith("postgresql"), reason="transactions of PostgreSQL (TEST_DATABASE_URL)"
)


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT feedback_items.id FROM feedback_items WHERE feedback_items.code = %(code)s",
        "\n  SELECT 1",
        "(SELECT a FROM t LIMIT 5) UNION ALL (SELECT b FROM u LIMIT 5)",
        "WITH recent AS (SELECT id FROM t) SELECT count(*) FROM recent",
        "SELECT updated_at, deleted_at FROM t ORDER BY updated_at",  # column names are not statements
    ],
)
def test_plain_reads(statement):
    assert plain_read(statement)


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO t (a) VALUES (1)",
        "UPDATE t SET a = 1",
        "DELETE FROM t",
        "SAVEPOINT sa_savepoint_1",
        "SET LOCAL jit = off",
        "SELECT t.id FROM t WHERE t.id = 1 FOR UPDATE",
        "SELECT t.id FROM t FOR UPDATE SKIP LOCKED",
        "SELECT t.id FROM t FOR NO KEY UPDATE",
        "SELECT t.id FROM t for share",
        "SELECT t.id FROM t FOR KEY SHARE",
        "SELECT pg_advisory_xact_lock(42)",
        "SELECT pg_try_advisory_xact_lock(42)",
        "SELECT nextval('seq')",
        "SELECT set_config('x.y', '1', true)",
        "SELECT * INTO copy FROM t",
        "WITH gone AS (DELETE FROM t RETURNING id) SELECT count(*) FROM gone",
        "LOCK TABLE t",
    ],
)
def test_statements_that_write_or_lock_are_not_plain_reads(statement):
    assert not plain_read(statement)


# --- against a real PostgreSQL pool ----------------------------------------------------------------------

probe_routes = Blueprint("probe", __name__)
TABLE = f"portal_probe_{secrets.token_hex(4)}"


def _seen() -> list[tuple[str, bool, str]]:
    """What each statement of this request ran in: (statement, autocommit, transaction status after)."""
    return [(s, a, t) for s, a, t in request.environ["probe.seen"]]


@probe_routes.route("/probe/read", methods=["GET", "POST"])
def read():
    first = db.session.execute(text(f"SELECT count(*) FROM {TABLE}")).scalar_one()
    second = db.session.execute(text(f"SELECT max(id) FROM {TABLE}")).scalar()
    return jsonify(count=first, highest=second, seen=_seen())


@probe_routes.get("/probe/write")
def write():
    db.session.execute(text(f"SELECT count(*) FROM {TABLE}"))
    db.session.execute(text(f"INSERT INTO {TABLE} (note) VALUES ('one')"))
    db.session.execute(text(f"INSERT INTO {TABLE} (note) VALUES ('two')"))
    if request.args.get("fail"):
        raise RuntimeError("the request fails after its writes")
    db.session.commit()
    after = db.session.execute(text(f"SELECT count(*) FROM {TABLE}")).scalar_one()
    return jsonify(count=after, seen=_seen())


@probe_routes.get("/probe/lock")
def lock():
    db.session.execute(text(f"SELECT id FROM {TABLE} WHERE id = :id FOR UPDATE"), {"id": request.args["id"]})
    with psycopg.connect(_plain(SERVER), autocommit=True) as other:
        try:
            other.execute(f"SELECT id FROM {TABLE} WHERE id = %s FOR UPDATE NOWAIT", (request.args["id"],))
            held = False
        except psycopg.errors.LockNotAvailable:
            held = True
    return jsonify(held=held, seen=_seen())


@probe_routes.get("/probe/set-local")
def set_local():
    db.session.execute(text("SET LOCAL statement_timeout = '4321ms'"))
    return jsonify(timeout=db.session.execute(text("SHOW statement_timeout")).scalar_one(), seen=_seen())


def _two_reads_around_a_commit():
    first = db.session.execute(text(f"SELECT count(*) FROM {TABLE}")).scalar_one()
    with psycopg.connect(_plain(SERVER), autocommit=True) as other:  # another citizen's write meanwhile
        other.execute(f"INSERT INTO {TABLE} (note) VALUES ('meanwhile')")
    second = db.session.execute(text(f"SELECT count(*) FROM {TABLE}")).scalar_one()
    return jsonify(first=first, second=second, seen=_seen())


@probe_routes.get("/probe/snapshot")
@in_transaction
def snapshot():
    db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    return _two_reads_around_a_commit()


@probe_routes.get("/probe/no-snapshot")
def no_snapshot():
    return _two_reads_around_a_commit()


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture(scope="module")
def pg_app(tmp_path_factory):
    if not SERVER.startswith("postgresql"):
        pytest.skip("transactions of PostgreSQL (TEST_DATABASE_URL)")
    url = SERVER.replace("postgresql://", "postgresql+psycopg://", 1) if "+" not in SERVER else SERVER
    application = build_app(tmp_path_factory.mktemp("reads"), url)
    application.register_blueprint(probe_routes)
    with psycopg.connect(_plain(SERVER), autocommit=True) as admin:
        admin.execute(f"CREATE TABLE {TABLE} (id serial PRIMARY KEY, note text)")
        admin.execute(f"INSERT INTO {TABLE} (note) VALUES ('seed')")
    with application.app_context():
        from sqlalchemy import event

        def record(conn, cursor, statement, parameters, context, executemany):
            environ = request.environ if _in_request() else {}
            environ.setdefault("probe.seen", []).append(
                (statement, cursor.connection.autocommit, cursor.connection.info.transaction_status.name)
            )

        event.listen(db.engine, "after_cursor_execute", record)
    yield application
    with application.app_context():
        db.engine.dispose()
    with psycopg.connect(_plain(SERVER), autocommit=True) as admin:
        admin.execute(f"DROP TABLE IF EXISTS {TABLE}")


def _in_request() -> bool:
    from flask import has_request_context

    return has_request_context()


@pytest.fixture
def commands(monkeypatch):
    """The commands psycopg sends on its own: BEGIN before a transaction's first statement, COMMIT, ROLLBACK."""
    sent: list[bytes] = []
    from psycopg._connection_base import BaseConnection

    original = BaseConnection._exec_command

    def recorded(self, command, *args, **kwargs):
        sent.append(bytes(command) if isinstance(command, bytes | bytearray) else str(command).encode())
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(BaseConnection, "_exec_command", recorded)
    return sent


def _rows() -> int:
    with psycopg.connect(_plain(SERVER), autocommit=True) as other:
        row = other.execute(f"SELECT count(*) FROM {TABLE}").fetchone()
        assert row is not None
        return int(row[0])


@postgres_only
def test_a_get_reads_without_begin_or_rollback(pg_app, commands):
    client = pg_app.test_client()
    client.get("/probe/read")  # a new pooled connection is set up once (psycopg's type look-ups)
    commands.clear()
    answer = client.get("/probe/read").get_json()
    assert [(autocommit, status) for _, autocommit, status in answer["seen"]] == [(True, "IDLE")] * 2
    assert commands == []  # no BEGIN before the reads, no ROLLBACK after them


@postgres_only
def test_a_post_still_reads_in_a_transaction(pg_app, commands):
    answer = pg_app.test_client().post("/probe/read").get_json()
    assert [(autocommit, status) for _, autocommit, status in answer["seen"]] == [(False, "INTRANS")] * 2
    assert commands[0].startswith(b"BEGIN") and commands[-1] == b"ROLLBACK"


@postgres_only
def test_a_get_that_writes_does_it_in_one_transaction(pg_app, commands):
    before = _rows()
    answer = pg_app.test_client().get("/probe/write").get_json()
    seen = [(statement.split()[0], autocommit, status) for statement, autocommit, status in answer["seen"]]
    assert seen == [
        ("SELECT", True, "IDLE"),  # a read on its own, as in READ COMMITTED
        ("INSERT", False, "INTRANS"),  # the first write opens the transaction...
        ("INSERT", False, "INTRANS"),  # ...which holds the second
        ("SELECT", True, "IDLE"),  # after the commit, the next connection reads on its own again
    ]
    assert commands.count(b"COMMIT") == 1 and commands[0].startswith(b"BEGIN")
    assert answer["count"] == before + 2 == _rows()


@postgres_only
def test_a_get_that_fails_after_writing_leaves_nothing(pg_app):
    before = _rows()
    client = pg_app.test_client()
    pg_app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/probe/write?fail=1")
    finally:
        pg_app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert _rows() == before  # both INSERTs rolled back together
    assert client.get("/probe/read").status_code == 200  # and the pooled connection is fine afterwards


@postgres_only
def test_select_for_update_in_a_get_holds_its_lock(pg_app):
    answer = pg_app.test_client().get("/probe/lock?id=1").get_json()
    assert answer["held"] is True
    assert answer["seen"][0][1:] == [False, "INTRANS"]


@postgres_only
def test_set_local_in_a_get_applies_to_its_transaction(pg_app):
    answer = pg_app.test_client().get("/probe/set-local").get_json()
    assert answer["timeout"] == "4321ms"


@postgres_only
def test_a_view_marked_in_transaction_reads_one_snapshot(pg_app):
    marked = pg_app.test_client().get("/probe/snapshot").get_json()
    assert marked["first"] == marked["second"]  # REPEATABLE READ across both statements
    assert {status for _, _, status in marked["seen"]} == {"INTRANS"}
    plain = pg_app.test_client().get("/probe/no-snapshot").get_json()
    assert plain["second"] == plain["first"] + 1  # READ COMMITTED, as every transaction here had before


@postgres_only
def test_after_an_idle_ping_the_read_runs_without_a_transaction(pg_app, monkeypatch):
    client = pg_app.test_client()
    client.get("/probe/read")
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)  # the pooled connection "sat idle": pinged
    answer = client.get("/probe/read").get_json()
    assert [(autocommit, status) for _, autocommit, status in answer["seen"]] == [(True, "IDLE")] * 2


@postgres_only
def test_the_connection_goes_back_to_the_pool_as_it_came(pg_app):
    client = pg_app.test_client()
    client.get("/probe/read")
    with pg_app.app_context(), db.engine.connect() as connection:  # the pool's default, not autocommit
        assert connection.connection.dbapi_connection.autocommit is False
        connection.execute(select(1))
        assert connection.connection.dbapi_connection.info.transaction_status.name == "INTRANS"


# --- the application's own pages, and SQLite --------------------------------------------------------------


def test_the_feedback_status_page_reads_without_a_transaction_on_postgresql(app, monkeypatch):
    """The suite's database and a demo item, through a session of the production kind (not pinned)."""
    from portal.feedback.models import Feedback

    item = db.session.scalars(select(Feedback).order_by(Feedback.id)).first()
    assert item is not None
    code, item_id = item.code, item.id
    seen: list[tuple[str, bool | None]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, getattr(cursor.connection, "autocommit", None)))

    pinned = db.session
    db.session = db._make_scoped_session({"class_": PortalSession})
    from sqlalchemy import event

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        client = app.test_client()
        with client.session_transaction() as session:
            session["feedback_access"] = [item_id]
        response = client.get(f"/feedback/{code}/status")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
        db.session.remove()
        db.session = pinned
    assert response.status_code == 200
    assert code in response.get_data(as_text=True)
    assert seen, "the page read the item"
    if db.engine.dialect.name == "postgresql":  # (SQLite's driver begins no transaction for a SELECT)
        assert all(autocommit is True for _, autocommit in seen), seen


def test_sqlite_and_pinned_sessions_keep_their_engine(app):
    with app.test_request_context("/"):
        session = PortalSession(db)
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        if engine.dialect.name == "sqlite":
            assert engine is db.engine
        else:
            assert engine is autocommit_copy(db.engine)
        session.close()
    with app.test_request_context("/", method="POST"):
        session = PortalSession(db)
        assert session.get_bind() is db.engine
        session.close()
