"""psycopg's waits in a gevent worker go through gevent's hub directly (portal/pg_wait.py): installed only where
gevent has patched `select`, cooperative (other greenlets run while a statement waits), and psycopg's own wait
for what it does not cover (a timeout, a wait for reading and writing at once).

Each case runs in a fresh interpreter: gevent's monkey-patching is for the whole process and cannot be undone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from psycopg import waiting

from portal import pg_wait

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("TEST_DATABASE_URL", "")
needs_postgresql = pytest.mark.skipif(
    not SERVER.startswith("postgresql"), reason="a PostgreSQL server (TEST_DATABASE_URL)"
)

PATCHED = """
from gevent import monkey
monkey.patch_all()
import gevent
from flask import Flask
from psycopg import waiting
from portal import database, pg_wait
database.init_app(Flask("probe"))  # what create_app does
"""


def run_patched(body: str) -> str:
    """Run `body` after gevent's patching and the portal's database set-up; its stdout (fails on an error)."""
    script = PATCHED + textwrap.dedent(body)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TEST_DATABASE_URL": SERVER}
    result = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_not_installed_where_gevent_has_not_patched_select():
    assert pg_wait.install() is False
    assert waiting.wait is not pg_wait.wait


def test_installed_by_the_database_set_up_in_a_gevent_worker():
    out = run_patched("print(waiting.wait is pg_wait.wait, pg_wait.install())")
    assert out.split() == ["True", "True"]


def test_a_read_wait_lets_other_greenlets_run_and_reports_ready():
    out = run_patched(
        """
        import socket
        reader, writer = socket.socketpair()
        ticks = []

        def ticker():
            for _ in range(5):
                ticks.append(1)
                gevent.sleep(0.01)

        def gen():
            ready = yield waiting.WAIT_R
            assert ready == waiting.READY_R, ready
            data = reader.recv(10)
            ready = yield waiting.WAIT_W
            assert ready == waiting.READY_W, ready
            return data

        gevent.spawn(ticker)
        gevent.spawn_later(0.1, writer.send, b"answer")
        print(waiting.wait(gen(), reader.fileno(), interval=0.1).decode(), len(ticks))
        """
    )
    assert out.split() == ["answer", "5"]  # the ticker ran to its end while the read waited


def test_a_wait_with_nothing_to_wait_for_returns_at_once():
    out = run_patched(
        """
        def gen():
            return "done"
            yield  # a generator that never waits: psycopg's autocommit switch outside a transaction

        print(waiting.wait(gen(), -1))
        """
    )
    assert out.split() == ["done"]


def test_psycopg_own_wait_for_a_timeout_and_for_reading_and_writing_at_once():
    out = run_patched(
        """
        import socket
        from psycopg import errors
        reader, writer = socket.socketpair()
        used = []
        original = pg_wait._installed["original"]
        pg_wait._installed["original"] = lambda *a, **k: (used.append(k.get("timeout")), original(*a, **k))[1]

        def never():
            while True:
                yield waiting.WAIT_R

        try:
            waiting.wait(never(), reader.fileno(), interval=0.01, timeout=0.05)
        except errors._WaitTimeout:
            print("timeout")

        def both():
            ready = yield waiting.WAIT_R  # first a plain read, then reading and writing at once
            ready = yield waiting.WAIT_RW
            return int(ready)

        writer.send(b"x")
        print(waiting.wait(both(), reader.fileno(), interval=0.1), used)
        """
    )
    lines = out.splitlines()
    assert lines[0] == "timeout"
    ready, used = lines[1].split(" ", 1)
    assert int(ready) == int(waiting.READY_RW)  # readable (data waiting) and writable, as psycopg's poll says
    assert used == "[0.05, None]"


@needs_postgresql
def test_statements_under_gevent_are_cooperative_and_keep_their_answers_and_errors():
    out = run_patched(
        """
        import os
        import psycopg
        url = os.environ["TEST_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
        ticks = []

        def ticker():
            for _ in range(10):
                ticks.append(1)
                gevent.sleep(0.01)

        with psycopg.connect(url) as connection:
            gevent.spawn(ticker)
            row = connection.execute("SELECT pg_sleep(0.3), %s::int + 1", (41,)).fetchone()
            print(row[1], len(ticks))
            try:
                connection.execute("SELECT 1/0")
            except psycopg.errors.DivisionByZero:
                print("refused")
            connection.rollback()
            connection.autocommit = True
            big = "x" * 2_000_000  # more than a socket buffer: psycopg's own wait for the rest of the send
            print(connection.execute("SELECT length(%s)", (big,)).fetchone()[0])
            # In one of the hub's OS threads (the queue's counts run there, portal/staff/queue_counts.py): that
            # thread's own hub waits.
            read = gevent.get_hub().threadpool.spawn(lambda: connection.execute("SELECT 7").fetchone()[0])
            print(read.get())
        """
    )
    assert out.split() == ["42", "10", "refused", "2000000", "7"]
