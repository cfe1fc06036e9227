"""How many times the staff queue's kept rows are built when many connections ask for the same page at once:
16 greenlets (gevent, the standard library patched as gunicorn's gevent worker does) each asking for
`/staff/queue` as the same officer over and over through the Flask test client, for some seconds. Prints
the builds (runs of `staff.routes._page`) in groups (builds less than 0.5 s apart), one group per expiry
of the kept rows, and the requests' wall-time percentiles in this one process (indicative only: the
greenlets share one core with the builds).

Usage (after /tmp/DATASET_READY_PG):
    .venv/bin/python bench/queue_stampede.py --dataset bench/.data/bench_pg_1m.json [--connections 16]
        [--seconds 6] [--url /staff/queue]

Before/after: run the same file from an old checkout (`git archive main | tar -x -C /tmp/old`), whose
`portal` it imports. Results in bench/notes/queue6.md, never in the test suite.
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


def groups(starts: list[float], gap: float = 0.5) -> list[int]:
    sizes: list[int] = []
    last = None
    for at in sorted(starts):
        if last is None or at - last > gap:
            sizes.append(0)
        sizes[-1] += 1
        last = at
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="the .json of a bench/dataset.py data set")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--url", default="/staff/queue")
    args = parser.parse_args()

    from queue_profile import officer_clients

    from portal.staff import routes

    dataset = json.loads(Path(args.dataset).read_text())
    with officer_clients(dataset, args.connections) as (app, clients):
        starts: list[float] = []
        real = routes._page

        def counting(*a, **k):
            starts.append(time.monotonic())
            return real(*a, **k)

        routes._page = counting
        assert clients[0].get(args.url).status_code == 200  # warm: templates, the account, the counts
        starts.clear()
        times: list[float] = []
        end = time.monotonic() + args.seconds

        def connection(client) -> None:
            while time.monotonic() < end:
                began = time.perf_counter()
                response = client.get(args.url)
                times.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200, response.status_code
                gevent.sleep(0)  # as gunicorn.conf.py's post_request: let the other connections run

        gevent.joinall([gevent.spawn(connection, client) for client in clients])
        times.sort()
        sizes = groups(starts)
        print(
            f"{len(times)} requests in {args.seconds:g} s, {len(starts)} builds in {len(sizes)} groups "
            f"(sizes {sizes}, largest {max(sizes, default=0)}); wall ms p50 {statistics.median(times):.1f}, "
            f"p99 {times[int(len(times) * 0.99) - 1]:.1f}, max {times[-1]:.1f}"
        )


if __name__ == "__main__":
    main()
