"""A lost code: the codes go to the phone (an "sms" job) or e-mail address the reports were made with,
never onto the page; the same answer whether anything matched; rate limited per address and target."""

from __future__ import annotations

from dataclasses import replace

import pytest

from portal.settings import Smtp
from tests.support.feedback import EMAIL, make_item
from tests.support.jobs import QueuedMail
from tests.support.sms import queued_sms, with_sms


@pytest.fixture
def mailbox(app, monkeypatch):
    smtp = Smtp(host="127.0.0.1", port=9)  # never contacted: no worker runs here
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", replace(app.config["PORTAL_SETTINGS"], smtp=smtp))
    return QueuedMail()


def ask(client, contact: str):
    return client.post("/feedback/lost-code", data={"contact": contact})


def test_codes_go_by_sms_to_the_phone_and_by_e_mail_never_on_screen(app, client, monkeypatch, mailbox):
    with_sms(app, monkeypatch)
    first, second = make_item(), make_item(title="Đèn đường hỏng")
    response = ask(client, "0912 345 678")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert first.code not in body and second.code not in body
    [sms] = queued_sms()
    assert sms["to"] == "+84912345678" and sms["purpose"] == "code-recovery"
    assert first.code in sms["text"] and second.code in sms["text"]
    [(to, _subject, mail_body)] = list(mailbox)
    assert to == EMAIL and first.code in mail_body


def test_the_same_answer_when_nothing_matches(app, client, monkeypatch, mailbox):
    with_sms(app, monkeypatch)
    make_item()
    known = ask(client, "0912345678").get_data(as_text=True)
    unknown = ask(client, "0987 000 111").get_data(as_text=True)
    strip = lambda page: page.split('name="csrf_token"')[0]  # noqa: E731
    assert strip(known) == strip(unknown)
    assert [sms["to"] for sms in queued_sms()] == ["+84912345678"]


def test_codes_by_e_mail_address(client, mailbox):
    item = make_item(phone="+84977000111", email="mai@example.com")
    ask(client, "MAI@example.com")
    assert [to for to, _s, _b in mailbox] == ["mai@example.com"]
    assert item.code in mailbox[0][2]


def test_neither_a_phone_nor_an_address_is_refused(client):
    response = ask(client, "hello")
    assert response.status_code == 400


def test_rate_limited_per_phone(app, client, monkeypatch):
    with_sms(app, monkeypatch)
    for _ in range(3):
        assert ask(client, "0912345678").status_code == 200
    other = app.test_client()  # another address: the phone's own limit still holds
    assert ask(other, "0912345678").status_code == 429


def test_rate_limited_per_source_address(client):
    for number in range(10):
        assert ask(client, f"09120000{number:02d}").status_code == 200
    assert ask(client, "0912000099").status_code == 429
