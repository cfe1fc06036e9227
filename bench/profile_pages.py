"""Where the time of each benchmarked page goes, in-process: pyinstrument, SQL statements and their plans.

    .venv/bin/python bench/profile_pages.py --name bench_pg_1m [--requests 20] [--pages queue_1,feed_1]

Uses a data set built by bench/dataset.py and the portal app itself (Flask's test client: no network, no
server), signed in and opened like bench/run.py does (officer with password + TOTP, citizen by private
link). For each page it prints the median in-process time, the number of SQL statements per request
and their share of the time, and writes to bench/results/profile-<name>/<page>.txt the pyinstrument
tree of N requests and, for every statement of one request, its plan: EXPLAIN (ANALYZE, BUFFERS) on
PostgreSQL, EXPLAIN QUERY PLAN on SQLite.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import dataset  # noqa: E402  (bench/dataset.py)

PAGES = (
    "feedback_status",
    "dossier_status",
    "queue_1",
    "queue_500",
    "queue_status",
    "feed_1",
    "feed_search_none",
    "catalogue_search",
    "qr_png",
    "submission_get",
)


class Statements:
    """SQL statements run on the app's engine while `active`, with their time."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.active = False
        self.seen: list[tuple[str, object, float]] = []
        self._started = 0.0

        @event.listens_for(engine, "before_cursor_execute")
        def before(conn, cursor, statement, parameters, context, executemany):
            self._started = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def after(conn, cursor, statement, parameters, context, executemany):
            if self.active:
                self.seen.append((statement, parameters, time.perf_counter() - self._started))


def explain(app, statements: list[tuple[str, object, float]], dialect: str) -> str:
    from portal.extensions import db

    out = []
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            for number, (statement, parameters, seconds) in enumerate(statements, 1):
                out.append(
                    f"--- statement {number} ({seconds * 1000:.2f} ms in the request)\n{statement}\n{parameters}"
                )
                if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                    out.append("(not a SELECT: no plan)\n")
                    continue
                prefix = "EXPLAIN (ANALYZE, BUFFERS) " if dialect == "postgresql" else "EXPLAIN QUERY PLAN "
                cursor.execute(prefix + statement, parameters)
                rows = cursor.fetchall()
                plan = "\n".join(
                    str(row[0]) if dialect == "postgresql" else f"{row[1]:>3} {row[3]}" for row in rows
                )
                out.append(plan + "\n")
        finally:
            raw.rollback()
            raw.close()
    return "\n".join(out)


def signed_in_clients(app, samples: dict):
    import pyotp

    def csrf(html: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)[1]  # type: ignore[index]

    citizen = app.test_client()
    feedback = next(s for s in samples["feedback"] if s["status"] in ("closed", "answered"))
    dossier = next(s for s in samples["dossiers"] if s["status"] == 10)
    feedback_path = citizen.get(feedback["url"]).headers["Location"]
    dossier_path = citizen.get(dossier["url"]).headers["Location"]
    officer = app.test_client()
    page = officer.get("/login").get_data(as_text=True)
    login = samples["officer"]
    officer.post(
        "/login", data={"csrf_token": csrf(page), "email": login["email"], "password": login["password"]}
    )
    page = officer.get("/login/two-factor").get_data(as_text=True)
    for _attempt in range(3):
        answer = officer.post(
            "/login/two-factor",
            data={"csrf_token": csrf(page), "code": pyotp.TOTP(login["totp_secret"]).now()},
        )
        if answer.status_code == 302:
            break
        time.sleep(31 - time.time() % 30)
    assert officer.get("/staff/queue").status_code == 200, "the officer is not signed in"
    return citizen, officer, feedback_path, dossier_path


def page_500(officer) -> str:
    url, body = "/staff/queue", officer.get("/staff/queue").get_data(as_text=True)
    for _number in range(2, 501):
        url = re.search(r'href="(/staff/queue\?[^"]*after=[^"]+)"', body)[1].replace("&amp;", "&")  # type: ignore[index]
        body = officer.get(url).get_data(as_text=True)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True, help="data set name, e.g. bench_pg_1m")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--page-500-url", default="", help="skip following the queue (a URL from a run)")
    args = parser.parse_args()
    from pyinstrument import Profiler

    from portal import create_app
    from portal.extensions import db
    from portal.settings import Settings

    samples = dataset.load_samples(args.name)
    env = {
        "DATABASE_URL": samples["url"],
        "SECRET_KEY": samples["secret_key"],
        "PORTAL_INSTANCE_PATH": samples["instance_path"],
    }
    app = create_app(Settings.from_env(env))
    with app.app_context():
        statements = Statements(db.engine)
        dialect = db.engine.dialect.name
    citizen, officer, feedback_path, dossier_path = signed_in_clients(app, samples)
    public = app.test_client()
    wanted = args.pages.split(",")
    reference = dataset.payable_reference(samples) if "qr_png" in wanted else ""
    deep = (args.page_500_url or page_500(officer)) if "queue_500" in wanted else ""
    targets = {
        "feedback_status": (citizen, feedback_path),
        "dossier_status": (citizen, dossier_path),
        "queue_1": (officer, "/staff/queue"),
        "queue_500": (officer, deep),
        "queue_status": (officer, "/staff/queue?status=accepted"),
        "feed_1": (public, "/feedback"),
        "feed_search_none": (public, "/feedback?q=" + samples["feed_search"]["none"].replace(" ", "+")),
        "catalogue_search": (
            public,
            "/procedures?q=" + samples["catalogue_search"]["match"].replace(" ", "+"),
        ),
        "qr_png": (public, f"/payments/{reference}/qr.png"),
        "submission_get": (public, "/feedback/new"),
    }
    folder = ROOT / "bench" / "results" / f"profile-{args.name}"
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{'page':18} {'median ms':>9} {'p90 ms':>7} {'SQL':>4} {'SQL ms':>7}  path")
    for key in wanted:
        client, path = targets[key]
        for _warm in range(3):
            assert client.get(path).status_code == 200, (key, path)
        statements.seen.clear()
        statements.active = True
        client.get(path)
        statements.active = False
        one_request = list(statements.seen)
        timings = []
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _request in range(args.requests):
            started = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        profiler.stop()
        timings.sort()
        sql_ms = sum(seconds for _s, _p, seconds in one_request) * 1000
        print(
            f"{key:18} {statistics.median(timings):9.1f} {timings[int(len(timings) * 0.9) - 1]:7.1f} "
            f"{len(one_request):4} {sql_ms:7.1f}  {path[:60]}"
        )
        text = profiler.output_text(unicode=True, color=False, show_all=False)
        plans = explain(app, one_request, dialect)
        (folder / f"{key}.txt").write_text(
            f"{key}: GET {path}\nin-process median {statistics.median(timings):.1f} ms over {args.requests} "
            f"requests; {len(one_request)} SQL statements, {sql_ms:.1f} ms\n\n{text}\n\n{plans}",
            encoding="utf-8",
        )
    with app.app_context():
        db.engine.dispose()
    print(f"profiles and plans in {folder}", file=sys.stderr)


if __name__ == "__main__":
    main()
