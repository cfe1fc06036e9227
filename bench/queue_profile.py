"""In-process cost of the staff queue: ms per request, SQL statements per request, and (optionally) a
pyinstrument profile, for page 1, page 500 and the status filters, on a throwaway database.

Usage:
    .venv/bin/python bench/queue_profile.py [--rows 100000] [--server-url postgresql://postgres@127.0.0.1:5432/postgres]
        [--runs 100] [--profile page1] [--dataset bench/.data/bench_pg_1m.json] [--second-factor] [--pages page1,…]

Without --server-url it builds a temporary SQLite file (or reuses --keep-sqlite). With --dataset it uses a
data set bench/dataset.py built (not changed, not dropped) and signs in as its officer, with the
two-step code.
Timings go to bench/notes/queue.md, never into the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.settings import Settings  # noqa: E402


class Statements:
    def __init__(self) -> None:
        self.count = 0
        self.sql: list[str] = []
        self.params: list = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.count += 1
        self.sql.append(statement)
        self.params.append(parameters)


def explain(app, statements: Statements) -> None:
    """The plan of each statement that reads the queue's tables: EXPLAIN ANALYZE on PostgreSQL, EXPLAIN
    QUERY PLAN on SQLite."""
    with app.app_context(), db.engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        for sql, params in zip(statements.sql, statements.params, strict=True):
            if "feedback_items" not in sql and "dossiers" not in sql:
                continue
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
            rows = connection.exec_driver_sql(prefix + sql, params).all()
            print("  PLAN:", " ".join(sql.split())[:160], "…")
            for row in rows:
                print("    ", row[-1] if not postgres else row[0])


def walk(client, url: str, pages: int) -> str:
    body = client.get(url).get_data(as_text=True)
    for _page in range(pages - 1):
        match = re.search(r'class="button secondary" href="(/staff/queue\?[^"]*after=[^"]+)"', body)
        if match is None:
            break
        url = match[1].replace("&amp;", "&")
        body = client.get(url).get_data(as_text=True)
    return url


def python_calls(client, url: str, runs: int, top: int = 0) -> float:
    """Python function calls per request (cProfile's count): steadier than time on a shared machine. With
    `top`, print the functions called most often."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler)
    if top:
        dump = Path(tempfile.gettempdir()) / f"queue_profile_{os.getpid()}.prof"
        profiler.dump_stats(dump)
        print(f"profile written to {dump} (pstats: callers, callees)")
        stats.sort_stats("ncalls").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
    return stats.total_calls / runs  # type: ignore[attr-defined]


def measure(app, client, url: str, runs: int, profile: bool, plans: bool) -> tuple[float, float, float, int]:
    counter = Statements()
    with app.app_context():
        engine = db.engine
    client.get(url)  # warm: caches, compiled statements
    event.listen(engine, "before_cursor_execute", counter)
    try:
        client.get(url)
        statements = counter.count
        sql = list(counter.sql)
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    if plans:
        explain(app, counter)
    samples, cpu = [], []
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.thread_time()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        for line in sql:
            print("  SQL:", " ".join(line.split())[:300])
    samples.sort()
    # Wall time includes waiting for a busy machine and for the database server; CPU time is this
    # process's own work (SQLite's included, PostgreSQL's not).
    return (
        statistics.median(samples),
        samples[int(len(samples) * 0.99) - 1],
        statistics.median(cpu),
        statements,
    )


@contextmanager
def database(args):
    if args.dataset:
        with tempfile.TemporaryDirectory() as folder:
            yield json.loads(Path(args.dataset).read_text())["url"], Path(folder), False
        return
    if not args.server_url:
        with tempfile.TemporaryDirectory() as folder:
            if args.keep_sqlite:  # build once, profile many times
                path = Path(args.keep_sqlite).resolve()
                yield f"sqlite:///{path}", Path(folder), not path.exists()
            else:
                yield f"sqlite:///{folder}/queue.sqlite3", Path(folder), True
        return
    server = make_url(args.server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"queue_profile_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        with tempfile.TemporaryDirectory() as folder:
            yield server.set(database=name).render_as_string(hide_password=False), Path(folder), True
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@contextmanager
def officer_clients(dataset: dict, count: int):
    """An app on a bench/dataset.py data set (its SECRET_KEY, production's settings otherwise) and `count`
    test clients signed in as its officer (`sign_in_dataset`); the engine disposed of after."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            Settings.for_tests(Path(folder), dataset["url"], testing=False, secret_key=dataset["secret_key"])
        )
        clients = []
        for _ in range(count):
            client = app.test_client()
            sign_in_dataset(app, client, dataset["officer"])
            clients.append(client)
        try:
            yield app, clients
        finally:
            with app.app_context():
                db.engine.dispose()


def sign_in_dataset(app, client, officer: dict) -> None:
    """The data set's officer, signed in with both steps done: the session a real sign-in leaves (the
    password and the two-step code through the forms would compete with other benchmarks for the same
    account's sign-in limit and code steps)."""
    from flask_login.utils import _create_identifier

    from portal.accounts import sessions
    from portal.accounts.models import Account

    with app.app_context():
        account = db.session.get(Account, officer["account_id"])
        user_id = account.get_id()
    now = time.time()
    with app.test_request_context("/", environ_base=client.environ_base):
        identifier = _create_identifier()  # "strong" session protection: this client's address and agent
    with client.session_transaction() as session:
        session.update(
            {
                "_user_id": user_id,
                "_fresh": True,
                "_id": identifier,
                sessions.SEEN: now,
                sessions.SIGNED_IN_AT: now,
                sessions.SECOND_FACTOR_PASSED: True,
            }
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-url", default="", help="a PostgreSQL server URL (a database is created)")
    parser.add_argument(
        "--dataset", default="", help="the .json of a bench/dataset.py data set (not dropped)"
    )
    parser.add_argument("--rows", type=int, default=100_000, help="dossiers, and as many feedback items")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--profile", default="", help="page1, page500, accepted, dossier-status, costly, …")
    parser.add_argument("--explain", action="store_true", help="print the plans of the queue's statements")
    parser.add_argument("--keep-sqlite", default="", help="SQLite file: built if missing, else reused")
    parser.add_argument(
        "--second-factor",
        action="store_true",
        help="the demo officer's session as production has it: second step passed (else the password alone)",
    )
    parser.add_argument("--cprofile", default="", help="with --calls: a page whose busiest functions to list")
    parser.add_argument("--top", type=int, default=40, help="with --cprofile: how many functions")
    parser.add_argument("--calls", action="store_true", help="also count Python calls per request (cProfile)")
    parser.add_argument(
        "--pages", default="", help="comma-separated names of the pages to measure (default all)"
    )
    args = parser.parse_args()
    import staff_queue

    from portal.demo import DEMO_PASSWORD, seed_demo

    with database(args) as (url, folder, build):
        overrides = {"testing": False}
        if args.dataset:
            dataset = json.loads(Path(args.dataset).read_text())
            overrides["secret_key"] = dataset["secret_key"]
        app = create_app(Settings.for_tests(folder, url, **overrides))
        app.config["WTF_CSRF_ENABLED"] = False
        if build:
            with app.app_context():
                upgrade()
                seed_demo()
                db.session.commit()
                print(f"filling {args.rows:,} + {args.rows:,} rows …", file=sys.stderr)
                if db.engine.dialect.name == "sqlite":
                    staff_queue.text = lambda _sql: text("ANALYZE")  # its VACUUM ANALYZE is PostgreSQL's
                staff_queue.fill(args.rows)
        client = app.test_client()
        if args.dataset:
            sign_in_dataset(app, client, dataset["officer"])
        else:
            client.post("/login", data={"email": "xuly@demo.sonla.vn", "password": DEMO_PASSWORD})
            if args.second_factor:
                from portal.accounts import sessions

                with client.session_transaction() as session:
                    session[sessions.SECOND_FACTOR_PASSED] = True
        pages = {
            "page1": "/staff/queue",
            "page500": walk(client, "/staff/queue", 500),
            "accepted": "/staff/queue?status=accepted",
            "dossier-status": "/staff/queue?status=4",
            "mine": "/staff/queue?mine=1",
            "overdue": "/staff/queue?overdue=1",
            "costly": "/staff/queue?costly=1",
            "commune": "/staff/queue?commune=03646",
        }
        print(f"{'page':16} {'median ms':>10} {'p99 ms':>8} {'CPU ms':>8} {'statements':>10} {'calls':>8}")
        chosen = [name for name in args.pages.split(",") if name] or list(pages)
        for name, page_url in pages.items():
            if name not in chosen:
                continue
            median, p99, cpu, statements = measure(
                app, client, page_url, args.runs, args.profile == name, args.explain
            )
            calls = (
                python_calls(client, page_url, 20, args.top if name == args.cprofile else 0)
                if args.calls
                else 0.0
            )
            print(f"{name:16} {median:10.2f} {p99:8.2f} {cpu:8.2f} {statements:10d} {calls:8.0f}")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
