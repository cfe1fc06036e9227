"""The "sms" job: sent after the commit through the HTTP gateway, folded to GSM-7, cost recorded, retried."""

import json

from sqlalchemy import select

from portal.extensions import db
from portal.jobs import enqueue
from portal.jobs.models import DONE, FAILED, PENDING, OutboxJob
from portal.sms.models import SmsMessage
from tests.support.jobs import run_jobs


def _job(key: str) -> OutboxJob:
    return db.session.scalar(select(OutboxJob).where(OutboxJob.key == key))


def test_a_text_is_folded_sent_once_and_its_cost_recorded(app, gateway):
    with app.test_request_context():
        enqueue("sms", "sms:test:1", {"to": "+84912345678", "text": "Hồ sơ đã có kết quả", "purpose": "test"})
        assert gateway.received == []  # nothing leaves inside the transaction
        db.session.commit()
    assert gateway.received == []  # nor at the commit: the worker sends
    run_jobs(app)
    [text] = gateway.received
    assert (text.phone, text.content, text.unicode) == ("0912345678", "Ho so da co ket qua", False)
    assert text.body["Brandname"] == "SONLA-PORTAL" and text.body["SmsType"] == "2"
    sent = db.session.scalar(select(SmsMessage).where(SmsMessage.key == "sms:test:1"))
    assert (sent.purpose, sent.encoding, sent.segments, sent.cost_vnd) == ("test", "gsm7", 1, 800)
    assert sent.provider_id == "esms-1"
    job = _job("sms:test:1")
    assert job.status == DONE and json.loads(job.payload) == {}  # the number and words are not kept


def test_a_refusal_is_retried_and_sent_later(app, gateway):
    gateway.code = "103"  # eSMS: balance too low
    with app.test_request_context():
        enqueue("sms", "sms:test:2", {"to": "0912345678", "text": "Thu lai", "purpose": "test"})
        db.session.commit()
    run_jobs(app)
    job = _job("sms:test:2")
    assert job.status == PENDING and job.attempts == 1 and "103" in job.last_error
    assert gateway.received == []
    gateway.code = "100"
    run_jobs(app, retries_now=True)
    db.session.refresh(job)
    assert job.status == DONE and [t.content for t in gateway.received] == ["Thu lai"]


def test_the_gateway_request_id_is_the_same_on_every_attempt(app, gateway):
    from portal.sms.gateway import EsmsGateway

    sender = EsmsGateway(gateway.settings())
    sender.send("+84912345678", "a", unicode=False, reference="sms:x")
    sender.send("+84912345678", "a", unicode=False, reference="sms:x")
    assert gateway.received[0].request_id == gateway.received[1].request_id


def test_a_number_that_is_not_a_mobile_is_given_up(app, gateway):
    with app.test_request_context():
        enqueue("sms", "sms:test:3", {"to": "02123852000", "text": "x", "purpose": "test"})
        db.session.commit()
    run_jobs(app)
    assert _job("sms:test:3").status == FAILED and gateway.received == []


def test_unicode_gateway_keeps_diacritics(app, gateway, monkeypatch):
    from dataclasses import replace

    settings = app.config["PORTAL_SETTINGS"]
    monkeypatch.setitem(
        app.config, "PORTAL_SETTINGS", replace(settings, sms=replace(settings.sms, unicode=True))
    )
    with app.test_request_context():
        enqueue("sms", "sms:test:4", {"to": "0912345678", "text": "Đã nhận", "purpose": "test"})
        db.session.commit()
    run_jobs(app)
    assert [(t.content, t.unicode) for t in gateway.received] == [("Đã nhận", True)]
    assert db.session.scalar(select(SmsMessage.encoding).where(SmsMessage.key == "sms:test:4")) == "ucs2"
