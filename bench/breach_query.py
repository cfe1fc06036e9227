"""The breach query (`flask --app portal affected`, portal/privacy/breach.py) on a million events (issue 10).

Usage (see bench/README.md):
    .venv/bin/python bench/dataset.py --database postgresql --rows 100000      # bench_pg_100k
    .venv/bin/python bench/breach_query.py --database-url postgresql://postgres@127.0.0.1:5432/bench_pg_100k

It tops the data set's events table up to --events rows (default 1,000,000) with synthetic events about the
data set's own dossiers, feedback items and accounts, spread over its five years (note 'bench-breach'; a
second run adds none), ANALYZEs, then times `affected()` (the grouped scan of the window and the look-up of
every touched subject's person) for windows of one hour, one day, 30 days and everything, N runs each, and
prints the plan of the grouped scan. Events are append-only: drop the data set (`dataset.py --drop`) to
start again.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

NOTE = "bench-breach"


def build_app(url: str):
    from portal import create_app
    from portal.settings import Settings

    instance = tempfile.mkdtemp(prefix="breach-bench-")
    env = {"DATABASE_URL": url, "PORTAL_INSTANCE_PATH": instance, "SECRET_KEY": "b" * 40}
    return create_app(Settings.from_env(env))


def top_up(target: int) -> int:
    from sqlalchemy import func, insert, select

    from portal.accounts.models import Account
    from portal.dossiers.models import Dossier
    from portal.events.models import Event
    from portal.extensions import db
    from portal.feedback.models import Feedback

    have = db.session.scalar(select(func.count()).select_from(Event)) or 0
    if have >= target:
        return have
    pools = {
        "dossier": list(db.session.scalars(select(Dossier.id))),
        "feedback": list(db.session.scalars(select(Feedback.id))),
        "account": list(db.session.scalars(select(Account.id))),
    }
    weights = {"dossier": 0.45, "feedback": 0.45, "account": 0.10}
    oldest = db.session.scalar(select(func.min(Event.occurred_at))) or datetime.now(UTC) - timedelta(
        days=1825
    )
    span = (datetime.now(UTC) - oldest).total_seconds()
    generator = random.Random(10)
    kinds = list(weights)
    missing = target - have
    started = time.perf_counter()
    while missing > 0:
        batch = []
        for _ in range(min(50_000, missing)):
            kind = generator.choices(kinds, [weights[k] for k in kinds])[0]
            batch.append(
                {
                    "occurred_at": oldest + timedelta(seconds=generator.random() * span),
                    "subject_type": kind,
                    "subject_id": generator.choice(pools[kind]),
                    "action": "viewed",
                    "note": NOTE,
                    "is_public": False,
                }
            )
        db.session.execute(insert(Event), batch)
        db.session.commit()
        missing -= len(batch)
        print(f"    +{len(batch)} events ({target - missing:,} / {target:,})", file=sys.stderr)
    print(f"    {time.perf_counter() - started:.1f} s to add {target - have:,} events", file=sys.stderr)
    return target


def analyze() -> None:
    from sqlalchemy import text

    from portal.extensions import db

    db.session.execute(text("ANALYZE events"))
    db.session.commit()


def plan(start: datetime, end: datetime) -> str:
    from sqlalchemy import func, select, text

    from portal.events.models import Event
    from portal.extensions import db

    query = (
        select(Event.subject_type, Event.subject_id, func.count(), func.min(Event.occurred_at))
        .where(Event.occurred_at >= start, Event.occurred_at < end)
        .group_by(Event.subject_type, Event.subject_id)
    )
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) " if db.engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    )
    rows = db.session.execute(text(prefix + str(compiled))).all()
    return "\n".join(" | ".join(str(value) for value in row) for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="a built data set (bench/dataset.py)")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--plans", action="store_true", help="print the plan of the grouped scan")
    arguments = parser.parse_args()
    os.environ.setdefault("PORTAL_LOG_FORMAT", "text")
    app = build_app(arguments.database_url)
    with app.app_context():
        from sqlalchemy import func, select

        from portal.events.models import Event
        from portal.extensions import db
        from portal.privacy.breach import affected

        total = top_up(arguments.events)
        analyze()
        newest = db.session.scalar(select(func.max(Event.occurred_at)))
        oldest = db.session.scalar(select(func.min(Event.occurred_at)))
        windows = {
            "1 hour": (newest - timedelta(days=200, hours=1), newest - timedelta(days=200)),
            "1 day": (newest - timedelta(days=201), newest - timedelta(days=200)),
            "30 days": (newest - timedelta(days=230), newest - timedelta(days=200)),
            "everything": (oldest, newest + timedelta(seconds=1)),
        }
        print(f"{db.engine.dialect.name}, {total:,} events; median of {arguments.runs} runs")
        print("| window | events in it | people | records | seconds (median) | max |")
        print("|---|---|---|---|---|---|")
        for label, (start, end) in windows.items():
            timings = []
            for _ in range(arguments.runs):
                db.session.expire_all()
                began = time.perf_counter()
                result = affected(start, end)
                timings.append(time.perf_counter() - began)
                db.session.rollback()
            records = sum(len(person.records) for person in result.people)
            print(
                f"| {label} | {result.events:,} | {len(result.people):,} | {records:,} | "
                f"{statistics.median(timings):.2f} | {max(timings):.2f} |"
            )
            if arguments.plans:
                print(plan(start, end), file=sys.stderr)


if __name__ == "__main__":
    main()
