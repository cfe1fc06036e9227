"""In-process cost of one payment QR request on a benchmark data set (issue 17): CPU ms, Python calls and SQL
statements per request, next to /healthz (the portal's fixed cost) and a bare Flask hello.

    PYTHONPATH=$PWD .venv/bin/python bench/qr_cost.py --name bench_pg_1m [--requests 2000]

Reads only: it opens the data set built by bench/dataset.py (its samples file under bench/.data/, or
`--samples PATH`) with the data set's settings, finds a payment still to pay and asks for its PNG again and
again through Flask's test client (no server, no network), without and with If-None-Match. The code
measured is the `portal` package on PYTHONPATH, so the same script compares two checkouts:

    for round in 1 2 3; do
        PYTHONPATH=/tmp/main_copy .venv/bin/python bench/qr_cost.py --name bench_pg_1m
        PYTHONPATH=$PWD .venv/bin/python bench/qr_cost.py --name bench_pg_1m
    done

CPU ms is `time.process_time()` around batches of requests (median of the batches), so a busy shared machine
stretches it less than wall time; Python calls come from one cProfile pass (calls / request, function
calls including built-ins as cProfile counts them), statements from a `before_cursor_execute` listener.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"


def payable_reference(url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                text("SELECT reference FROM payments WHERE status = 'pending' ORDER BY id LIMIT 1")
            ).scalar_one()
    finally:
        engine.dispose()


def cost(client, path: str, headers: dict, status: int, requests: int, batch: int = 50):
    def one():
        response = client.get(path, headers=headers)
        response.get_data()
        response.close()
        assert response.status_code == status, (path, response.status_code)

    for _ in range(100):
        one()
    batches = []
    for _ in range(max(requests // batch, 1)):
        start = time.process_time()
        for _ in range(batch):
            one()
        batches.append((time.process_time() - start) * 1000 / batch)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(200):
        one()
    profile.disable()
    calls = pstats.Stats(profile).total_calls / 200  # type: ignore[attr-defined]
    return statistics.median(batches), min(batches), calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="bench_pg_1m")
    parser.add_argument("--samples", default="")
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    samples_file = Path(args.samples) if args.samples else DATA / f"{args.name}.json"
    if not samples_file.exists():
        samples_file = Path("/work/main/bench/.data") / f"{args.name}.json"
    samples = json.loads(samples_file.read_text())

    from sqlalchemy import event

    from bench.bare import app as bare_app
    from portal import create_app
    from portal.extensions import db
    from portal.settings import Settings

    env = {
        "DATABASE_URL": samples["url"],
        "SECRET_KEY": samples["secret_key"],
        "PORTAL_INSTANCE_PATH": samples["instance_path"],
    }
    app = create_app(Settings.from_env(env))
    statements = [0]
    with app.app_context():
        event.listen(
            db.engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1)
        )
    reference = payable_reference(samples["url"])
    client = app.test_client()
    png = f"/payments/{reference}/qr.png"
    first = client.get(png)
    etag = first.headers["ETag"]
    first.close()
    code = Path(sys.modules["portal"].__file__).resolve().parent.parent
    print(f"code {code}, {args.name}, load average {os.getloadavg()[0]:.2f}")
    print(f"{'request':34} {'CPU ms':>7} {'min ms':>7} {'calls':>7} {'SQL':>5}")
    rows = [
        ("bare Flask hello", bare_app.test_client(), "/", {}, 200),
        ("/healthz", client, "/healthz", {}, 200),
        ("qr.png, same reference", client, png, {}, 200),
        ("qr.png, If-None-Match (304)", client, png, {"If-None-Match": etag}, 304),
    ]
    for name, who, path, headers, status in rows:
        before = statements[0]
        median, best, calls = cost(who, path, headers, status, args.requests)
        per_request = (statements[0] - before) / (100 + args.requests // 50 * 50 + 200)
        print(f"{name:34} {median:7.3f} {best:7.3f} {calls:7.0f} {per_request:5.2f}")


if __name__ == "__main__":
    main()
