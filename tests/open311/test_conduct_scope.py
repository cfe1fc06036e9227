"""An agency's API key and conduct complaints (portal.feedback.conduct): its scope is the routing the item
gets, so a commune's key cannot file a complaint about itself into the agency above, the key of the agency
above can, and the named unit never reads such a complaint back through the API."""

from __future__ import annotations

import json

from sqlalchemy import select

from portal.agencies.models import Agency
from portal.extensions import db
from portal.open311.models import ApiSubmission
from tests.support.feedback import TO_HIEU_COMMUNE, agency_id, by_code, feedback_count, make_item
from tests.support.open311 import API, issue_key, report

CONDUCT = "hanh-vi-can-bo"


def ward() -> int:
    """The People's Committee of the commune where the complaint's place is: the named unit."""
    return db.session.scalar(select(Agency.id).where(Agency.admin_unit_code == TO_HIEU_COMMUNE))


def _complaint(secret: str) -> dict:
    return report(
        secret, service_code=CONDUCT, description="Cán bộ phường đòi tiền bồi dưỡng khi làm giấy tờ."
    )


def test_the_named_units_key_cannot_file_a_complaint_into_the_agency_above(client):
    _key, secret = issue_key("Phường Tô Hiệu", agency_id=ward())
    before = feedback_count()
    response = client.post(f"{API}/requests.json", data=_complaint(secret))
    assert response.status_code == 403 and feedback_count() == before


def test_the_key_of_the_agency_the_complaint_goes_to_may_file_and_read_it(client):
    _key, secret = issue_key("UBND tỉnh", agency_id=agency_id("ubnd-tinh"))
    response = client.post(f"{API}/requests.json", data=_complaint(secret))
    assert response.status_code == 201
    code = json.loads(response.get_data())[0]["service_request_id"]
    item = by_code(code)
    assert (item.agency_id, item.named_agency_id) == (agency_id("ubnd-tinh"), ward())
    read = client.get(f"{API}/requests/{code}.json", query_string={"api_key": secret})
    assert read.status_code == 200


def test_the_named_unit_never_reads_a_complaint_back_even_one_its_key_sent(client):
    """An item filed before the scope check (or by a key whose agency changed): still not readable."""
    key, secret = issue_key("Phường Tô Hiệu", agency_id=ward())
    item = make_item(category=CONDUCT, agency=None, title="Cán bộ phường uống rượu trong giờ làm")
    item.answer = "Đã kiểm điểm cán bộ Nguyễn Văn A."
    db.session.add(ApiSubmission(api_key_id=key.id, feedback_id=item.id, client_reference=""))
    db.session.flush()
    assert item.named_agency_id == ward() != item.agency_id
    read = client.get(f"{API}/requests/{item.code}.json", query_string={"api_key": secret})
    assert read.status_code == 404 and "Nguyễn Văn A" not in read.get_data(as_text=True)
