"""What the feedback submission's POSTs wait for on PostgreSQL: bench/run.py's submission (its wrk Lua script, GET
the form then POST it, 16 connections) against the real gunicorn worker, while another connection samples
`pg_stat_activity` every 5 ms. Prints req/s, the worker's CPU, and the average number of the data set's
backends in each (state, wait event type, wait event).

    PYTHONPATH=$PWD .venv/bin/python bench/submission_locks.py --dataset bench/.data/bench_pg_1m.json \
        [--checkout OTHER_CHECKOUT] [--seconds 8]

("active", "Lock", "transactionid") backends wait for the day's code counter's row, which a submission
locks from its upsert to its commit (gap-free codes: portal/sequences.py); ("idle in transaction",
"Client", "ClientRead") are transactions waiting for the worker to send their next statement. Many of the
first and the worker's CPU well under a core mean the submission is bound by the counter's lock, not by
CPU (bench/notes/submit6.md). --checkout runs another checkout's portal (before/after).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import threading
import time
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import worker_cpu  # noqa: E402  (bench/worker_cpu.py)

Key = tuple[str, str, str]


def sample(url: str, database: str, stop: threading.Event, counts: collections.Counter[Key]) -> int:
    """Count the data set's client backends by (state, wait event type, wait event) until `stop`."""
    taken = 0
    with psycopg.connect(url, autocommit=True) as connection:
        while not stop.is_set():
            rows = connection.execute(
                "SELECT state, coalesce(wait_event_type, '-'), coalesce(wait_event, '-') FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                (database,),
            ).fetchall()
            counts.update(tuple(row) for row in rows)
            taken += 1
            time.sleep(0.005)
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="a PostgreSQL data set's .json (bench/dataset.py)")
    parser.add_argument("--checkout", default=str(HERE.parent), help="the portal checkout to run")
    parser.add_argument("--seconds", type=int, default=8)
    args = parser.parse_args()
    samples = json.loads(Path(args.dataset).read_text(encoding="utf-8"))
    if not samples["url"].startswith("postgresql"):
        sys.exit("PostgreSQL data sets only: SQLite has no pg_stat_activity")
    url = samples["url"].replace("postgresql+psycopg://", "postgresql://", 1)
    database = url.rsplit("/", 1)[1].split("?")[0]
    server = worker_cpu.Server(Path(args.checkout), "wsgi:app", samples)
    try:
        page = worker_cpu.pages_of(server.base, samples, ["submission"], "")["submission"]
        worker_cpu.run_wrk(server.base, page, 2, 16)  # warm-up
        counts: collections.Counter[Key] = collections.Counter()
        stop = threading.Event()
        taken: list[int] = []
        sampler = threading.Thread(target=lambda: taken.append(sample(url, database, stop, counts)))
        sampler.start()
        before = worker_cpu.cpu_seconds(server.worker)
        done = worker_cpu.run_wrk(server.base, page, args.seconds, 16)
        cpu = worker_cpu.cpu_seconds(server.worker) - before
        stop.set()
        sampler.join()
    finally:
        server.stop()
    print(f"{args.checkout}: {done / args.seconds:.1f} wrk requests/s (half a submission each), worker CPU")
    print(f"{100 * cpu / args.seconds:.0f} % of a core, {1000 * cpu / done:.3f} ms a request")
    print("avg backends  (state, wait event type, wait event)")
    for key, count in counts.most_common(8):
        print(f"{count / taken[0]:12.2f}  {key}")


if __name__ == "__main__":
    main()
