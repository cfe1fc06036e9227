"""In-process cost of the payment QR images (issue 17, item 4): median and p95 CPU time of this process and
SQL statements per request, through the WSGI app without a network (no gunicorn, no wrk), next to a bare
Flask "hello" (bench/bare.py) measured the same way.

Usage:
    .venv/bin/python bench/qr_images.py [--requests 500] [--database-url URL]

Builds the demo in a temporary SQLite file, or in the given **empty, throwaway** PostgreSQL database (it
migrates and seeds it). The same pending reference is asked for again and again, as a banking app or a
browser reloading the payment page would: the PNG, the PNG with the ETag of the previous answer
(If-None-Match), the SVG (gzip accepted), and the PNG for a signed-in citizen (a session cookie).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from bench.bare import app as bare_app  # noqa: E402
from bench.inprocess import StatementCounter, measure  # noqa: E402
from portal import create_app  # noqa: E402
from portal.demo import DEMO_PASSWORD, seed_demo  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.payments.models import Payment  # noqa: E402
from portal.settings import Settings  # noqa: E402


def get(client, url: str, status: int, **kwargs) -> Callable[[], object]:
    def request():
        response = client.get(url, **kwargs)
        response.get_data()
        response.close()
        assert response.status_code == status, (url, response.status_code)
        return response

    return request


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings.for_tests(Path(folder), args.database_url, testing=False))
        app.config["WTF_CSRF_ENABLED"] = False  # the citizen signs in without scraping a token
        with app.app_context():
            upgrade()
            seed_demo()
            db.session.commit()
            reference = db.session.scalars(
                select(Payment.reference).where(Payment.status == "pending").order_by(Payment.id)
            ).first()
            counter = StatementCounter()
            event.listen(db.engine, "before_cursor_execute", counter)
        png = f"/payments/{reference}/qr.png"
        anonymous = app.test_client()
        first = anonymous.get(png)
        etag = first.headers.get("ETag")
        first.close()
        citizen = app.test_client()
        login = citizen.post("/login", data={"email": "congdan@demo.sonla.vn", "password": DEMO_PASSWORD})
        login.close()
        assert login.status_code == 302, login.status_code  # signed in: the client holds a session cookie
        none = StatementCounter()
        print(f"reference {reference}; ETag served: {etag or 'none'}; {args.requests} requests each")
        print(
            f"{'request':44} {'median ms':>9} {'p95 ms':>8} {'statements':>10} {'driver':>8} {'wall ms':>9}"
        )
        bare = measure(
            "bare Flask hello", get(bare_app.test_client(), "/", 200), args.requests, none, warmups=20
        )
        rows = [
            ("/healthz (the portal's fixed cost, no SQL)", get(anonymous, "/healthz", 200)),
            ("qr.png, same reference again", get(anonymous, png, 200)),
            (
                "qr.png with If-None-Match",
                get(anonymous, png, 304 if etag else 200, headers={"If-None-Match": etag or '"none"'}),
            ),
            (
                "qr.svg, same reference, gzip accepted",
                get(anonymous, png[:-3] + "svg", 200, headers={"Accept-Encoding": "gzip"}),
            ),
            ("qr.png, visitor with a session cookie", get(citizen, png, 200)),
        ]
        for name, request in rows:
            median = measure(name, request, args.requests, counter, warmups=20)
            print(f"{'':44} {'ratio to bare (CPU)':>19} {bare / median:.2f}")


if __name__ == "__main__":
    main()
