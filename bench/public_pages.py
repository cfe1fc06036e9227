"""In-process cost of issue 17's public pages: the feed's page 1 (and a filtered page), the catalogue
search, the feedback form GET and a submission GET+POST. Median and p95 CPU ms of this process per request
and SQL statements per request, through the WSGI app without a network.

Usage:
    .venv/bin/python bench/public_pages.py [--requests 300] [--database-url URL] [--profile PAGE]

Builds the demo in a temporary SQLite file (or the given **empty, throwaway** PostgreSQL database) and
publishes 40 more demo-like items so the feed's page 1 is full (20 items and a next-page link).
--profile prints a pyinstrument profile of one page (feed, feed_filtered, catalogue, form, submission).
The /track row is the layout's own cost (a small form page, no SQL): what these pages cost above it is theirs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from bench.inprocess import StatementCounter, check, measure, submit_report  # noqa: E402
from portal import create_app  # noqa: E402
from portal.demo import seed_demo  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.feedback.models import Feedback, FeedbackCategory  # noqa: E402
from portal.places.models import AdminUnit  # noqa: E402
from portal.settings import Settings  # noqa: E402


def publish_more(count: int) -> None:
    """Copies of a published demo item (new code, token and nonce), so page 1 of the feed is full."""
    model = db.session.scalars(select(Feedback).where(Feedback.is_published)).first()
    assert model is not None, "the demo has no published item"
    columns = [c.key for c in Feedback.__table__.columns if c.key not in ("id",)]
    for n in range(count):
        values = {key: getattr(model, key) for key in columns}
        values.update(code=f"PA-BENCH-{n:04d}", token_hash=f"{n:064d}", form_nonce=None)
        values["title"] = f"{model.title} ({n})"
        db.session.add(Feedback(**values))
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--profile", default="")
    parser.add_argument("--show-sql", action="store_true", help="print the statements of one request of each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings.for_tests(Path(folder), args.database_url, testing=False))
        app.config["WTF_CSRF_ENABLED"] = False  # the submission posts without scraping a token
        with app.app_context():
            upgrade()
            seed_demo()
            db.session.commit()
            publish_more(40)
            category = db.session.scalars(
                select(FeedbackCategory.id).where(FeedbackCategory.is_active)
            ).first()
            commune = db.session.scalars(select(AdminUnit.code)).first()
            counter = StatementCounter()
            event.listen(db.engine, "before_cursor_execute", counter)
        public = app.test_client()
        submitter = app.test_client()
        sent = [0]

        def submission() -> None:
            sent[0] += 1
            submit_report(submitter, category, commune, sent[0])

        pages: dict[str, Callable[[], object]] = {
            "track (layout only, reference)": lambda: check(public.get("/track")),
            "feed": lambda: check(public.get("/feedback")),
            "feed_filtered": lambda: check(public.get(f"/feedback?commune={commune}&status=closed")),
            "catalogue": lambda: check(public.get("/procedures?q=khai+sinh")),
            "form": lambda: check(submitter.get("/feedback/new")),
            "submission": submission,
        }
        print(
            f"{'page (CPU ms per request)':44} {'median':>9} {'p95':>8} {'statements':>10} {'driver':>8} {'wall':>9}"
        )
        for name, request in pages.items():
            runs = args.requests if name != "submission" else max(args.requests // 3, 20)
            measure(name, request, runs, counter)
        if args.show_sql:
            shown: list[str] = []

            def show(conn, cursor, statement, parameters, context, executemany) -> None:
                shown.append(" ".join(statement.split())[:160])

            with app.app_context():
                event.listen(db.engine, "before_cursor_execute", show)
            for name, request in pages.items():
                shown.clear()
                request()
                print(f"\n===== {name}: {len(shown)} statements")
                print("\n".join(shown))
        if args.profile:
            from pyinstrument import Profiler

            request = pages[args.profile]
            profiler = Profiler(interval=0.0002)
            with profiler:
                for _ in range(200 if args.profile != "submission" else 60):
                    request()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
