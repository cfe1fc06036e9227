"""Guessing the 4 phone digits of a tracking code (issue 9 item 2): limits per code, not only per address.

A probe opened a stranger's dossier with 614 guesses from 62 addresses, because only addresses were
limited. Four digits are 10,000 possibilities; with a cap of 5 wrong answers a day per code, walking all
of them from 1,000 addresses (10 each, under every per-address limit) opens nothing, and the rightful
citizen still opens the item with the private link, is told why the digits no longer work, and keeps
access from the browser that already had it.
"""

from __future__ import annotations

import random
import re
import threading

import pytest
from sqlalchemy import select

from portal.dossiers import operations as dossier_operations
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.feedback import operations as feedback_operations
from portal.tracking.routes import CODE_LOCK_SECONDS, LOOKUP_FAILURES_PER_CODE
from tests.support.clients import fresh_client
from tests.support.double_post import own_app
from tests.support.feedback import category_id, make_item

LOCKED = "too many wrong tries"


def track(client, code: str, digits: str):
    return client.post("/track", data={"code": code, "phone_digits": digits})


def english(client):
    client.set_cookie("portal_lang", "en")
    return client


def submitted_with_token(phone: str):
    submission = feedback_operations.Submission(
        category_id=category_id("giao-thong"),
        title="Đèn đường hỏng",
        description="Đèn ở ngã ba không sáng.",
        admin_unit_code="03670",
        address="Ngã ba bản Hụm",
        latitude=None,
        longitude=None,
        contact_name="Lò Văn Ơn",
        phone=phone,
        email="",
        show_name=False,
        locale="en",
        photos=(),
    )
    item, token = feedback_operations.submit(submission, None)
    db.session.flush()
    return item, token


def a_dossier() -> Dossier:
    dossier = db.session.scalars(
        select(Dossier).where(Dossier.phone.is_not(None)).order_by(Dossier.id)
    ).first()
    assert dossier is not None and dossier.phone
    return dossier


def walk_every_pin(app, code: str, addresses: int = 1000) -> list[int]:
    """All 10,000 four-digit answers in random order, spread evenly over `addresses` addresses."""
    pins = [f"{n:04d}" for n in range(10_000)]
    random.Random(9).shuffle(pins)
    clients = [fresh_client(app, remote_addr=f"10.{n // 250}.{n % 250}.7") for n in range(addresses)]
    return [track(clients[n % addresses], code, pin).status_code for n, pin in enumerate(pins)]


def test_ten_thousand_guesses_from_a_thousand_addresses_open_no_feedback_item(app):
    item, token = submitted_with_token("+84987650321")
    statuses = walk_every_pin(app, item.code)
    assert 302 not in statuses  # the right answer was among the guesses, and it opened nothing
    assert statuses.count(404) == LOOKUP_FAILURES_PER_CODE - 1
    assert statuses.count(429) == 10_000 - statuses.count(404)
    # The rightful citizen learns why the digits no longer work, and when they will again...
    citizen = english(fresh_client(app, remote_addr="198.51.100.50"))
    refused = track(citizen, item.code, "0321")
    assert refused.status_code == 429
    assert LOCKED in refused.get_data(as_text=True)
    assert 0 < int(refused.headers["Retry-After"]) <= CODE_LOCK_SECONDS
    assert citizen.get(f"/feedback/{item.code}/status").status_code == 404
    # ...and still opens it with the private link from the receipt.
    assert citizen.get(f"/feedback/t/{token}").status_code in (200, 302)
    assert citizen.get(f"/feedback/{item.code}/status").status_code == 200


def test_ten_thousand_guesses_from_a_thousand_addresses_open_no_dossier(app):
    dossier = a_dossier()
    statuses = walk_every_pin(app, dossier.code)
    assert 302 not in statuses
    citizen = fresh_client(app, remote_addr="198.51.100.51")
    assert track(citizen, dossier.code, dossier.phone[-4:]).status_code == 429
    assert citizen.get(f"/dossiers/{dossier.code}").status_code == 404
    token = dossier_operations.secret_token(dossier)
    assert citizen.get(f"/dossiers/t/{dossier.code}/{token}").status_code in (200, 302)
    assert citizen.get(f"/dossiers/{dossier.code}").status_code == 200


def test_a_browser_that_already_opened_the_item_keeps_it(app):
    item = make_item(phone="+84912340001")
    own_phone = fresh_client(app, remote_addr="198.51.100.60")
    assert track(own_phone, item.code, "0001").status_code == 302
    for n in range(LOOKUP_FAILURES_PER_CODE):
        track(fresh_client(app, remote_addr=f"203.0.113.{100 + n}"), item.code, f"{n + 2:04d}")
    assert track(fresh_client(app, remote_addr="198.51.100.61"), item.code, "0001").status_code == 429
    assert own_phone.get(f"/feedback/{item.code}/status").status_code == 200


