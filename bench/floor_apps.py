"""The least a Flask app must do to serve the feedback submission (GET the form, POST it): bench/submission_floor.py.

    FLOOR_APP=static|session_csrf|write_core|write_raw gunicorn -c gunicorn.conf.py bench.floor_apps:app

Each kind adds one layer of what the portal's submission has to do, in increasing realism:

- `static`: GET answers a fixed form page as large as the portal's blank form (20,414 bytes in Vietnamese,
  measured 07/12/2026 on bench_pg_1m) with a fresh nonce; POST reads the form's fields, checks the required
  ones and redirects to a receipt. No session, no CSRF, no database.
- `session_csrf`: + Flask's signed session cookie and Flask-WTF's CSRFProtect (the token in the form, checked
  on every POST), and the receipt's code written to the session on POST, as the portal does.
- `write_core`: + one statement on PostgreSQL through SQLAlchemy Core, in a transaction then COMMIT: the day's
  gap-free counter upserted (INSERT … ON CONFLICT DO UPDATE … RETURNING) in a WITH, and the report inserted
  with the code made from it (RETURNING id, code), as portal/feedback/numbered_statement.py does. The engine
  has the portal's pool options (portal.engine_options) and psycopg waits on gevent's hub (portal/pg_wait.py).
- `write_raw`: the same statement on a plain psycopg connection in autocommit (no SQLAlchemy, no BEGIN/COMMIT
  round trips): SQLAlchemy's and the transaction's share.

The database is the one in DATABASE_URL: bench/submission_floor.py's scratch database, with `TABLES` made.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections import deque
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, abort, redirect, request, session
from flask_wtf.csrf import CSRFProtect, generate_csrf
from werkzeug.wrappers import Response

KINDS = ("static", "session_csrf", "write_core", "write_raw")
FORM_BYTES = 20_414  # the portal's blank form page, vi (GET /feedback/new on bench_pg_1m, 07/12/2026)
REQUIRED = ("category", "commune", "title", "description", "phone", "nonce", "consent")
OPTIONAL = ("address", "contact_name", "email", "website")
PROVINCE = ZoneInfo("Asia/Ho_Chi_Minh")

TABLES = """
CREATE TABLE floor_counters (scope text, day date, last_value integer NOT NULL, PRIMARY KEY (scope, day));
CREATE TABLE floor_items (
    id bigserial PRIMARY KEY, code text NOT NULL UNIQUE, nonce_hash bytea NOT NULL UNIQUE,
    category integer NOT NULL, commune text NOT NULL, title text NOT NULL, description text NOT NULL,
    phone text NOT NULL, address text, contact_name text, email text, consent boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());
"""
# One statement: the counter's row stays locked from the upsert to the commit, as in the portal. The digits
# are at least four, zero-filled (lpad alone would cut 12345 to 1234), as the portal's sequence_digits.
ITEM_SQL = """WITH counter AS (
  INSERT INTO floor_counters AS c (scope, day, last_value) VALUES ('feedback', :day, 1)
  ON CONFLICT (scope, day) DO UPDATE SET last_value = c.last_value + 1 RETURNING last_value)
INSERT INTO floor_items (code, nonce_hash, category, commune, title, description, phone, address,
  contact_name, email, consent)
SELECT :prefix || CASE WHEN last_value < 10000 THEN lpad(CAST(last_value AS text), 4, '0')
  ELSE CAST(last_value AS text) END, :nonce_hash, :category, :commune, :title,
  :description, :phone, :address, :contact_name, :email, true FROM counter
