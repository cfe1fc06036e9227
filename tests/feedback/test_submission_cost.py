"""What a feedback submission costs and what it must still do (issue 17, the submission row; bench/notes/submit.md).

The statements of a POST are pinned, and so is their order around the daily code counter: its row is
locked from the upsert to the commit, so only the item's INSERT (numbered already), its consent's and its
timeline line's may run in between (bench/notes/submit4.md). Whatever order the writes take, the item, its
timeline line and its consent are committed together or not at all, codes stay gap-free, the receipt
e-mail is written in the transaction (with the item's real code) and handed to the queue after the
commit, and the rate-limit counters count without a timer thread per hit.
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from dataclasses import replace

import pytest
from sqlalchemy import event, func, select

from portal import throttle
from portal.calendar.queries import local_now
from portal.domain.codes import parse_feedback_code
from portal.domain.text import fold
from portal.events.models import Event
from portal.extensions import db
from portal.feedback import numbering, operations
from portal.feedback.models import Feedback
from portal.jobs import jobs_of
from portal.jobs.models import OutboxJob
from portal.privacy.models import Consent
from portal.settings import Smtp
from tests.support.clients import fresh_client, sign_in
from tests.support.factories import make_account
from tests.support.feedback import by_code, category_id, form_data, receipt_code, web_submit
from tests.support.jobs import QueuedMail, empty_queue
from tests.support.smtp import SilentServer

TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")


@contextmanager
def statements():
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def submit(app, n: int, **overrides):
    client = fresh_client(app, remote_addr=f"198.51.100.{n}")
    fields = {"phone": f"09123450{n:02d}", "email": "", "title": f"Phản ánh số {n}", **overrides}
    response = web_submit(client, **fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def test_a_submission_post_runs_two_statements_on_postgresql_and_five_on_sqlite(app):
    """A browser's post (the nonce was issued to it), no photo, no e-mail, a commune-routed category."""
    submit(app, 1)  # the reference lists, the calendar and the notice's version are read once
    client = fresh_client(app, remote_addr="198.51.100.2")
    data = form_data(phone="0912345002", email="")
    together = db.engine.dialect.name == "postgresql"  # the number and the writes in one statement
    with statements() as seen:
        assert client.post("/feedback/new", data=data, content_type="multipart/form-data").status_code == 302
    assert len(seen) == (2 if together else 5), "\n".join(seen)
    # Before the number, one statement (portal/feedback/post_reads.py): the category with the commune, the
    # calendar's version token, whether a disaster was ever declared for the commune (none here: no look-up
    # of declared days, test_submission_disaster.py), the commune's agency, the item already sent with the
    # nonce, whether the form has photos kept as drafts (none: not read); the notice's version is remembered
    # by the process. Then the counter's upsert, which locks its row until the commit, and inside that lock
    # the item with its code, its consent, the timeline line: on PostgreSQL all one statement
    # (portal/feedback/numbered_statement.py, the counter first), on SQLite four; no UPDATE of the item.
    assert seen[0].startswith("SELECT feedback_categories.") and "calendar_version.token" in seen[0]
    assert "disaster_communes" in seen[0] and not any("disaster_events" in s for s in seen)
    assert all(table in seen[0] for table in ("FROM agencies", "FROM feedback_items", "FROM photo_drafts"))
    assert not any("privacy_notices" in s or s.startswith("SELECT calendar_version") for s in seen)
    writes = ["INSERT INTO feedback_items", "INSERT INTO privacy_consents", "INSERT INTO events"]
    if together:
        [written] = seen[1:]
        assert written.startswith("WITH counter AS (INSERT INTO daily_sequences")
        positions = [written.index(write) for write in writes]
        assert positions == sorted(positions)
        assert written.count("%(") <= 50  # psycopg parses a query with more parameters on every execution
        assert len(written.encode()) < 4096  # ... and one longer than this (MAX_CACHED_STATEMENT_LENGTH)
    else:
        assert seen[1].startswith("INSERT INTO daily_sequences")
        assert [s.split(" (")[0] for s in seen[2:]] == writes
    assert not any(s.startswith("UPDATE") for s in seen)
    assert not any(s.startswith("SELECT photo_drafts") for s in seen)


