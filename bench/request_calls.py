"""Python function calls per request through the WSGI app itself (no test client): /healthz, the feedback and
dossier status pages (a citizen's kept session cookie, bench/run.py's User-Agent), the public feed's page 1,
and the staff queue signed in (demo only), with the median CPU ms of the same requests.

    PYTHONPATH=$PWD .venv/bin/python bench/request_calls.py [--db FOLDER] [--database-url URL]
        [--page healthz ...] [--n 300] [--sort tottime|cumulative|ncalls --lines 40]
        [--accept-encoding "gzip, deflate, br, zstd" [--paired]]
    PYTHONPATH=$PWD .venv/bin/python bench/request_calls.py --dataset bench/.data/bench_pg_1m.json

Demo mode builds (once) the demo in FOLDER (SQLite, or the given **empty, throwaway** PostgreSQL database)
and signs in its processor by password (the demo has no two-step sign-in for it). With --dataset nothing is
written: the status pages are opened through their private links; the queue is left out (signing in writes
the officer's sign-in record and used TOTP code). Each page: 30 warm-up requests, cProfile over `--n`
requests (a count, the same on a busy machine), then `--n` timed requests. Compare with bench/bare.py:
`--bare` counts its calls for the same environ. `--accept-encoding` sends that header (a browser's, for
the gzip a browser's request costs; none by default, as wrk). `--paired` then also times the page without
and with it alternately in one loop (`--n` each): the difference is the header's cost under the same load.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

USER_AGENT = "portal-bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset")
    parser.add_argument("--db", default=str(Path(tempfile.gettempdir()) / "portal-request-calls"))
    parser.add_argument("--database-url")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--page", action="append")
    parser.add_argument("--sort")
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--bare", action="store_true")
    parser.add_argument("--accept-encoding", default="", help="sent with every request (none by default)")
    parser.add_argument("--paired", action="store_true", help="also time without/with it alternately")
    args = parser.parse_args()
    if args.bare:
        from bench.bare import app as bare

        pages = {"bare hello": (bare, "/healthz", None)}
    else:
        pages = portal_pages(args)
    for name in args.page or list(pages):
        app, path, cookie = pages[name]
        profile(name, app, environ(path, cookie, args.accept_encoding), args)
        if args.paired and args.accept_encoding:
            paired(name, app, environ(path, cookie), environ(path, cookie, args.accept_encoding), args.n)


def portal_pages(args) -> dict:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from portal import create_app
    from portal.extensions import db
    from portal.settings import Settings

    if args.dataset:
        samples = json.loads(Path(args.dataset).read_text(encoding="utf-8"))
        settings = Settings.for_tests(
            Path(samples["instance_path"]), samples["url"], secret_key=samples["secret_key"], testing=False
        )
        app = create_app(settings)
        citizen = app.test_client()
        feedback = next(s for s in samples["feedback"] if s["status"] in ("closed", "answered"))
        dossier = next(s for s in samples["dossiers"] if s["status"] == 10)
        feedback_path = citizen.get(feedback["url"], headers={"User-Agent": USER_AGENT}).headers["Location"]
        dossier_path = citizen.get(dossier["url"], headers={"User-Agent": USER_AGENT}).headers["Location"]
    else:
        from portal.demo import DEMO_PASSWORD, seed_demo
        from portal.dossiers.models import Dossier
        from portal.feedback.models import Feedback

        folder = Path(args.db)
        fresh = not folder.exists()
        folder.mkdir(parents=True, exist_ok=True)
        app = create_app(Settings.for_tests(folder, args.database_url, testing=False))
        with app.app_context():
            if fresh:
                upgrade()
                seed_demo()
                db.session.commit()
            item = db.session.scalars(select(Feedback).order_by(Feedback.id.desc()).limit(1)).one()
            case = db.session.scalars(select(Dossier).order_by(Dossier.id.desc()).limit(1)).one()
            feedback_path, dossier_path = f"/feedback/{item.code}/status", f"/dossiers/{case.code}"
            access = {"feedback_access": [item.id], "dossier_access": [case.id]}
            db.session.remove()
        citizen = app.test_client()
        with citizen.session_transaction() as session:
            session.update(access)
    for path in (feedback_path, dossier_path):  # the page's first visit: its session as it then stays
        citizen.get(path, headers={"User-Agent": USER_AGENT})
    pages = {
        "healthz": (app, "/healthz", None),
        "feedback_status": (app, feedback_path, cookies(citizen)),
        "dossier_status": (app, dossier_path, cookies(citizen)),
        "feed_1": (app, "/feedback", None),
    }
    if not args.dataset:
        officer = app.test_client()
        app.config["WTF_CSRF_ENABLED"] = False
        signed = officer.post(
            "/login",
            data={"email": "xuly@demo.sonla.vn", "password": DEMO_PASSWORD},
            headers={"User-Agent": USER_AGENT},
        )
        app.config["WTF_CSRF_ENABLED"] = True
        assert signed.status_code == 302, signed.status_code
        pages["staff_queue"] = (app, "/staff/queue", cookies(officer))
    return pages


def cookies(client) -> str:
    return "; ".join(f"{cookie.key}={cookie.value}" for cookie in client._cookies.values())


def environ(path: str, cookie: str | None, accept_encoding: str = "") -> dict:
    from werkzeug.test import EnvironBuilder

    headers = {"User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = cookie
    if accept_encoding:
        headers["Accept-Encoding"] = accept_encoding
    return EnvironBuilder(path=path, headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_environ()


def request(app, base: dict) -> list:
    answers: list = []
    body = app(dict(base), lambda status, headers, exc_info=None: answers.append((status, headers)))
    for _chunk in body:
        pass
    if hasattr(body, "close"):
        body.close()
    assert answers[0][0].startswith("200"), answers[0]
    return answers


def profile(name: str, app, base: dict, args) -> None:
    for _ in range(30):
        answers = request(app, base)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.n):
        request(app, base)
    profiler.disable()
    calls = pstats.Stats(profiler).total_calls / args.n  # type: ignore[attr-defined]
    cpu = []
    for _ in range(args.n):
        started = time.process_time()
        request(app, base)
        cpu.append((time.process_time() - started) * 1000)
    cookies_set = sum(1 for header, _ in answers[0][1] if header == "Set-Cookie")
    encoding = dict(answers[0][1]).get("Content-Encoding", "-")
    print(
        f"{name:16} calls {calls:8.1f}  CPU ms median {statistics.median(cpu):.3f}  Set-Cookie {cookies_set}"
        f"  Content-Encoding {encoding}"
    )
    if args.sort:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.lines)
        print(out.getvalue())


def paired(name: str, app, without: dict, with_header: dict, n: int) -> None:
    """Median CPU ms of the page without and with the header, timed alternately (so a busy machine slows
    both alike), and their difference."""
    cpu: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(n):
        for header, base in ((False, without), (True, with_header)):
            started = time.process_time()
            request(app, base)
            cpu[header].append((time.process_time() - started) * 1000)
    plain, encoded = statistics.median(cpu[False]), statistics.median(cpu[True])
    print(
        f"{name:16} paired CPU ms median without {plain:.3f}  with {encoded:.3f}  difference {encoded - plain:.3f}"
    )


if __name__ == "__main__":
    main()
