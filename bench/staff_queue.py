"""Staff queue with 100,000 dossiers and 100,000 feedback items on PostgreSQL: page 1 versus page 500.

Usage (see bench/README.md):
    .venv/bin/python bench/staff_queue.py --server-url postgresql://postgres@127.0.0.1:5432/postgres

It creates a throwaway database on that server, fills it, times the queue through the whole web stack
(login, query, template) as an officer of the agency holding all the rows, and drops the database.
"""

from __future__ import annotations

import argparse
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from portal import create_app  # noqa: E402
from portal.agencies.models import Agency  # noqa: E402
from portal.catalog.models import Procedure  # noqa: E402
from portal.demo import DEMO_PASSWORD, seed_demo  # noqa: E402
from portal.dossiers.models import Dossier  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.feedback.models import Feedback, FeedbackCategory  # noqa: E402
from portal.settings import Settings  # noqa: E402
from portal.staff.queue_keys import FAR_FUTURE  # noqa: E402

BATCH = 5_000


def fill(total: int) -> None:
    agency = db.session.scalar(select(Agency).where(Agency.slug == "ubnd-phuong-to-hieu"))
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.004194"))
    category = db.session.scalar(select(FeedbackCategory).where(FeedbackCategory.slug == "giao-thong"))
    rng = random.Random(42)
    now = datetime.now(UTC)
    start = date(2020, 1, 1)
    for offset in range(0, total, BATCH):
        dossiers, feedback = [], []
        for n in range(offset, min(offset + BATCH, total)):
            day = start + timedelta(days=n // 50)
            due = date.today() + timedelta(days=rng.randint(-30, 60))
            status = rng.choice((1, 2, 4, 4, 4, 5, 6, 9, 10, 10, 10))
            dossiers.append(
                dict(
                    code=f"{agency.code}-{day:%y%m%d}-{n % 50 + 1:04d}",
                    received_day=day,
                    sequence=n % 50 + 1,
                    link_salt=secrets.token_hex(16),
                    agency_id=agency.id,
                    procedure_id=procedure.id,
                    channel="online",
                    status=status,
                    applicant_name=f"Người nộp {n}",
                    id_number=f"{n:012d}",
                    phone=f"+8491{n:07d}",
                    address="Tổ 1",
                    admin_unit_code="03646",
                    consent_version="bench",
                    fee_vnd=15000,
                    submitted_at=now,
                    appointment_on=None if status in (5, 6) else due,
                    search_key=f"nguoi nop {n} {n:012d}",
                    queue_due=(None if status == 10 else FAR_FUTURE if status in (5, 6) else due),
                )
            )
            feedback_status = rng.choice(("new", "accepted", "info_requested", "answered", "closed"))
            feedback.append(
                dict(
                    code=f"PA-{day:%y%m%d}-{n % 50 + 1:04d}",
                    token_hash=secrets.token_hex(32),
                    category_id=category.id,
                    agency_id=agency.id,
                    admin_unit_code="03646",
                    title=f"Phản ánh {n}",
                    description="Nội dung",
                    phone=f"+8498{n:07d}",
                    consent_version="bench",
                    consent_at=now,
                    submitted_at=now,
                    received_on=day,
                    status=feedback_status,
                    due_on=due,
                    search_key=f"phan anh {n}",
                    public_search_key=f"phan anh {n}",
                    queue_due=due if feedback_status in ("new", "accepted", "info_requested") else None,
                )
            )
        db.session.execute(insert(Dossier), dossiers)
        db.session.execute(insert(Feedback), feedback)
        db.session.commit()
        print(f"  {offset + len(dossiers):,} dossiers and as many feedback items", file=sys.stderr)
    # The steady state of a live database: autovacuum keeps statistics and the visibility map (which
    # lets the counts read the covering index alone) up to date; a freshly loaded table has neither.
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def timed(client, url: str, runs: int) -> tuple[float, float, str]:
    samples, body = [], ""
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        body = response.get_data(as_text=True)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-url", required=True, help="a PostgreSQL server URL (a database is created)")
    parser.add_argument("--rows", type=int, default=100_000, help="dossiers, and as many feedback items")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    server = make_url(args.server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"portal_bench_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        with tempfile.TemporaryDirectory() as folder:
            url = server.set(database=name).render_as_string(hide_password=False)
            app = create_app(Settings.for_tests(Path(folder), url, testing=False))
            app.config["WTF_CSRF_ENABLED"] = False  # the bench signs in without a form page
            with app.app_context():
                upgrade()
                seed_demo()
                db.session.commit()
                print(f"filling {args.rows:,} + {args.rows:,} rows …", file=sys.stderr)
                fill(args.rows)
            client = app.test_client()
            client.post("/login", data={"email": "xuly@demo.sonla.vn", "password": DEMO_PASSWORD})
            first = timed(client, "/staff/queue", args.runs)
            # Walk to page 500 once by following the "next page" links, then time that page.
            url, body = "/staff/queue", first[2]
            for _page in range(499):
                match = re.search(r'href="(/staff/queue\?[^"]*after=[^"]+)"', body)
                url = match[1].replace("&amp;", "&")
                body = client.get(url).get_data(as_text=True)
            deep = timed(client, url, args.runs)
            print(f"{'page':10} {'median ms':>10} {'p95 ms':>8}")
            print(f"{'1':10} {first[0]:10.1f} {first[1]:8.1f}")
            print(f"{'500':10} {deep[0]:10.1f} {deep[1]:8.1f}")
            with app.app_context():
                db.engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


if __name__ == "__main__":
    main()
