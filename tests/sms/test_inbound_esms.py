"""The status look-up by text through eSMS.vn's short-code forwarding (SMS_INBOUND=esms): eSMS's HTTP GET,
its MD5 sign, its <ClientResponse> reply; the answer texted by the "sms" job (the local eSMS gateway)."""

import hashlib
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.jobs.models import OutboxJob
from portal.settings_sms import sms_settings
from portal.sms import inbound_esms
from tests.support.feedback import by_code, receipt_code, web_submit
from tests.support.jobs import run_jobs
from tests.support.sms import ESMS_CPID, ESMS_PRIVATE_KEY, esms_mo, signed


@pytest.fixture
def esms(app, gateway, monkeypatch):
    """The app taking incoming texts in eSMS's format, answering through the local eSMS gateway."""
    settings = app.config["PORTAL_SETTINGS"]
    sms = replace(settings.sms, inbound="esms", inbound_cpid=ESMS_CPID, inbound_secret=ESMS_PRIVATE_KEY)
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", replace(settings, sms=sms))
    return gateway


def _lookups() -> int:
    return db.session.scalar(
        select(func.count()).select_from(OutboxJob).where(OutboxJob.key.like("sms:lookup:%"))
    )


def test_the_sign_is_eSMS_documented_hash():
    # The documentation's example: with the private key 17417a0d20114d36a902e49cad0e97f3,
    # hash("abcdef", "1234", "xyz") = MD5("abcdef1234xyz17417a0d20114d36a902e49cad0e97f3").
    expected = hashlib.md5(
        b"abcdef1234xyz17417a0d20114d36a902e49cad0e97f3", usedforsecurity=False
    ).hexdigest()
    assert inbound_esms.sign(["abcdef", "1234", "xyz"], "17417a0d20114d36a902e49cad0e97f3") == expected


def test_the_documented_time_format_is_read():
    # The documentation's example: 28 February 2013, 13:01:01 is sent as 20130228130101.
    assert inbound_esms._fresh("20130228130101", datetime(2013, 2, 28, 6, 1, 1, tzinfo=UTC))
    assert not inbound_esms._fresh("20130228130101", datetime(2013, 3, 2, 6, 1, 1, tzinfo=UTC))
    assert not inbound_esms._fresh("2013-02-28 13:01", datetime(2013, 2, 28, 6, 1, 1, tzinfo=UTC))


def test_a_code_texted_to_the_short_code_gets_its_status(app, esms):
    client = app.test_client()
    web_submit(client)
    item = by_code(receipt_code(client))
    db.session.commit()
    run_jobs(app)
    esms.received.clear()
    query = esms_mo("84987654321", f"TC {item.code}", "a1b2c3d4e5")
    response = app.test_client().get(f"/sms/inbound?{query}")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    reply = ET.fromstring(response.data)  # noqa: S314 - the portal's own answer under test
    assert reply.tag == "ClientResponse"
    assert reply.findtext("Smsid") == "a1b2c3d4e5" and reply.findtext("Receiver") == "84987654321"
    assert (reply.findtext("Message") or "") == ""  # the answer leaves through the outbox, not here
    assert esms.received == []
    run_jobs(app)
    [answer] = esms.to("0987654321")
    assert answer.content == f"{item.code}: Cho tiep nhan. Ngay: {item.due_on.strftime('%d/%m/%Y')}."


def test_the_same_smsid_is_answered_once(app, esms):
    client = app.test_client()
    query = esms_mo("84987654321", "PA-990101-0001", "dup-1")
    assert client.get(f"/sms/inbound?{query}").status_code == 200
    assert client.get(f"/sms/inbound?{query}").status_code == 200  # eSMS sends it again: no second text
    assert _lookups() == 1
    run_jobs(app)
    assert len(esms.to("0987654321")) == 1


@pytest.mark.parametrize(
    "query",
    [
        esms_mo("84987654321", "PA-990101-0001", "x1", private_key="0" * 32),  # another key
        esms_mo("84987654321", "PA-990101-0001", "x2", cpid="someone-else"),  # another CP
        esms_mo("84987654321", "PA-990101-0001", "x3", received="20130228130101"),  # years old
    ],
    ids=["key", "cpid", "stale"],
)
def test_a_forged_or_stale_text_is_refused(app, esms, query):
    assert app.test_client().get(f"/sms/inbound?{query}").status_code == 401
    assert _lookups() == 0


def test_a_changed_content_breaks_the_sign(app, esms):
    query = esms_mo("84987654321", "PA-990101-0001", "x4").replace("PA-990101-0001", "PA-990101-0002", 1)
    assert app.test_client().get(f"/sms/inbound?{query}").status_code == 401


def test_the_allow_list_keeps_out_other_callers(app, esms, monkeypatch):
    settings = app.config["PORTAL_SETTINGS"]
    for allow, status in ((("203.0.113.0/24",), 401), (("127.0.0.1",), 200)):
        sms = replace(settings.sms, inbound_allow=allow)
        monkeypatch.setitem(app.config, "PORTAL_SETTINGS", replace(settings, sms=sms))
        query = esms_mo("84987654321", "PA-990101-0001", f"allow-{status}")
        assert app.test_client().get(f"/sms/inbound?{query}").status_code == status


def test_the_portal_format_is_refused_when_eSMS_is_chosen(app, esms):
    raw, headers = signed({"from": "0987654321", "text": "PA-990101-0001"})
    assert app.test_client().post("/sms/inbound", data=raw, headers=headers).status_code == 401
    assert _lookups() == 0


def test_eSMS_format_is_refused_when_the_portal_format_is_chosen(app, gateway):
    query = esms_mo("84987654321", "PA-990101-0001", "x5")
    assert app.test_client().get(f"/sms/inbound?{query}").status_code == 405


def test_the_settings_name_the_inbound_format():
    problems: list[str] = []
    chosen = sms_settings(
        {
            "SMS_INBOUND": "esms",
            "SMS_INBOUND_SECRET": ESMS_PRIVATE_KEY,
            "SMS_INBOUND_CPID": "cp-9",
            "SMS_INBOUND_ALLOW": "203.0.113.7, 198.51.100.0/24",
        },
        problems,
    )
    assert problems == []
    assert (chosen.inbound, chosen.inbound_cpid) == ("esms", "cp-9")
    assert chosen.inbound_allow == ("203.0.113.7/32", "198.51.100.0/24")
    assert sms_settings({}, problems).inbound == "signed"
    sms_settings({"SMS_INBOUND": "twilio", "SMS_INBOUND_ALLOW": "nowhere"}, problems)
    sms_settings({"SMS_INBOUND": "esms", "SMS_INBOUND_SECRET": ESMS_PRIVATE_KEY}, problems)
    assert problems == [
        "SMS_INBOUND must be 'signed' (the portal's signed JSON) or 'esms'",
        "SMS_INBOUND_ALLOW: 'nowhere' is not an IP address or network",
        "SMS_INBOUND_CPID (eSMS's cpid) is required with SMS_INBOUND=esms",
    ]
