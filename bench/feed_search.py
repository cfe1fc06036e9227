"""The public feed's search at scale, in-process: time per request and the plan of the feed statement.

    .venv/bin/python bench/feed_search.py --database-url URL [--requests 30] [--queries none,match,...]

Uses an already built data set (bench/dataset.py; pass a COPY of it if you change its schema) and the
portal app through Flask's test client (no network, no server). For each query it prints the median wall
and CPU milliseconds of `/feedback?q=…` (CPU: this process only; on PostgreSQL the database's work is in
the wall time, on SQLite in both), the median of the feed statement alone (`queries.public_feed`), the
number of rows on the page, and the statement's plan: EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN
QUERY PLAN on SQLite. Requests of the different queries are interleaved, round after round, so that a
busy machine slows them alike. Run it with the code before and after a change (PYTHONPATH) on the same
database to compare.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
# Appended, not prepended: PYTHONPATH=<other checkout> measures that checkout's code (before/after).
sys.path.append(str(ROOT))

QUERIES = {
    "none": {"q": "xzqvy khong co"},  # issue 17's query that matches nothing
    "none_long": {"q": "xzqvy"},
    "match": {"q": "đèn chiếu sáng"},  # one title in 15 (bench/dataset.py)
    "common": {"q": "đường"},  # in several titles and categories
    "code": {"q": "PA-211207-0001"},
    "match_commune": {"q": "đèn chiếu sáng", "commune": "03646"},
    "short": {"q": "co"},  # a two-letter term alone: the start of a word
    "none_status": {"q": "xzqvy", "status": "answered"},
}


def plan_of(app, criteria, dialect: str) -> str:
    """The plan of the feed statement as `public_feed` sends it (works on the code before a change too)."""
    from sqlalchemy import event

    from portal.extensions import db
    from portal.feedback import queries

    sent: list[tuple[str, object]] = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", remember)
        try:
            queries.public_feed(criteria)
        finally:
            event.remove(db.engine, "before_cursor_execute", remember)
        statement, parameters = next((s, p) for s, p in sent if "FROM feedback_items" in s)
        prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(prefix + statement, parameters)
            rows = cursor.fetchall()
        finally:
            raw.rollback()
            raw.close()
    if dialect == "sqlite":
        return "\n".join(f"{row[1]:>3} {row[3]}" for row in rows)
    return "\n".join(str(row[0]) for row in rows)


def criteria_of(key: str):
    from portal.feedback import queries

    return queries.FeedFilter(query=QUERIES[key]["q"], **{k: v for k, v in QUERIES[key].items() if k != "q"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--queries", default=",".join(QUERIES))
    parser.add_argument("--plans", action="store_true", help="print each feed statement's plan")
    args = parser.parse_args()

    from portal import create_app
    from portal.extensions import db
    from portal.feedback import queries
    from portal.settings import Settings

    instance = tempfile.mkdtemp(prefix="feed-search-")
    env = {"DATABASE_URL": args.database_url, "SECRET_KEY": "x" * 40, "PORTAL_INSTANCE_PATH": instance}
    app = create_app(Settings.from_env(env))
    client = app.test_client()
    wanted = args.queries.split(",")
    paths = {key: "/feedback?" + urlencode(QUERIES[key]) for key in wanted}
    for path in paths.values():
        assert client.get(path).status_code == 200, path
    wall: dict[str, list[float]] = {key: [] for key in wanted}
    cpu: dict[str, list[float]] = {key: [] for key in wanted}
    alone: dict[str, list[float]] = {key: [] for key in wanted}
    found: dict[str, int] = {}
    for _round in range(args.requests):
        for key in wanted:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(paths[key])
            wall[key].append((time.perf_counter() - started) * 1000)
            cpu[key].append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200
            criteria = criteria_of(key)
            with app.app_context():
                started = time.perf_counter()
                rows, _next = queries.public_feed(criteria)
                alone[key].append((time.perf_counter() - started) * 1000)
                found[key] = len(rows)
    with app.app_context():
        dialect = db.engine.dialect.name
    print(f"{dialect}, {args.requests} requests per query, interleaved")
    print(f"{'query':14} {'wall ms':>8} {'CPU ms':>7} {'feed SQL ms':>11} {'rows':>5}  path")
    for key in wanted:
        print(
            f"{key:14} {statistics.median(wall[key]):8.1f} {statistics.median(cpu[key]):7.1f} "
            f"{statistics.median(alone[key]):11.2f} {found[key]:5}  {paths[key]}"
        )
    if args.plans:
        for key in wanted:
            print(f"\n--- {key}: {paths[key]}\n{plan_of(app, criteria_of(key), dialect)}")


if __name__ == "__main__":
    main()