def test_the_largest_report_is_still_one_cached_statement(app):
    """psycopg prepares and caches a statement only under 50 parameters and 4,096 bytes of SQL (its
    _queries.py); past either it parses the query in Python on every execution. The report with the most
    columns (a signed-in conduct complaint with every optional field and three consents) must stay under both
    (review of 07/12/2026: 46 parameters, 4,016 bytes then; a column or two more would pass the limit)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("one statement on PostgreSQL only (numbered_statement.py)")
    client = fresh_client(app, remote_addr="198.51.100.77")
    sign_in(client, make_account("citizen", email="all.fields@example.com"))
    fields = {
        "category": str(category_id("hanh-vi-can-bo")),
        "phone": "0912345177",
        "email": "a.rather.long.address@example.com",
        "contact_name": "Lò Văn Pọm",
        "show_name": "y",
        "precise_pin": "y",
        "latitude": "21.3",
        "longitude": "103.9",
        "address": "Bản Púng",
    }
    raw: list[str] = []  # the SQL exactly as psycopg gets it (`statements()` collapses its whitespace)

    def record(conn, cursor, statement, parameters, context, executemany):
        raw.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert web_submit(client, **fields).status_code == 302
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    [written] = [sql for sql in raw if sql.startswith("WITH counter AS")]
    assert written.count("%(") < 50, written.count("%(")
    assert len(written.encode()) < 4096, len(written.encode())


def test_the_code_and_search_keys_are_the_real_ones(app):
    client = submit(app, 3, title="Đèn đường không sáng ở bản Mòng")
    code = receipt_code(client)
    item = by_code(code)
    day, number = parse_feedback_code(code)
    assert day == local_now().date()  # the province's day (Asia/Ho_Chi_Minh), not UTC's
    assert number >= 1
    assert fold(code) in item.search_key and fold(code) in item.public_search_key
    assert "~" not in item.search_key and "~" not in item.public_search_key
    assert fold("Đèn đường không sáng") in item.public_search_key
    assert db.session.scalar(select(func.count()).where(Feedback.code.startswith("~"))) == 0


def test_codes_follow_each_other_without_gaps(app):
    codes = [receipt_code(submit(app, n)) for n in range(10, 14)]
    numbers = [parse_feedback_code(code)[1] for code in codes]
    assert numbers == list(range(numbers[0], numbers[0] + 4))


def test_a_submission_that_fails_after_its_number_writes_nothing_and_gives_the_number_back(app, monkeypatch):
    """The item, its timeline line and its consent are one transaction with the code's number."""
    before_code = receipt_code(submit(app, 20))
    items, events = (
        db.session.scalar(select(func.count(Feedback.id))),
        db.session.scalar(select(func.count(Event.id))),
    )
    consents = db.session.scalar(select(func.count(Consent.id)))
    real_line = numbering._timeline_line
    numbered: list[str] = []

    def line_then_fail(item, *args, **kwargs):  # the number taken, the item written, its line; then a failure
        real_line(item, *args, **kwargs)
        numbered.append(db.session.scalar(select(Feedback.code).where(Feedback.id == item.id)))
        raise RuntimeError("the database went away")

    monkeypatch.setattr(numbering, "_timeline_line", line_then_fail)
    client = fresh_client(app, remote_addr="198.51.100.21")
    failed = web_submit(client, phone="0912345021", email="", title="Không được lưu")
    assert failed.status_code == 500
    monkeypatch.setattr(numbering, "_timeline_line", real_line)
    assert len(numbered) == 1 and parse_feedback_code(numbered[0])  # it had its real code when it failed
    assert db.session.scalar(select(func.count(Feedback.id))) == items
    assert db.session.scalar(select(func.count(Event.id))) == events
    assert db.session.scalar(select(func.count(Consent.id))) == consents
    assert db.session.scalar(select(Feedback.id).where(Feedback.title == "Không được lưu")) is None
    after_code = receipt_code(submit(app, 22))
    assert parse_feedback_code(after_code)[1] == parse_feedback_code(before_code)[1] + 1  # no gap


def test_the_timeline_line_and_consent_belong_to_the_committed_item(app):
    item = by_code(receipt_code(submit(app, 30)))
    lines = db.session.scalars(
        select(Event.action).where(Event.subject_type == "feedback", Event.subject_id == item.id)
    ).all()
    assert lines == ["submitted"]
    purposes = db.session.scalars(
        select(Consent.purpose).where(Consent.subject_type == "feedback", Consent.subject_id == item.id)
    ).all()
    assert purposes == ["notice"]


@pytest.fixture
def mail_configured(app, monkeypatch):
    server = SilentServer()
    smtp = Smtp(host="127.0.0.1", port=server.port)
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", replace(app.config["PORTAL_SETTINGS"], smtp=smtp))
    empty_queue(app)
    yield server
    server.stop()


