"""The public feed's per-request cost, in-process, on a built data set (bench/dataset.py): page 1, the
search that matches nothing (the same query each time, as bench/run.py asks it), a search that matches
nothing with a DIFFERENT query each time (what someone trying to keep the server busy would send: no cache
can answer it), and a filtered page.

    .venv/bin/python bench/feed_pages.py --dataset bench/.data/bench_pg_1m.json [--requests 1000]
        [--pages feed_1,feed_search_none,feed_search_varied,feed_filtered]
        [--compare OLD_CHECKOUT --rounds 3] [--profile PAGE] [--plans] [--calls]

Each request goes through the WSGI app itself (`app(environ, start_response)`, the environ built before the
clock starts) as an anonymous visitor with run.py's User-Agent and no cookie. Printed per page: median and
p95 CPU ms of this process, median wall ms, SQL statements and psycopg's own commands per request; with
`--calls`, Python function calls per request counted by cProfile over 200 requests (exact, independent of
the machine's load); with `--plans`, every statement of one request and its plan (EXPLAIN (ANALYZE,
BUFFERS) on PostgreSQL, EXPLAIN QUERY PLAN on SQLite); with `--profile PAGE`, a pyinstrument tree.
`--compare` runs this script from an older checkout (copy this file and bench/inprocess.py into it) and
from this one alternately, fresh processes, `--rounds` times, and prints the medians side by side.

The varied queries are made of letters Vietnamese does not write (f, j, w, z), so none can match a folded
key of the data set; `--queries N` of them are made up front and used in turn.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

PAGES = "feed_1,feed_search_none,feed_search_varied,feed_filtered"
USER_AGENT = "portal-bench"


def varied_queries(count: int, seed: int = 17) -> list[str]:
    """`count` distinct queries that match nothing: a made-up word of f/j/w/z, and issue 17's two words."""
    chooser = random.Random(seed)
    made: set[str] = set()
    while len(made) < count:
        word = "".join(chooser.choice("fjwz") for _ in range(chooser.randint(5, 9)))
        made.add(f"{word} khong co" if chooser.random() < 0.5 else word)
    return sorted(made)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="the .json bench/dataset.py wrote")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=1000, help="distinct queries of feed_search_varied")
    parser.add_argument("--pages", default=PAGES)
    parser.add_argument("--compare", default="", help="an older checkout to run alternately with this one")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", default="", help="a page name: print a pyinstrument profile of it")
    parser.add_argument("--plans", action="store_true", help="every statement of one request and its plan")
    parser.add_argument("--calls", action="store_true", help="Python function calls per request (cProfile)")
    args = parser.parse_args()
    if args.compare:
        compare(args)
    else:
        run(args)


def compare(args) -> None:
    from bench.inprocess import compare_checkouts, print_comparison

    arguments = ["--dataset", str(Path(args.dataset).resolve()), "--requests", str(args.requests)]
    arguments += ["--queries", str(args.queries)]
    first = ["--calls"] if args.calls else []
    results = compare_checkouts("feed_pages.py", args.compare, arguments, args.pages, args.rounds, first)
    print_comparison(results, args.pages, calls=args.calls)


def run(args) -> None:
    from sqlalchemy import event
    from werkzeug.test import EnvironBuilder

    from bench.inprocess import DriverCommands, StatementCounter, timed_row
    from portal import create_app
    from portal.extensions import db
    from portal.settings import Settings

    samples = json.loads(Path(args.dataset).read_text(encoding="utf-8"))
    settings = Settings.for_tests(
        Path(samples["instance_path"]), samples["url"], secret_key=samples["secret_key"], testing=False
    )
    app = create_app(settings)
    counter = StatementCounter()
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter)
        dialect = db.engine.dialect.name
        commune = samples.get("feed_commune") or _a_commune(db)
    none = samples["feed_search"]["none"]
    varied = varied_queries(args.queries)
    addresses: dict[str, Callable[[int], tuple[str, dict]]] = {
        "feed_1": lambda n: ("/feedback", {}),
        "feed_search_none": lambda n: ("/feedback", {"q": none}),
        "feed_search_varied": lambda n: ("/feedback", {"q": varied[n % len(varied)]}),
        "feed_filtered": lambda n: ("/feedback", {"commune": commune, "status": "closed"}),
    }

    def environ_of(name: str, n: int) -> dict:
        path, query = addresses[name](n)
        return EnvironBuilder(
            path=path, query_string=query, headers={"User-Agent": USER_AGENT}, base_url="http://localhost/"
        ).get_environ()

    def call(environ: dict) -> int:
        status = []
        body = app(environ, lambda s, h, e=None: status.append(s))
        b"".join(body)
        if hasattr(body, "close"):
            body.close()
        return int(status[0].split()[0])

    DriverCommands.install()
    print(
        f"{'page':20} {'CPU median':>10} {'CPU p95':>8} {'stmts':>6} {'driver':>7} {'wall ms':>8} {'calls':>7}"
    )
    sequence = [0]

    def next_environ(name: str) -> dict:
        sequence[0] += 1
        return environ_of(name, sequence[0])

    for name in args.pages.split(","):
        if name not in addresses:
            continue
        for _ in range(20):
            assert call(next_environ(name)) == 200
        environs = iter([next_environ(name) for _ in range(args.requests)])  # built before the clock

        def request(page: str = name, environs=environs) -> None:
            status = call(next(environs))
            assert status == 200, (page, status)

        row = timed_row(name, request, args.requests, counter)
        calls = 0.0
        if args.calls:
            environs = [next_environ(name) for _ in range(200)]
            profiler = cProfile.Profile()
            profiler.enable()
            for environ in environs:
                call(environ)
            profiler.disable()
            calls = pstats.Stats(profiler).total_calls / len(environs)  # type: ignore[attr-defined]
        print(f"{row} {calls:.0f}")
        if args.profile == name:
            from pyinstrument import Profiler

            environs = [next_environ(name) for _ in range(500)]
            profiler = Profiler(interval=0.0001)
            with profiler:
                for environ in environs:
                    call(environ)
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        if args.plans:
            print_plans(app, db, dialect, lambda page=name: call(next_environ(page)), name)
    with app.app_context():
        db.engine.dispose()


def _a_commune(db) -> str:
    from sqlalchemy import text

    return db.session.execute(text("SELECT code FROM admin_units ORDER BY code LIMIT 1")).scalar_one()


def print_plans(app, db, dialect: str, request: Callable[[], object], name: str) -> None:
    from sqlalchemy import event

    seen: list[tuple[str, object]] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", remember)
    try:
        request()
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    print(f"===== {name}: {len(seen)} statements")
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in seen:
            print(statement, parameters)
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if dialect == "postgresql" else "EXPLAIN QUERY PLAN "
            cursor.execute(prefix + statement, parameters)
            for row in cursor.fetchall():
                print("   ", row[0] if dialect == "postgresql" else f"{row[1]:>3} {row[3]}")
    finally:
        raw.rollback()
        raw.close()


if __name__ == "__main__":
    main()