RETURNING id, code"""


def _form_parts() -> tuple[bytes, bytes, bytes]:
    """The blank form around its two slots (CSRF token, nonce), padded to the portal's size: like the portal's
    kept blank form (bench/notes/submit6.md), a GET only joins bytes."""
    categories = "".join(
        f'<label><input type="radio" name="category" value="{n}" required> Loại phản ánh số {n}</label>\n'
        for n in range(1, 18)
    )
    communes = "".join(f'<option value="{14000 + n:05d}">Xã Chiềng số {n}</option>\n' for n in range(1, 76))
    head = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Gửi phản ánh</title>'
        '<link rel="stylesheet" href="/static/portal.css"></head><body><main><h1>Gửi phản ánh, kiến nghị</h1>'
        '<form method="post" action="/feedback/new"><input type="hidden" name="csrf_token" value="'
    )
    middle = f'"><fieldset><legend>Loại</legend>\n{categories}</fieldset><select name="commune">\n{communes}</select>'
    fields = "".join(
        f'<label>{name}<input name="{name}"></label>\n' for name in ("title", "phone", *OPTIONAL)
    )
    middle += fields + '<textarea name="description"></textarea><input type="hidden" name="nonce" value="'
    tail = '"><label><input type="checkbox" name="consent" value="y"> Tôi đồng ý</label><button>Gửi</button>'
    closing = "</form></main></body></html>"
    size = len((head + middle + tail + closing).encode()) + len(generate_token()) + 88  # the CSRF token
    help_text = (
        "<p>Hướng dẫn: mô tả rõ sự việc, địa điểm và thời gian để cơ quan xử lý nhanh hơn.</p>\n".encode()
    )
    padding = (help_text * (1 + (FORM_BYTES - size) // len(help_text)))[: max(FORM_BYTES - size, 0)]
    padding = padding.decode(errors="ignore").encode()  # not cut inside a character
    return head.encode(), middle.encode(), tail.encode() + padding + closing.encode()


def generate_token() -> str:
    return secrets.token_urlsafe(24)  # the form's nonce: 32 characters, as the Lua script sends


def fields_of(form: dict) -> dict[str, object]:
    """The POST's values, checked as little as a real form must: required fields present and well formed."""
    if any(not form.get(name) for name in REQUIRED):
        abort(400)
    commune, phone = form["commune"], form["phone"]
    if not form["category"].isdigit() or not re.fullmatch(r"\d{5}", commune) or not phone.isdigit():
        abort(400)
    values: dict[str, object] = {name: form.get(name) or None for name in OPTIONAL if name != "website"}
    now = datetime.now(PROVINCE)
    values.update(
        category=int(form["category"]), commune=commune, title=form["title"][:200],
        description=form["description"][:5000], phone=phone, day=now.date(),
        prefix=now.strftime("PA-%y%m%d-"), nonce_hash=hashlib.sha256(form["nonce"].encode()).digest(),
    )  # fmt: skip
    return values


def core_writer(url: str) -> Callable[[dict[str, object]], str]:
    from sqlalchemy import create_engine, text

    from portal import engine_options

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), **engine_options(url))
    statement = text(ITEM_SQL)

    def write(values: dict[str, object]) -> str:
        with engine.begin() as connection:  # BEGIN, the statement, COMMIT
            return connection.execute(statement, values).one()[1]

    return write


def raw_writer(url: str) -> Callable[[dict[str, object]], str]:
    import psycopg

    statement = re.sub(r":(\w+)", r"%(\1)s", ITEM_SQL).encode()
    idle: deque[psycopg.Connection] = deque()  # one connection per concurrent POST, kept

    def write(values: dict[str, object]) -> str:
        connection = idle.pop() if idle else psycopg.connect(url, autocommit=True, options="-c jit=off")
        try:
            row = connection.execute(statement, values).fetchone()
        except BaseException:
            connection.close()
            raise
        idle.append(connection)
        assert row is not None
        return row[1]

    return write


def create(kind: str) -> Flask:
    if kind not in KINDS:
        raise SystemExit(f"FLOOR_APP must be one of {', '.join(KINDS)}, not {kind!r}")
    app = Flask(__name__)
    app.config.update(SECRET_KEY=os.environ.get("SECRET_KEY", "floor"), WTF_CSRF_TIME_LIMIT=4 * 3600)
    secured = kind != "static"
    if secured:
        CSRFProtect(app)
    write: Callable[[dict[str, object]], str] | None = None
    if kind.startswith("write"):
        from portal import pg_wait

        pg_wait.install()  # in the gevent worker, as portal.database does
        write = (core_writer if kind == "write_core" else raw_writer)(os.environ["DATABASE_URL"])
    head, middle, tail = _form_parts()

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    @app.get("/feedback/new")
    def form() -> Response:
        token = generate_csrf() if secured else "static-" + "x" * 81
        return Response(
            head + token.encode() + middle + generate_token().encode() + tail, mimetype="text/html"
        )

    @app.post("/feedback/new")
    def submit() -> Response:
        values = fields_of(request.form)
        code = write(values) if write else "PA-000000-0001"
        if secured:
            session["receipt"] = code
        return redirect("/feedback/receipt", 302)

    return app


app = create(os.environ.get("FLOOR_APP", "static"))
