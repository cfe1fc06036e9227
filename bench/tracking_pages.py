"""In-process cost of the citizen tracking pages and of a feedback submission: median and p95 CPU time of
this process and SQL statements per request, through the WSGI app without a network (no gunicorn, no wrk).

Usage:
    .venv/bin/python bench/tracking_pages.py [--requests 300] [--database-url URL] [--profile]
    .venv/bin/python bench/tracking_pages.py --dataset bench/.data/bench_pg_1m.json [--requests 1000]
        [--compare OLD_CHECKOUT --rounds 3]

Builds the demo in a temporary SQLite file, or in the given **empty, throwaway** PostgreSQL database (it
migrates and seeds it). With --database-url of an already filled database (bench/dataset.py) add --no-seed.
--profile prints a pyinstrument profile of each page after the timings.

With --dataset (the .json bench/dataset.py wrote; nothing in the data set is changed) it times what
bench/run.py times: the feedback and dossier status pages opened through a private link, with that
browser session's cookie and run.py's User-Agent, plus /healthz: median CPU ms, Python function calls per
request (cProfile over 200 requests: a count, so comparable on a busy machine) and SQL statements.
--compare runs an older checkout's copy of this script and this one alternately, each a fresh process,
`--rounds` times, and prints the median of the runs' medians (the old checkout needs this file, with
bench/inprocess.py, and its catalogues compiled).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
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
    parser.add_argument("--dataset", default=None, help="a built data set's .json (bench/dataset.py)")
    parser.add_argument("--compare", default=None, help="with --dataset: an older checkout to alternate with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="with --dataset: one JSON line (for --compare)")
    args = parser.parse_args()
    if args.dataset and args.compare:
        compare_dataset(args)
        return
    if args.dataset:
        results = run_dataset(args.dataset, args.requests)
        if args.json:
            print(json.dumps(results))
        else:
            for name, values in results.items():
                print(f"{name:18} CPU ms {values[0]:7.3f}  calls {values[1]:8.1f}  statements {values[2]:g}")
        return
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


USER_AGENT = "portal-bench"  # bench/run.py's: the session protection is "strong"


def run_dataset(path: str, requests: int) -> dict[str, tuple[float, float, float]]:
    """{page: (median CPU ms, Python calls per request, median statements)} on a built data set."""
    import cProfile
    import pstats

    samples = json.loads(Path(path).read_text(encoding="utf-8"))
    settings = Settings.for_tests(
        Path(samples["instance_path"]), samples["url"], secret_key=samples["secret_key"], testing=False
    )
    app = create_app(settings)
    counter = StatementCounter()
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter)

    def private(link: str) -> Callable[[], object]:
        client = app.test_client()
        response = client.get(link, headers={"User-Agent": USER_AGENT})
        assert response.status_code == 302, (link, response.status_code)
        location = response.headers["Location"]

        def request() -> None:
            response = client.get(location, headers={"User-Agent": USER_AGENT})
            response.get_data()
            response.close()
            assert response.status_code == 200, (location, response.status_code)

        return request

    def healthz() -> None:
        response = anonymous.get("/healthz", headers={"User-Agent": USER_AGENT})
        response.close()
        assert response.status_code == 200

    def feed() -> None:  # the public feed's page 1, as run.py's "feed_1"
        response = anonymous.get("/feedback", headers={"User-Agent": USER_AGENT})
        response.get_data()
        response.close()
        assert response.status_code == 200

    anonymous = app.test_client(use_cookies=False)
    feedback = next(s for s in samples["feedback"] if s["status"] in ("closed", "answered"))
    dossier = next(s for s in samples["dossiers"] if s["status"] == 10)
    pages = {
        "feedback_status": private(feedback["url"]),
        "dossier_status": private(dossier["url"]),
        "healthz": healthz,
        "feed_1": feed,
    }
    results = {}
    for name, request in pages.items():
        for _ in range(20):
            request()
        cpu, statements = [], []
        for _ in range(requests):
            before = counter.count
            started = time.process_time()
            request()
            cpu.append((time.process_time() - started) * 1000)
            statements.append(counter.count - before)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(200):
            request()
        profiler.disable()
        calls = pstats.Stats(profiler).total_calls / 200  # type: ignore[attr-defined]
        results[name] = (statistics.median(cpu), calls, statistics.median(statements))
    with app.app_context():
        db.engine.dispose()
    return results


def compare_dataset(args) -> None:
    here = Path(__file__).resolve().parent.parent
    trees = {"before": Path(args.compare).resolve(), "after": here}
    runs: dict[str, list[dict]] = {"before": [], "after": []}
    for round_number in range(args.rounds):
        for label, tree in trees.items():
            load = os.getloadavg()[0]
            command = [sys.executable, str(tree / "bench/tracking_pages.py"), "--dataset"]
            command += [str(Path(args.dataset).resolve()), "--requests", str(args.requests), "--json"]
            output = subprocess.run(
                command, env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree, capture_output=True, text=True
            )
            if output.returncode:
                sys.exit(output.stderr)
            runs[label].append(json.loads(output.stdout.strip().splitlines()[-1]))
            print(f"round {round_number + 1} {label} (load {load:.1f}): {runs[label][-1]}", file=sys.stderr)
    print(
        f"{'page':18} {'CPU ms before':>13} {'after':>7} {'ratio':>6} {'calls before':>12} {'after':>7} stmts"
    )
    for name in runs["after"][0]:
        if name not in runs["before"][0]:  # a page the older copy of this script does not time
            continue
        before = statistics.median(run[name][0] for run in runs["before"])
        after = statistics.median(run[name][0] for run in runs["after"])
        calls_before, calls_after = runs["before"][0][name][1], runs["after"][0][name][1]
        stmts = f"{runs['before'][0][name][2]:g}→{runs['after'][0][name][2]:g}"
        ratio = after / before
        print(
            f"{name:18} {before:13.3f} {after:7.3f} {ratio:6.2f} {calls_before:12.0f} {calls_after:7.0f} {stmts}"
        )


if __name__ == "__main__":
    main()
