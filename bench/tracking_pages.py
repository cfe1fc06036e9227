"""In-process cost of the citizen tracking pages and of a feedback submission: median and p95 CPU time of
this process and SQL statements per request, through the WSGI app without a network (no gunicorn, no wrk).

Usage:
    .venv/bin/python bench/tracking_pages.py [--requests 300] [--database-url URL] [--profile]

Builds the demo in a temporary SQLite file, or in the given **empty, throwaway** PostgreSQL database (it
migrates and seeds it). With --database-url of an already filled database (bench/dataset.py) add --no-seed.
--profile prints a pyinstrument profile of each page after the timings.
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
from portal.dossiers.models import Dossier  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.feedback.models import Feedback, FeedbackCategory  # noqa: E402
from portal.places.models import AdminUnit  # noqa: E402
from portal.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--no-seed", action="store_true", help="the database is already migrated and filled")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings.for_tests(Path(folder), args.database_url, testing=False))
        app.config["WTF_CSRF_ENABLED"] = False  # the submission posts without scraping a token
        with app.app_context():
            if not args.no_seed:
                upgrade()
                seed_demo()
                db.session.commit()
            # The newest items: what a citizen who just submitted tracks.
            feedback = db.session.scalars(select(Feedback).order_by(Feedback.id.desc()).limit(1)).one()
            dossier = db.session.scalars(select(Dossier).order_by(Dossier.id.desc()).limit(1)).one()
            feedback_code, feedback_id = feedback.code, feedback.id
            dossier_code, dossier_id = dossier.code, dossier.id
            category = db.session.scalars(
                select(FeedbackCategory.id).where(FeedbackCategory.is_active)
            ).first()
            commune = db.session.scalars(select(AdminUnit.code)).first()
            counter = StatementCounter()
            event.listen(db.engine, "before_cursor_execute", counter)
        client = app.test_client()
        with client.session_transaction() as session:
            session["feedback_access"] = [feedback_id]
            session["dossier_access"] = [dossier_id]
        submitter = app.test_client()
        sent = [0]

        def submission() -> None:
            sent[0] += 1
            submit_report(submitter, category, commune, sent[0])

        pages: dict[str, Callable[[], object]] = {
            f"feedback status {feedback_code}": lambda: check(
                client.get(f"/feedback/{feedback_code}/status")
            ),
            f"dossier status {dossier_code}": lambda: check(client.get(f"/dossiers/{dossier_code}")),
            "feedback form GET": lambda: check(submitter.get("/feedback/new")),
            "feedback submission GET+POST": submission,
        }
        print(
            f"{'page (CPU ms per request)':44} {'median':>9} {'p95':>8} {'statements':>10} {'driver':>8} {'wall':>9}"
        )
        for name, request in pages.items():
            runs = args.requests if "POST" not in name else max(args.requests // 3, 20)
            measure(name, request, runs, counter)
        if args.profile:
            from pyinstrument import Profiler

            for name, request in pages.items():
                profiler = Profiler(interval=0.0002)
                with profiler:
                    for _ in range(100 if "POST" not in name else 30):
                        request()
                print(f"\n===== {name}")
                print(profiler.output_text(unicode=True, color=False, show_all=False))
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
