"""The fixed cost every page pays, in-process: median CPU time (process_time) per request of /healthz, a 404,
/track, / and /procedures on the demo, through Flask's test client (no server, no network).

    .venv/bin/python bench/overhead_pages.py [--requests 1000] [--profile]
    .venv/bin/python bench/overhead_pages.py --compare /path/to/older/checkout [--rounds 3]

The second form runs the older checkout and this one in turn, `--rounds` times each in fresh processes
(interleaved, so a busy machine weighs on both alike), and prints the median of each page's medians.
An older checkout needs its catalogues compiled (pybabel compile -d translations).

Besides the CPU time, each page's Python function calls per request (cProfile over 100 requests) are
printed: a count, not a time, so it compares runs on a busy machine. Each run builds the demo in a
temporary SQLite file. Two visitors: `anonymous` keeps no cookie at all (a new session, and so a new CSRF
token and a signed cookie, on every /track), `with session` keeps the cookie its first /track gave it.
--profile prints a pyinstrument profile of each page.
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
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_pages(requests: int, profile: bool) -> dict[str, float]:
    from flask_migrate import upgrade

    from portal import create_app
    from portal.demo import seed_demo
    from portal.extensions import db
    from portal.settings import Settings

    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings.for_tests(Path(folder), None, testing=False))
        with app.app_context():
            upgrade()
            seed_demo()
            db.session.commit()
        anonymous = app.test_client(use_cookies=False)
        citizen = app.test_client()
        citizen.get("/track")  # the session now holds a CSRF token, as a visitor's after any form

        def get(client, path: str, status: int = 200):
            def request():
                response = client.get(path)
                assert response.status_code == status, (path, response.status_code)
                response.close()

            return request

        pages = {
            "healthz": get(anonymous, "/healthz"),
            "404": get(anonymous, "/no/such/page", 404),
            "track (anonymous)": get(anonymous, "/track"),
            "track (with session)": get(citizen, "/track"),
            "home": get(anonymous, "/"),
            "procedures": get(anonymous, "/procedures"),
        }
        for name, request in pages.items():
            for _ in range(20):
                request()
            samples = []
            for _ in range(requests):
                start = time.process_time()
                request()
                samples.append((time.process_time() - start) * 1000)
            results[name] = statistics.median(samples)
            # Python function calls per request: deterministic, so comparable on a busy machine.
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(100):
                request()
            profiler.disable()
            results[f"{name} (calls)"] = pstats.Stats(profiler).total_calls / 100  # type: ignore[attr-defined]
        if profile:
            from pyinstrument import Profiler

            for name, request in pages.items():
                profiler = Profiler(interval=0.0001)
                with profiler:
                    for _ in range(500):
                        request()
                print(f"\n===== {name}")
                print(profiler.output_text(unicode=True, color=False, show_all=False))
        with app.app_context():
            db.engine.dispose()
    return results


def one_run(tree: Path, requests: int) -> dict[str, float]:
    """This script's measurement of the checkout `tree`, in a fresh process."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    output = subprocess.run(
        [sys.executable, str(HERE / "overhead_pages.py"), "--requests", str(requests), "--json"],
        env=env,
        cwd=tree,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def compare(older: Path, rounds: int, requests: int) -> None:
    newer = HERE.parent
    runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    for round_ in range(rounds):
        runs["before"].append(one_run(older, requests))
        runs["after"].append(one_run(newer, requests))
        print(f"round {round_ + 1}: before {runs['before'][-1]}\n         after  {runs['after'][-1]}")
    print(f"\n{'page (CPU ms per request, median of medians)':46} {'before':>8} {'after':>8}")
    for page in runs["before"][0]:
        before = statistics.median(run[page] for run in runs["before"])
        after = statistics.median(run[page] for run in runs["after"])
        print(f"{page:46} {before:8.3f} {after:8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON line (used by --compare)")
    parser.add_argument("--compare", type=Path, help="an older checkout to measure in turn with this one")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.compare:
        compare(args.compare.resolve(), args.rounds, args.requests)
        return
    sys.path.insert(0, os.environ.get("PYTHONPATH") or str(HERE.parent))
    results = run_pages(args.requests, args.profile)
    if args.json:
        print(json.dumps(results))
        return
    print(f"{'page (CPU ms per request; calls)':38} {'median':>8}")
    for name, value in results.items():
        print(f"{name:38} {value:8.3f}")


if __name__ == "__main__":
    main()
