"""How long the gevent worker's event loop stands still while the staff queue's counts are refreshed ahead:
16 greenlets (the standard library patched as gunicorn's gevent worker does) each asking for `/staff/queue`
as the data set's officer every `--think` seconds (a request's time runs from when it was due, so a loop
held by another greenlet shows in it), a ticker greenlet that wakes every 5 ms and notes how late it woke, and
every `--every` seconds the agency's counts entry aged past `REFRESH_SECONDS` (its refresh lock dropped), so
the next request refreshes it. Prints the refresh counts' wall time, the requests' latency and the ticker's
late wake-ups (a wake-up 20 ms late is 20 ms during which no connection of the worker was served).

Usage (after /tmp/DATASET_READY_SQLITE or _PG):
    .venv/bin/python bench/queue_refresh_stall.py --dataset bench/.data/bench_sqlite_1m.json [--seconds 20]
        [--every 1.0] [--connections 16]

Before/after: run the same file from an old checkout (`git archive main | tar -x -C /tmp/old`), whose
`portal` it imports. Results in bench/notes/queue7.md, never in the test suite.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from portal.extensions import cache, db  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="the .json of a bench/dataset.py data set")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--every", type=float, default=1.0, help="seconds between forced refreshes")
    parser.add_argument(
        "--think", type=float, default=0.03, help="seconds each connection waits between requests"
    )
    parser.add_argument("--url", default="/staff/queue")
    args = parser.parse_args()

    from queue_profile import officer_clients

    from portal.agencies.models import Agency
    from portal.staff import queue_cache

    dataset = json.loads(Path(args.dataset).read_text())
    with officer_clients(dataset, args.connections) as (app, clients):
        counts: list[tuple[float, float]] = []  # (start, end) of each count, time.monotonic()
        real = queue_cache._count

        def timed(*a, **k):
            began = time.monotonic()
            try:
                return real(*a, **k)
            finally:
                counts.append((began, time.monotonic()))

        queue_cache._count = timed
        refreshers: set = set()  # the greenlets whose current request won the refresh (and waits for it)
        real_claim = queue_cache._claim_recount

        def claim(agency_id):
            won = real_claim(agency_id)
            if won:
                refreshers.add(gevent.getcurrent())
            return won

        queue_cache._claim_recount = claim
        assert clients[0].get(args.url).status_code == 200  # warm: templates, the account, the counts
        with app.app_context():
            agency_id = db.session.query(Agency.id).filter_by(slug=dataset["officer"]["agency"]).scalar()
        key = queue_cache.counts_key(agency_id)
        counts.clear()
        times: list[float] = []
        others: list[float] = []  # the requests that did not refresh the counts themselves
        lateness: list[tuple[float, float]] = []  # (woke at, ms late)
        end = time.monotonic() + args.seconds

        def connection(client) -> None:
            while time.monotonic() < end:
                due = time.monotonic() + args.think
                gevent.sleep(args.think)  # a client's pause: the worker is idle when all of them pause
                response = client.get(args.url)
                # From when the request was due: a loop held by another greenlet delays its start too.
                times.append((time.monotonic() - due) * 1000)
                if gevent.getcurrent() in refreshers:
                    refreshers.discard(gevent.getcurrent())
                else:
                    others.append(times[-1])
                assert response.status_code == 200, response.status_code

        def ticker() -> None:
            while time.monotonic() < end:
                began = time.monotonic()
                gevent.sleep(0.005)
                woke = time.monotonic()
                lateness.append((woke, (woke - began) * 1000 - 5))

        def ager() -> None:
            while time.monotonic() < end:
                gevent.sleep(args.every)
                with app.app_context():
                    entry = cache.get(key)
                    if entry is not None:
                        entry["at"] = time.time() - queue_cache.REFRESH_SECONDS - 1
                        cache.set(key, entry, timeout=queue_cache.COUNTS_SECONDS)
                    cache.delete(queue_cache.recount_key(agency_id))

        gevent.joinall(
            [gevent.spawn(connection, client) for client in clients]
            + [gevent.spawn(ticker), gevent.spawn(ager)]
        )
        spans = [(end_ - start) * 1000 for start, end_ in counts]
        print(
            f"{len(times)} requests in {args.seconds:g} s; {len(counts)} counts, wall ms median "
            f"{statistics.median(spans) if spans else 0:.1f}, max {max(spans, default=0):.1f}"
        )
        print(
            f"request wall ms p50 {percentile(times, 0.5):.1f}, p99 {percentile(times, 0.99):.1f}, "
            f"max {max(times):.1f}"
        )
        print(
            f"the other requests ({len(others)}): p50 {percentile(others, 0.5):.1f}, p99 "
            f"{percentile(others, 0.99):.1f}, max {max(others):.1f}"
        )
        late = [ms for _woke, ms in lateness]
        print(f"event loop: ticker woke late by p99 {percentile(late, 0.99):.1f} ms, max {max(late):.1f} ms")
        # The ticker's wake-ups while a count ran: none when the count holds the loop (SQLite in the hub).
        for start, end_ in counts:
            inside = [ms for woke, ms in lateness if start < woke <= end_]
            print(
                f"  count of {(end_ - start) * 1000:.1f} ms: ticker woke {len(inside)} times during it"
                f" (most late {max(inside, default=0):.1f} ms)"
            )


if __name__ == "__main__":
    main()
