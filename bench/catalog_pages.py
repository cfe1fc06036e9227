"""Median and p95 server time of the public catalogue pages. Usage: see bench/README.md."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from portal import create_app  # noqa: E402
from portal.demo import seed_reference_data  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.settings import Settings  # noqa: E402

PAGES = {
    "home": "/",
    "catalogue": "/procedures",
    "search 'giay phep xay dung'": "/procedures?q=giay+phep+xay+dung",
    "filter level=commune": "/procedures?level=commune",
    "procedure 1.001193": "/procedures/1.001193",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings.for_tests(Path(folder), args.database_url, testing=False))
        with app.app_context():
            upgrade()
            seed_reference_data()
            db.session.commit()
        client = app.test_client()
        print(f"{'page':32} {'median ms':>10} {'p95 ms':>8}")
        for name, path in PAGES.items():
            for _ in range(10):  # warm caches (holidays, templates)
                client.get(path)
            samples = []
            for _ in range(args.requests):
                start = time.perf_counter()
                response = client.get(path)
                samples.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            samples.sort()
            p95 = samples[int(len(samples) * 0.95) - 1]
            print(f"{name:32} {statistics.median(samples):10.2f} {p95:8.2f}")


if __name__ == "__main__":
    main()
