"""Privacy by construction: no endpoint of the API shows a personal field, in either format.

The items below carry every kind of personal data the portal holds about a reporter (phone in every
spelling, e-mail, the CCCD of their dossier, a house number, a name they did not publish, the precise pin,
an internal note, an officer's name, a request for information) plus an item that is not published. Every
GET route of the blueprint must be in ENDPOINTS (a new route fails the test until it is added), and none
may show any of those strings, with or without `extensions=true`, in JSON or XML, in Vietnamese or English.
"""

from __future__ import annotations

from datetime import date

import pytest

from portal.agencies.models import Agency
from portal.domain.feedback_status import FeedbackAction as A
from portal.extensions import db
from portal.feedback import operations
from tests.support.dossiers import make_dossier
from tests.support.factories import make_account
from tests.support.feedback import make_item, publish
from tests.support.open311 import API, issue_key, report

PHONE, EMAIL, CCCD = "+84987654321", "bi.mat@example.com", "014190009876"
HIDDEN_NAME, SHOWN_NAME = "Quàng Văn Kín", "Cầm Thị Công"
HOUSE = "Số nhà 47, ngõ 12"
PIN = (21.326789, 103.912345)
NOTE, INFO, OFFICER = "Ghi chú nội bộ: người này hay gọi điện", "Cho biết số nhà của ông", "Đinh Công Cán Bộ"
UNPUBLISHED = "Báo cáo chưa công khai của bà Kín"
PERSONAL = [
    PHONE,
    "0987654321",
    "0987 654 321",
    "987654321",
    "987 654 321",
    EMAIL,
    CCCD,
    HIDDEN_NAME,
    HOUSE,
    "47, ngõ",
    "21.326",
    "103.912",
    "21.3267",
    NOTE,
    INFO,
    OFFICER,
    UNPUBLISHED,
    "token_hash",
    "form_nonce",
    "consent_at",
    "ip_address",
]


@pytest.fixture
def items(client):
    make_dossier(**{"name": HIDDEN_NAME, "id_number": CCCD, "phone": PHONE, "email": EMAIL})
    hidden = make_item(phone=PHONE, email=EMAIL, contact_name=HIDDEN_NAME, show_name=False)
    hidden.address, (hidden.latitude, hidden.longitude) = HOUSE, PIN
    agency = db.session.get(Agency, hidden.agency_id)
    officer = make_account("processor", agency=agency, full_name=OFFICER)
    leader = make_account("leader", agency=agency)
    operations.staff_act(hidden, A.NOTE, officer, note=NOTE)
    operations.staff_act(hidden, A.REQUEST_INFO, officer, note=INFO)
    operations.supply_info(hidden, "Nhà tôi ở " + HOUSE)
    operations.staff_act(hidden, A.ANSWER, officer, note="Đã cho máy xúc dọn xong.")
    operations.staff_act(hidden, A.REOPEN, leader)  # open again: expected_datetime is shown
    shown = publish(make_item(phone=PHONE, email=EMAIL, contact_name=SHOWN_NAME, show_name=True))
    make_item(title=UNPUBLISHED, description=UNPUBLISHED + " ở " + HOUSE, phone=PHONE, email=EMAIL)
    db.session.flush()
    return hidden, shown


def endpoints(hidden, shown) -> list[str]:
    return [
        "/discovery.{fmt}",
        "/services.{fmt}",
        "/services/giao-thong.{fmt}",
        "/requests.{fmt}",
        "/requests.{fmt}?status=open,closed&service_code=giao-thong",
        f"/requests.{{fmt}}?service_request_id={hidden.code},{shown.code}",
        f"/requests/{hidden.code}.{{fmt}}",
        f"/requests/{shown.code}.{{fmt}}",
        "/tokens/abc.{fmt}",
        "/servicerequestupdates.{fmt}",
        f"/servicerequestupdates.{{fmt}}?service_request_id={hidden.code}",
    ]


def test_every_get_route_is_checked(app, items):
    checked = {path.split("?")[0] for path in endpoints(*items)}
    patterns = {
        rule.rule.removeprefix(API)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("open311.")
        and "GET" in rule.methods
        and rule.endpoint != "open311.unknown"
    }
    # each route pattern is matched by one of the checked paths
    import re

    for pattern in patterns:
        regex = (
            "^"
            + re.sub(r"<[^>]+>", "[^/]+", re.escape(pattern).replace(r"\<", "<").replace(r"\>", ">"))
            + "$"
        )
        regex = regex.replace(r"\{fmt\}", "")
        assert any(re.match(regex, path.replace("{fmt}", "json")) for path in checked), pattern


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("extensions", ["", "true"])
def test_no_personal_field_on_any_endpoint(client, items, fmt, lang, extensions):
    hidden, shown = items
    for path in endpoints(hidden, shown):
        url = API + path.format(fmt=fmt)
        url += ("&" if "?" in url else "?") + f"lang={lang}&extensions={extensions}"
        response = client.get(url)
        assert response.status_code in (200, 404), url
        body = response.get_data(as_text=True)
        leaked = [field for field in PERSONAL if field in body]
        assert not leaked, (url, leaked)
        if extensions != "true":
            assert SHOWN_NAME not in body, url  # a published name only with the extension


def test_the_other_machine_endpoints(client, items):
    """The OpenAPI description, the /api page and the IOC's statistics feed (counts only) show nothing
    personal either. The dossier export is the one machine endpoint that carries the applicant's identity,
    as the national portal's synchronisation requires: it answers only a key or an officer of the agency,
    and each export is audited (tests/exports/)."""
    _key, secret = issue_key("IOC")
    bodies = [
        client.get("/openapi.json").get_data(as_text=True),
        client.get("/api").get_data(as_text=True),
        client.get(
            "/exports/v1/statistics.json",
            headers={"X-API-Key": secret},
            query_string={"day": date.today().isoformat()},
        ).get_data(as_text=True),
    ]
    for body in bodies:
        assert not [field for field in PERSONAL if field in body]
    assert client.get("/exports/v1/dossiers.json").status_code == 403


def test_what_is_shown_instead(client, items):
    hidden, shown = items
    import json

    [record] = json.loads(client.get(f"{API}/requests/{hidden.code}.json?extensions=true").get_data())
    assert (record["lat"], record["long"]) == (21.33, 103.91)  # ~1 km, not the house
    assert record["address"] == "Phường Chiềng Cơi, Sơn La"
    assert record["extended_attributes"]["reporter_name"] is None
    assert record["expected_datetime"] and record["status"] == "open"
    [public] = json.loads(client.get(f"{API}/requests/{shown.code}.json?extensions=true").get_data())
    assert public["extended_attributes"]["reporter_name"] == SHOWN_NAME  # published with their consent


def test_the_answer_to_a_post_shows_nothing_personal(client):
    _key, secret = issue_key()
    response = client.post(
        f"{API}/requests.json", data=report(secret, phone=PHONE, email=EMAIL, first_name=HIDDEN_NAME)
    )
    assert response.status_code == 201
    body = response.get_data(as_text=True)
    assert not [field for field in PERSONAL if field in body]


def test_serializer_is_an_allowlist():
    from portal.open311 import serializers

    assert serializers.REQUEST_FIELDS == (
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    )