def test_the_receipt_mail_carries_the_real_code_and_leaves_after_the_commit(
    app, mail_configured, monkeypatch
):
    huey = jobs_of(app).huey
    handed: list[int] = []
    jobs = jobs_of(app)
    original = jobs.hand_over

    def hand_over(job_id):  # called by the session's after_commit listener (portal/jobs/outbox.py)
        handed.append(job_id)
        return original(job_id)

    monkeypatch.setattr(jobs, "hand_over", hand_over)
    client = fresh_client(app, remote_addr="198.51.100.40")
    assert web_submit(client, phone="0912345040", email="hoa@example.com").status_code == 302
    code = receipt_code(client)
    assert mail_configured.connections() == 0  # the request did not talk to the mail server
    [(to, _subject, body)] = list(QueuedMail())
    assert to == "hoa@example.com" and code in body and "~" not in body
    job_id, key = db.session.execute(
        select(OutboxJob.id, OutboxJob.key).where(OutboxJob.kind == "mail")
    ).one()
    assert key == f"mail:feedback:{code}:submitted"
    assert handed == [job_id]
    assert huey.pending_count() == 1


def test_limits_still_hold_among_many_other_citizens(app):
    """Thousands of other addresses and phones counted in memory do not change anyone's limit."""
    for n in range(3000):
        throttle.hit(f"feedback:ip:10.{n // 256}.{n % 256}.1", 3600)
        throttle.hit(f"feedback:phone:+849{n:08d}", 86400)
    client = fresh_client(app, remote_addr="203.0.113.50")
    for n in range(5):
        assert web_submit(client, phone=f"09123460{n:02d}", email="").status_code == 302, n
    assert web_submit(client, phone="0912346099", email="").status_code == 429


def test_counting_in_memory_starts_no_thread(app, monkeypatch):
    """The package's memory storage started a timer thread (a greenlet under gevent) on each hit, which
    walked every key held; a hit must cost the same however many citizens were counted before."""
    started: list[threading.Thread] = []
    real_start = threading.Thread.start

    def start(self):
        started.append(self)
        return real_start(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    for n in range(50):
        throttle.hit(f"test:many:{n}", 60)
    throttle.give_back("test:many:0", 60)
    assert started == []


def test_memory_counters_keep_fixed_windows(monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(throttle.time, "time", lambda: clock[0])
    counters = throttle.MemoryCounters()
    assert [counters.incr("a", 60) for _ in range(3)] == [1, 2, 3]
    assert counters.get("a") == 3 and counters.get_expiry("a") == clock[0] + 60
    clock[0] += 30
    assert counters.incr("a", 60) == 4  # the window does not move with each hit
    assert counters.get_expiry("a") == 1_000_000.0 + 60
    clock[0] += 30
    assert counters.get("a") == 0  # the window ended
    assert counters.incr("a", 60) == 1 and counters.get_expiry("a") == clock[0] + 60
    # A count given back to zero starts a new window with the next hit (as limits' storage does).
    assert counters.incr("a", 60, amount=-1) == 0
    clock[0] += 10
    assert counters.incr("a", 60) == 1 and counters.get_expiry("a") == clock[0] + 60
    counters.clear("a")
    assert counters.get("a") == 0 and counters.get_expiry("a") == clock[0]


def test_memory_counters_forget_ended_windows_without_being_asked(monkeypatch):
    clock = [2_000_000.0]
    monkeypatch.setattr(throttle.time, "time", lambda: clock[0])
    counters = throttle.MemoryCounters()
    for n in range(5000):
        counters.incr(f"phone:{n}", 3600)
    counters.incr("address", 86400)
    assert len(counters) == 5001
    clock[0] += 3601
    counters.incr("another", 60)  # any hit drops what ended, from the soonest end
    assert len(counters) == 2
    assert counters.get("address") == 1
    for _ in range(3000):  # a count given back and hit again, many times: bounded bookkeeping
        counters.incr("login", 60)
        counters.incr("login", 60, amount=-1)
    assert len(counters._ends) <= 2 * len(counters) + 1001


def test_the_code_pattern_has_no_room_for_the_provisional_code():
    assert not re.fullmatch(r"PA-\d{6}-\d{4,6}", operations.PROVISIONAL + "x" * 18)
    assert len(operations.PROVISIONAL + "x" * 18) <= Feedback.__table__.c.code.type.length
