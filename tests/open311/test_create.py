"""POST requests: the web form's item, code, deadline, routing, receipt e-mail, duplicate and limit rules."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from portal import throttle
from portal.apikeys import operations as keys
from portal.domain.codes import parse_feedback_code
from portal.extensions import db
from portal.feedback.models import Feedback
from portal.jobs.models import OutboxJob
from portal.open311.models import ApiSubmission
from tests.support.factories import HEALTH
from tests.support.feedback import agency_id as agency_of
from tests.support.feedback import by_code, events_of, feedback_count, receipt_code, web_submit
from tests.support.open311 import API, issue_key, report, with_mail, xml_root


def _post(client, data, fmt="json"):
    return client.post(f"{API}/requests.{fmt}", data=data)


def _code(response) -> str:
    return json.loads(response.get_data())[0]["service_request_id"]


def _receipts(code: str) -> list[OutboxJob]:
    return list(
        db.session.scalars(select(OutboxJob).where(OutboxJob.key == f"mail:feedback:{code}:submitted"))
    )


def test_api_and_web_form_make_the_same_item(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", with_mail(app))
    _key, secret = issue_key()
    assert web_submit(client, latitude="21.3256", longitude="103.9188").status_code == 302
    web = by_code(receipt_code(client))
    response = _post(client, report(secret, **{"attribute[title]": "Sạt lở đường vào bản Hua La"}))
    assert response.status_code == 201
    api = by_code(_code(response))
    parse_feedback_code(api.code)  # the same code format, from the same daily sequence
    assert parse_feedback_code(api.code)[1] == parse_feedback_code(web.code)[1] + 1
    same = (
        "category_id",
        "agency_id",
        "admin_unit_code",
        "title",
        "description",
        "status",
        "received_on",
        "due_on",
        "queue_due",
        "phone",
        "email",
        "consent_version",
        "is_published",
        "latitude",
        "longitude",
    )
    assert {name: getattr(api, name) for name in same} == {name: getattr(web, name) for name in same}
    assert api.contact_name == "Pọm Lò Văn" and api.public_search_key and api.search_key
    assert [e.action for e in events_of(api)] == [e.action for e in events_of(web)] == ["submitted"]
    assert len(_receipts(api.code)) == 1 and len(_receipts(web.code)) == 1  # the receipt, via the outbox
    assert (
        db.session.scalar(select(ApiSubmission.api_key_id).where(ApiSubmission.feedback_id == api.id))
        == _key.id
    )


def test_xml_answer_and_service_notice(client):
    _key, secret = issue_key()
    response = _post(client, report(secret), "xml")
    assert response.status_code == 201 and response.headers["Content-Type"] == "text/xml; charset=utf-8"
    root = xml_root(response)
    assert root.tag == "service_requests"
    code = root.findtext("request/service_request_id")
    assert by_code(code).due_on is not None and root.findtext("request/service_notice")
    assert root.find("request/token") is None  # an id, never a token


def test_the_same_report_twice_makes_one_item(client):
    key, secret = issue_key()
    before = feedback_count()
    first = _post(client, report(secret))
    again = _post(client, report(secret))
    assert (first.status_code, again.status_code) == (201, 200)
    assert _code(first) == _code(again) and feedback_count() == before + 1
    # The client's own reference is the form: a corrected resend is still the same report.
    one = _post(
        client,
        report(
            secret,
            description="Cây đổ chắn ngang đường bản Hua La.",
            **{"attribute[client_reference]": "app-77"},
        ),
    )
    two = _post(
        client,
        report(
            secret,
            description="Cây đổ chắn ngang đường, bản Hua La!",
            **{"attribute[client_reference]": "app-77"},
        ),
    )
    assert _code(one) == _code(two)
    # Another key sending the same content is another client: its own report.
    _other, other_secret = issue_key("Ứng dụng khác")
    assert _code(_post(client, report(other_secret))) != _code(first)


def test_per_key_write_limit(client):
    _key, secret = issue_key(writes_per_hour=2)
    for n in range(2):
        assert (
            _post(
                client, report(secret, description=f"Ổ gà lớn giữa đường số {n} gây nguy hiểm.")
            ).status_code
            == 201
        )
    limited = _post(client, report(secret, description="Ổ gà lớn giữa đường số 3 gây nguy hiểm."), "xml")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert xml_root(limited).findtext("error/code") == "429"


def test_the_phone_has_one_daily_budget_for_web_and_api(client):
    _key, secret = issue_key()
    for _ in range(20):
        throttle.hit("feedback:phone:+84912345678", 86400)  # 20 reports already sent from this phone
    response = _post(client, report(secret))
    assert response.status_code == 429
    assert "phone" in json.loads(response.get_data())[0]["description"]


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"service_code": None}, 400),
        ({"service_code": "nope"}, 404),
        ({"lat": None, "long": None}, 400),
        ({"long": None}, 400),
        ({"lat": "10.77", "long": "106.70"}, 400),  # Ho Chi Minh City
        ({"lat": "north"}, 400),
        ({"attribute[commune]": None}, 400),
        ({"attribute[commune]": "99999"}, 400),
        ({"attribute[consent]": None}, 400),
        ({"description": "<script>alert(1)</script> đường hỏng"}, 400),
        ({"description": "x" * 4001}, 400),
        ({"description": "ngắn"}, 400),
        ({"phone": None}, 400),
        ({"phone": "0212 385 1234"}, 400),  # a landline
        ({"email": "not-an-address"}, 400),
        ({"attribute[client_reference]": "a b"}, 400),
    ],
)
def test_refused_posts(client, change, status):
    _key, secret = issue_key()
    before = feedback_count()
    response = _post(client, report(secret, **change))
    assert response.status_code == status, response.get_data(as_text=True)
    assert json.loads(response.get_data())[0]["code"] == status
    assert feedback_count() == before


def test_address_string_or_address_id_are_locations_too(client):
    _key, secret = issue_key()
    by_text = _post(client, report(secret, lat=None, long=None, address_string="Bản Hua La, km 3"))
    assert by_text.status_code == 201 and by_code(_code(by_text)).address == "Bản Hua La, km 3"
    by_id = _post(
        client,
        report(
            secret,
            lat=None,
            long=None,
            address_id="03670",
            description="Đèn đường hỏng cả tuần nay.",
            **{"attribute[commune]": None},
        ),
    )
    assert by_id.status_code == 201 and by_code(_code(by_id)).admin_unit_code == "03670"


def test_revoked_key_and_agency_scope(client):
    key, secret = issue_key()
    keys.revoke(key, None)
    assert _post(client, report(secret)).status_code == 403
    _health, health_secret = issue_key("Sở Y tế", agency_id=agency_of(HEALTH))
    before = feedback_count()
    response = _post(client, report(health_secret))  # a road report goes to another agency
    assert response.status_code == 403 and feedback_count() == before


def test_no_csrf_token_needed_for_the_api_only(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    _key, secret = issue_key()
    assert _post(client, report(secret)).status_code == 201
    assert web_submit(client).status_code == 400  # the web form still wants its token


def test_nothing_is_stored_for_an_item_of_another_key(client):
    _key, secret = issue_key()
    code = _code(_post(client, report(secret)))
    item = db.session.scalar(select(Feedback).where(Feedback.code == code))
    assert item is not None and not item.is_published
    assert client.get(f"{API}/requests/{code}.json").status_code == 404  # unpublished: not shown to anyone
