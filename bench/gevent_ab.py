"""Two checkouts' CPU per request of the status pages, in lockstep, in processes patched by gevent as the worker
is (psycopg's waits on the hub, gevent's locks), through app() itself: no HTTP server, no wrk.

    PYTHONPATH=$PWD .venv/bin/python bench/gevent_ab.py OLD_CHECKOUT NEW_CHECKOUT \
        [--dataset bench/.data/bench_pg_1m.json] [--pages feedback_status,dossier_status] [--rounds 12] [--n 200]

Each checkout's app runs in a process of its own (the data set's settings, as bench/run.py's servers; the pages
opened through their private links as bench/run.py opens them). The driver asks each process in turn for `--n`
requests of one page and reads back its CPU per request (process_time), alternating which goes first: both
meet the machine's load of the same moments. Printed: each side's minimum and median, and the median of the
paired ratios (new / old). With --calls, the Python calls per request (cProfile, exact) of each page.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) portal-bench/1"  # bench/run.py's
HERE = Path(__file__).resolve().parent


def serve(checkout: Path, dataset: Path, pages: list[str], n: int, calls: bool) -> None:
    """The child: load `checkout`'s app under gevent, then time `n` requests of the page named on each stdin line."""
    from gevent import monkey

    monkey.patch_all()
    import gc

    sys.path.insert(0, str(checkout))
    os.chdir(checkout)
    samples = json.loads(dataset.read_text(encoding="utf-8"))
    os.environ.update(
        DATABASE_URL=samples["url"],
        SECRET_KEY=samples["secret_key"],
        PORTAL_INSTANCE_PATH=samples["instance_path"],
        PORTAL_BASE_URL="http://127.0.0.1:8999",
        PORTAL_TRUSTED_PROXIES="1",
    )
    for name in ("REDIS_URL", "WEB_CONCURRENCY", "PORTAL_ENV"):
        os.environ.pop(name, None)
    from werkzeug.test import EnvironBuilder

    import wsgi  # the checkout's own entry point (create_app from the environment)

    app = wsgi.app
    links = {
        "feedback_status": next(s for s in samples["feedback"] if s["status"] in ("closed", "answered"))[
            "url"
        ],
        "dossier_status": next(s for s in samples["dossiers"] if s["status"] == 10)["url"],
    }
    environs = {}
    for name in pages:
        client = app.test_client()
        opened = client.get(links[name], headers={"User-Agent": USER_AGENT})
        path = opened.headers["Location"].split("://", 1)[-1].split("/", 1)[-1]
        cookie = "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())
        headers = {"User-Agent": USER_AGENT, "Host": "127.0.0.1:8999", "Cookie": cookie}
        environs[name] = EnvironBuilder(
            path="/" + path, headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"}
        ).get_environ()

    def request(base: dict) -> None:
        answers: list[str] = []
        body = app(dict(base), lambda status, headers, exc_info=None: answers.append(status))
        for _chunk in body:
            pass
        if hasattr(body, "close"):
            body.close()
        assert answers[0].startswith("200"), answers

    for base in environs.values():
        for _ in range(50):
            request(base)
    gc.collect()
    gc.freeze()  # as gunicorn.conf.py's post_worker_init
    if calls:
        import cProfile
        import pstats

        for name, base in environs.items():
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(200):
                request(base)
            profiler.disable()
            print(f"calls {name} {pstats.Stats(profiler).total_calls / 200:.1f}", flush=True)  # type: ignore[attr-defined]
    print("ready", flush=True)
    for line in sys.stdin:
        base = environs[line.strip()]
        started = time.process_time()
        for _ in range(n):
            request(base)
        print((time.process_time() - started) / n * 1e6, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--dataset", default=str(HERE / ".data" / "bench_pg_1m.json"))
    parser.add_argument("--pages", default="feedback_status,dossier_status")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--calls", action="store_true")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    pages = args.pages.split(",")
    dataset = Path(args.dataset).resolve()
    if args.serve:
        serve(Path(args.serve), dataset, pages, args.n, args.calls)
        return
    children = []
    for checkout in (args.old, args.new):
        command = [sys.executable, __file__, args.old, args.new, "--serve", str(Path(checkout).resolve())]
        command += ["--dataset", str(dataset), "--pages", args.pages, "--n", str(args.n)]
        command += ["--calls"] if args.calls else []
        child = subprocess.Popen(  # noqa: S603 - our own command
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=checkout
        )
        children.append(child)
    for side, child in zip(("old", "new"), children, strict=True):
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith("calls "):
                print(f"{side}: {line.strip()}")
            if line.strip() == "ready":
                break
    results: dict[tuple[int, str], list[float]] = {(i, page): [] for i in range(2) for page in pages}
    for round_ in range(args.rounds):
        for page in pages:
            for i in (0, 1) if round_ % 2 == 0 else (1, 0):
                child = children[i]
                assert child.stdin is not None and child.stdout is not None
                child.stdin.write(page + "\n")
                child.stdin.flush()
                results[(i, page)].append(float(child.stdout.readline()))
    for child in children:
        assert child.stdin is not None
        child.stdin.close()
        child.wait()
    for page in pages:
        old, new = results[(0, page)], results[(1, page)]
        paired = statistics.median(b / a for a, b in zip(old, new, strict=True))
        print(
            f"{page:16} old min {min(old):6.1f} median {statistics.median(old):6.1f} µs | "
            f"new min {min(new):6.1f} median {statistics.median(new):6.1f} µs | new/old paired median {paired:.3f}"
        )


if __name__ == "__main__":
    main()
