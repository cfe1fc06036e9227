"""Abuse limits on the citizen side (SECURITY.md B10, F22): tracking look-ups, submissions, honeypot."""

from __future__ import annotations

from tests.support.clients import fresh_client
from tests.support.feedback import by_code, feedback_count, make_item, receipt_code, web_submit


def track(client, code: str, digits: str):
    return client.post("/track", data={"code": code, "phone_digits": digits})


def test_track_allows_ten_lookups_a_minute_per_address(app):
    item = make_item()
    others = [make_item(phone=f"+8491234{n:04d}") for n in range(10)]  # each code stays under its own cap
    guesser = fresh_client(app, remote_addr="203.0.113.7")
    for other in others:
        assert track(guesser, other.code, "9999").status_code == 404
    blocked = track(guesser, item.code, "5678")  # even the right answer, once over the limit
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert guesser.get(f"/feedback/{item.code}/status").status_code == 404  # no access was granted
    # Another address is not affected, and the right answer works there.
    neighbour = fresh_client(app, remote_addr="203.0.113.8")
    assert track(neighbour, item.code, "5678").status_code == 302
    assert neighbour.get(f"/feedback/{item.code}/status").status_code == 200


def test_track_limit_ignores_a_spoofed_forwarded_for_header(app):
    item = make_item()
    others = [make_item(phone=f"+8491235{n:04d}") for n in range(10)]
    guesser = fresh_client(app, remote_addr="203.0.113.9")
    for n, other in enumerate(others):
        response = guesser.post(
            "/track",
            data={"code": other.code, "phone_digits": "9999"},
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
        )
        assert response.status_code == 404
    response = guesser.post(
        "/track",
        data={"code": item.code, "phone_digits": "5678"},
        headers={"X-Forwarded-For": "198.51.100.200"},
    )
    assert response.status_code == 429


def test_unknown_code_and_wrong_digits_look_the_same(app):
    item = make_item()
    client = fresh_client(app)
    wrong = track(client, item.code, "0000")
    unknown = track(client, "PA-991231-9999", "0000")
    garbage = track(client, "'; DROP TABLE feedback_items; --", "5678")
    assert wrong.status_code == unknown.status_code == garbage.status_code == 404
    # The pages differ only by the echoed code.
    assert wrong.get_data(as_text=True).replace(item.code, "X") == unknown.get_data(as_text=True).replace(
        "PA-991231-9999", "X"
    )


def test_sixth_submission_in_an_hour_from_one_address_is_refused_and_not_stored(app):
    client = fresh_client(app, remote_addr="203.0.113.20")
    for n in range(5):
        response = web_submit(client, phone=f"09123456{n:02d}", title=f"Phản ánh số {n + 1}")
        assert response.status_code == 302, n
    before = feedback_count()
    refused = web_submit(client, phone="0987654321", title="Phản ánh thứ sáu")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert feedback_count() == before
    spoofed = web_submit(
        client, phone="0987654322", title="Phản ánh thứ bảy", headers={"X-Forwarded-For": "1.2.3.4"}
    )
    assert spoofed.status_code == 429 and feedback_count() == before
    other_address = fresh_client(app, remote_addr="203.0.113.21")
    assert web_submit(other_address, phone="0987654323").status_code == 302
    assert feedback_count() == before + 1


def test_twenty_first_submission_in_a_day_from_one_phone_is_refused(app):
    spellings = ("0912 345 678", "+84912345678", "0912.345.678", "84912345678")
    for n in range(20):
        client = fresh_client(app, remote_addr=f"198.51.100.{n + 1}")
        assert web_submit(client, phone=spellings[n % 4]).status_code == 302, n
    before = feedback_count()
    last = fresh_client(app, remote_addr="198.51.100.99")
    assert web_submit(last, phone="0912-345-678").status_code == 429
    assert feedback_count() == before


def test_filled_honeypot_stores_nothing_but_looks_normal(app):
    client = fresh_client(app, remote_addr="203.0.113.30")
    before = feedback_count()
    response = web_submit(client, website="http://spam.example/buy")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert feedback_count() == before
    assert "http://spam.example/buy" not in body  # nothing echoed back
    assert 'role="alert"' not in body and "flash-error" not in body  # no error shown to the bot
    assert client.get("/feedback/receipt").status_code == 404  # and no receipt was made


def test_a_real_submission_from_the_same_browser_still_works_after_the_honeypot(app):
    client = fresh_client(app, remote_addr="203.0.113.31")
    web_submit(client, website="spam")
    assert web_submit(client).status_code == 302
    assert by_code(receipt_code(client)).title == "Sạt lở đường vào bản Hua La"


def test_track_counts_an_ipv6_subscriber_by_its_64_prefix(app):
    """One home or phone holds a whole IPv6 /64: a new address per guess is still the same source (the rule
    the refused-webhook audit uses, portal/throttle.py source_of)."""
    item = make_item()
    others = [make_item(phone=f"+8491236{n:04d}") for n in range(10)]
    for n, other in enumerate(others):
        guesser = fresh_client(app, remote_addr=f"2001:db8:7:8::{n + 1:x}")
        assert track(guesser, other.code, "9999").status_code == 404
    blocked = track(fresh_client(app, remote_addr="2001:db8:7:8:ffff::1"), item.code, "5678")
    assert blocked.status_code == 429
    elsewhere = track(fresh_client(app, remote_addr="2001:db8:7:9::1"), item.code, "5678")
    assert elsewhere.status_code == 302
