"""Does the portal work under gunicorn's gevent workers? A walk through the demo, several visitors at once.

Usage (see bench/README.md):
    .venv/bin/python bench/gevent_walk.py [--visitors 8] [--server-url postgresql://postgres@127.0.0.1:5432/postgres]

Serves the demo data with gunicorn.conf.py (as `make run` does) from a throwaway SQLite instance, or from a
throwaway database created (and dropped) on the PostgreSQL server given, then has each visitor, at the same
time, from its own loopback address: open the public pages, send a feedback report through the real form
(CSRF token taken from the page), open its receipt, sign in as staff (CSRF again) and open the staff
pages. It counts answers by status and looks in the server's log for tracebacks, errors, gevent's
monkey-patching warnings and SQLite "database is locked". Not a timing; exits 1 on any problem.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import http.cookiejar
import re
import secrets
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import serving_harness as harness
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PUBLIC = (
    "/",
    "/procedures",
    "/procedures?q=giay+phep",
    "/feedback",
    "/track",
    "/statistics",
    "/login",
    "/static/css/portal.css",
    "/healthz",
)
STAFF = (
    "/staff/",
    "/staff/queue",
    "/staff/feedback",
    "/staff/dossiers",
    "/staff/payments",
    "/staff/dashboard",
    "/staff/audit",
)
STAFF_ACCOUNTS = (
    "lanhdao@demo.sonla.vn",
    "xuly@demo.sonla.vn",
    "tiepnhan@demo.sonla.vn",
    "quantri.xa@demo.sonla.vn",
    "admin@demo.sonla.vn",
)
LOG_PROBLEMS = ("Traceback", "[ERROR]", "[CRITICAL]", "MonkeyPatchWarning", "database is locked", '" 500 ')


class Visitor:
    """A browser of sorts: cookies, redirects, one loopback source address."""

    def __init__(self, port: int, address: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        handler = type(
            "SourceHandler",
            (urllib.request.HTTPHandler,),
            {
                "http_open": lambda self, req: self.do_open(
                    functools.partial(http.client.HTTPConnection, source_address=(address, 0)), req
                )
            },
        )
        self.opener = urllib.request.build_opener(
            handler(), urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.statuses: Counter = Counter()

    def open(self, path: str, form: dict | None = None) -> str:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=30) as response:
                self.statuses[response.status] += 1
                return response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            self.statuses[error.code] += 1
            body = error.read().decode("utf-8", "replace")
            error.close()
            return body

    def walk(self, number: int) -> None:
        for path in PUBLIC:
            self.open(path)
        catalogue = self.open("/procedures")
        for code in re.findall(r'href="/procedures/([0-9.]+)"', catalogue)[:3]:
            self.open(f"/procedures/{code}")
        page = self.open("/feedback/new")
        category = re.search(r'<option value="(\d+)"', page.split('name="category"')[1])[1]
        commune = re.search(r'<option value="(\d{5})"', page.split('name="commune"')[1])[1]
        receipt = self.open(
            "/feedback/new",
            {
                "csrf_token": csrf(page),
                "category": category,
                "title": f"Đèn đường hỏng số {number}",
                "description": "Đèn đường trước nhà văn hoá bản đã hỏng ba ngày nay.",
                "commune": commune,
                "phone": f"09123{number:05d}",
                "consent": "y",
            },
        )
        if not re.search(r"PA-\d{6}-\d{4}", receipt):
            self.statuses["feedback receipt missing"] += 1
        login = self.open("/login")  # the staff accounts in turn: five sign-ins a minute per account at most
        self.open(
            "/login",
            {
                "csrf_token": csrf(login),
                "email": STAFF_ACCOUNTS[number % len(STAFF_ACCOUNTS)],
                "password": "SonLa-demo-2026",
            },
        )
        for path in STAFF:
            self.open(path)


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]


def walk_all(port: int, visitors: int) -> Counter:
    people = [Visitor(port, f"127.0.2.{n + 1}") for n in range(visitors)]
    failures: list[BaseException] = []

    def run(person: Visitor, number: int) -> None:
        try:
            person.walk(number)
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(person, n)) for n, person in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    total = sum((person.statuses for person in people), Counter())
    for failure in failures:
        total[f"walk failed: {failure!r}"] += 1
    return total


def postgres_database(server_url: str):
    server = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"portal_gevent_walk_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    return admin, name, server.set(database=name).render_as_string(hide_password=False)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visitors", type=int, default=8, choices=range(1, 101), metavar="1-100")
    parser.add_argument("--server-url", help="a PostgreSQL server URL; a throwaway database is made on it")
    args = parser.parse_args()
    admin = name = None
    database_url = None
    if args.server_url:
        admin, name, database_url = postgres_database(args.server_url)
    try:
        with tempfile.TemporaryDirectory(prefix="gevent-walk-") as folder:
            env = harness.portal_env(Path(folder) / "instance", database_url)
            harness.build_demo(env)
            port, log = harness.free_port(), Path(folder) / "gunicorn.log"
            with harness.gunicorn(env, port, log):
                statuses = walk_all(port, args.visitors)
            output = log.read_text(errors="replace")
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    problems = {word: output.count(word) for word in LOG_PROBLEMS if word in output}
    print(f"database: {'PostgreSQL' if database_url else 'SQLite'}, {args.visitors} visitors at once")
    print("answers:", dict(sorted(statuses.items(), key=str)))
    print("log problems:", problems or "none")
    for line in output.splitlines():
        if any(word in line for word in LOG_PROBLEMS):
            print("  ", line[:300])
    # 403/404 are expected for some staff pages by role; a 5xx or a failed step is not.
    bad = {key: count for key, count in statuses.items() if not (isinstance(key, int) and key < 500)}
    return 1 if bad or problems else 0


if __name__ == "__main__":
    sys.exit(main())
