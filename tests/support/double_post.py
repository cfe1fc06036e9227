"""Helpers for the double-submission tests: a form's nonce, the upload folder, two posts at once.

The concurrent tests run on their own database (a SQLite file, or a fresh PostgreSQL database with
TEST_DATABASE_URL), because the two requests must commit for real in separate transactions.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

from portal.extensions import db
from tests.conftest import build_app, migrate_and_seed
from tests.support.clients import fresh_client
from tests.support.databases import throwaway_database

COOKIE = "portal_session"
# Both the replayed receipt's notice and the neutral page say so (Vietnamese, the default language).
ALREADY_SENT = "Biểu mẫu này đã được gửi"


def hidden_fields(html: str) -> dict[str, str]:
    """What a browser sends back unseen: the form's hidden inputs (the nonce among them)."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' in tag:
            name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
            fields[name[1]] = value[1] if value else ""
    return fields


def nonce_of(html: str) -> str:
    nonce = hidden_fields(html).get("nonce")
    assert nonce, "the form has no nonce field"
    return nonce


def stored_files(app) -> set[str]:
    """The names in the private upload folder (temporary files of a write in progress excluded)."""
    folder = Path(app.instance_path) / "uploads"
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")} if folder.exists() else set()


def first_look_up_misses(monkeypatch, target, name: str) -> list:
    """Make `target.name` (the look-up of an earlier submission) miss on its first call only, as when the
    other post of the form had not committed yet; later calls look for real. Returns the calls' arguments."""
    original, calls = getattr(target, name), []

    def missed_once(*args):
        calls.append(args)
        return None if len(calls) == 1 else original(*args)

    monkeypatch.setattr(target, name, missed_once)
    return calls


def same_browser(app, client):
    """A second client carrying `client`'s session cookie: the same browser, another connection."""
    other = fresh_client(app)
    other.environ_base.update(client.environ_base)
    cookie = client.get_cookie(COOKIE)
    if cookie is not None:
        other.set_cookie(COOKIE, cookie.value)
    return other


def own_app(tmp_path):
    """For a fixture: `yield from own_app(tmp_path)` gives an app on its own migrated, seeded database."""
    with throwaway_database(tmp_path, "double") as url:
        app = build_app(tmp_path, url)
        migrate_and_seed(app)
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def hold_both_after(monkeypatch, target, name: str, parties: int = 2) -> None:
    """Make `target.name` (the look-up of an earlier submission) return only once every thread has
    made it: all the posts then miss each other and go on to insert, so the unique index must decide.
    Later calls in a thread (the loser's look-up of the winner) pass straight through."""
    original = getattr(target, name)
    barrier, seen = threading.Barrier(parties), threading.local()

    def held(*args, **kwargs):
        result = original(*args, **kwargs)
        if not getattr(seen, "done", False):
            seen.done = True
            barrier.wait(timeout=60)
        return result

    monkeypatch.setattr(target, name, held)


def post_together(clients, path: str, make_data: Callable[[], dict]) -> list:
    """Each client posts the form at the same instant; returns the responses in client order."""
    start = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)
    errors: list[BaseException] = []

    def post(index: int, client) -> None:
        try:
            data = make_data()
            start.wait(timeout=60)
            responses[index] = client.post(path, data=data, content_type="multipart/form-data")
        except BaseException as error:  # noqa: BLE001 - reported by the caller
            errors.append(error)

    threads = [threading.Thread(target=post, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a post hung"
    assert errors == [], errors
    return responses