def test_the_lock_is_per_code(app):
    target, other = make_item(phone="+84912340002"), make_item(phone="+84912340003")
    for n in range(LOOKUP_FAILURES_PER_CODE + 3):
        track(fresh_client(app, remote_addr=f"203.0.113.{120 + n}"), target.code, "9999")
    assert track(fresh_client(app, remote_addr="203.0.113.140"), other.code, "0003").status_code == 302


def test_a_few_wrong_tries_are_forgiven(app):
    item = make_item(phone="+84912340004")
    client = fresh_client(app, remote_addr="203.0.113.150")
    for _ in range(LOOKUP_FAILURES_PER_CODE - 1):
        assert track(client, item.code, "1111").status_code == 404
    assert track(client, item.code, "0004").status_code == 302


def test_an_unknown_code_locks_the_same_way(app):
    """The lock must not tell an attacker which codes exist."""

    def lock_and_read(code: str) -> str:
        responses = [
            track(fresh_client(app, remote_addr=f"203.0.113.{160 + n}"), code, "1234")
            for n in range(LOOKUP_FAILURES_PER_CODE + 1)
        ]
        assert [r.status_code for r in responses][-2:] == [429, 429]
        return re.sub(r'name="csrf_token"[^>]*', "", responses[-1].get_data(as_text=True)).replace(code, "X")

    known = make_item(phone="+84912340005")
    assert lock_and_read(known.code) == lock_and_read("PA-991231-9999")


def test_the_lock_page_is_translated(app):
    item = make_item(phone="+84912340006")
    for n in range(LOOKUP_FAILURES_PER_CODE):
        track(fresh_client(app, remote_addr=f"203.0.113.{180 + n}"), item.code, "1234")
    body = track(fresh_client(app, remote_addr="203.0.113.190"), item.code, "0006").get_data(as_text=True)
    assert LOCKED not in body
    assert "quá nhiều lần nhập sai" in body and "đường dẫn riêng" in body


@pytest.fixture
def committed_app(tmp_path):
    """An app on its own database: concurrent requests commit for real, each in its own connection."""
    yield from own_app(tmp_path)


def test_guesses_sent_at_the_same_instant_are_capped_too(committed_app, monkeypatch):
    """Twelve guesses for one code from twelve addresses at once: each is counted before its digits are
    compared, so no more than the cap are ever compared (a check-then-count let all twelve through)."""
    from portal.feedback import queries

    parties, compared = 12, []
    original, barrier = queries.by_code, threading.Barrier(parties)

    def held(code):  # every request that reaches the comparison waits for the others (or 3 s)
        compared.append(code)
        try:
            barrier.wait(timeout=3)
        except threading.BrokenBarrierError:
            pass
        return original(code)

    monkeypatch.setattr(queries, "by_code", held)
    clients = [fresh_client(committed_app, remote_addr=f"198.51.100.{n + 1}") for n in range(parties)]
    statuses: list[int] = []

    def guess(client) -> None:
        statuses.append(track(client, "PA-991231-9998", "1234").status_code)

    threads = [threading.Thread(target=guess, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    locked = parties - LOOKUP_FAILURES_PER_CODE + 1
    assert sorted(statuses) == [404] * (LOOKUP_FAILURES_PER_CODE - 1) + [429] * locked
    assert len(compared) <= LOOKUP_FAILURES_PER_CODE


def test_simultaneous_guesses_are_counted_before_any_answer_is_checked(app, monkeypatch):
    """Twenty wrong guesses for one code sent at the same instant from twenty addresses, then the right one.

    The old route checked the per-code count first and counted a failure only after comparing the digits,
    so every guess in flight saw "no failures yet" and the cap held only for guesses sent one by one: an
    attacker with many addresses sends them all at once. The code lookup is held open here until every
    guess has gone as far as it can, which is what a burst does to requests waiting on the database.
    """
    import threading
    from types import SimpleNamespace

    from portal.feedback import queries as feedback_queries

    code = "PA-261205-0042"
    item = SimpleNamespace(id=987654, code=code, phone="+84912345678")
    main, release, entered = threading.main_thread(), threading.Event(), []

    def slow_lookup(_code):
        if threading.current_thread() is not main:
            entered.append(1)
            release.wait(10)
        return item

    monkeypatch.setattr(feedback_queries, "by_code", slow_lookup)
    results: list[int] = []

    def guess(n: int) -> None:
        client = fresh_client(app, remote_addr=f"198.51.100.{n + 1}")
        results.append(track(client, code, f"{n:04d}").status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for _ in range(500):  # until every guess is either inside the lookup or answered
        if len(entered) + len(results) == len(threads):
            break
        threading.Event().wait(0.01)
    rightful = track(fresh_client(app, remote_addr="198.51.100.200"), code, "5678").status_code
    release.set()
    for thread in threads:
        thread.join(10)
    assert len(entered) <= LOOKUP_FAILURES_PER_CODE
    assert rightful == 429 and 302 not in results
    assert sorted(set(results)) == [404, 429]
