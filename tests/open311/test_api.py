"""GeoReport v2 conformance (OPEN311.md §7): routes, formats, errors, filters, paging, jurisdiction."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from portal.extensions import db
from tests.support.feedback import make_item, publish
from tests.support.open311 import API, issue_key, report, xml_root

W3C_LOCAL = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$"


def _json(response):
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.get_data())


def test_discovery_lists_both_formats_and_every_required_field(client):
    body = _json(client.get(f"{API}/discovery.json"))
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(body)
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] in ("production", "test")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["changeset"].endswith("+07:00")
    root = xml_root(client.get(f"{API}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_in_both_formats_have_the_same_fields(client):
    services = _json(client.get(f"{API}/services.json"))
    assert services and all(s["type"] == "realtime" and s["metadata"] is True for s in services)
    codes = [s["service_code"] for s in services]
    assert "giao-thong" in codes
    response = client.get(f"{API}/services.xml")
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    root = xml_root(response)
    assert [s.findtext("service_code") for s in root.findall("service")] == codes
    assert {child.tag for child in root.find("service")} == set(services[0])


def test_service_names_follow_the_language(client):
    vi = _json(client.get(f"{API}/services.json"))
    en = _json(client.get(f"{API}/services.json?lang=en"))
    assert [s["service_code"] for s in vi] == [s["service_code"] for s in en]
    assert any(a["service_name"] != b["service_name"] for a, b in zip(vi, en, strict=True))


def test_service_definition_has_the_required_attributes(client):
    definition = _json(client.get(f"{API}/services/giao-thong.json"))
    assert definition["service_code"] == "giao-thong"
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert attributes["commune"]["required"] is True and attributes["consent"]["required"] is True
    assert {"key": "03670", "name": "Phường Chiềng Cơi"} in attributes["commune"]["values"]
    assert [a["order"] for a in definition["attributes"]] == sorted(
        a["order"] for a in definition["attributes"]
    )
    root = xml_root(client.get(f"{API}/services/giao-thong.xml"))
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key") is not None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_things_are_404_with_the_error_list(client, fmt):
    for path in (
        f"/services/nope.{fmt}",
        f"/requests/PA-000101-0001.{fmt}",
        f"/tokens/abc.{fmt}",
        f"/nothing.{fmt}",
    ):
        response = client.get(API + path)
        assert response.status_code == 404, path
        if fmt == "json":
            assert _json(response)[0]["code"] == 404
        else:
            root = xml_root(response)
            assert root.tag == "errors" and root.findtext("error/code") == "404"
            assert root.findtext("error/description")


def test_an_unknown_suffix_is_404_in_xml(client):
    response = client.get(f"{API}/services.html")
    assert response.status_code == 404
    assert xml_root(response).findtext("error/code") == "404"


def test_jurisdiction_is_optional_and_another_one_does_not_exist(client):
    assert client.get(f"{API}/services.json?jurisdiction_id=").status_code == 200
    assert client.get(f"{API}/services.json?jurisdiction_id=localhost").status_code == 200
    response = client.get(f"{API}/services.json?jurisdiction_id=hanoi.gov.vn")
    assert response.status_code == 404 and _json(response)[0]["description"] == "Unknown jurisdiction_id."


def test_requests_show_published_items_only_with_w3c_local_dates(client):
    shown = publish(make_item())
    hidden = make_item(title="Chưa công khai")
    db.session.flush()
    body = _json(client.get(f"{API}/requests.json"))
    codes = [r["service_request_id"] for r in body]
    assert shown.code in codes and hidden.code not in codes
    record = body[codes.index(shown.code)]
    assert record["status"] == "closed" and record["status_notes"] == shown.answer
    assert record["requested_datetime"].endswith("+07:00") and record["updated_datetime"].endswith("+07:00")
    assert client.get(f"{API}/requests/{hidden.code}.json").status_code == 404
    [one] = _json(client.get(f"{API}/requests/{shown.code.lower()}.json"))
    assert one == record


def test_status_filter_and_service_request_id_override(client):
    closed = publish(make_item())
    db.session.flush()
    assert closed.code not in [
        r["service_request_id"] for r in _json(client.get(f"{API}/requests.json?status=open"))
    ]
    both = _json(client.get(f"{API}/requests.json?status=open,closed"))
    assert closed.code in [r["service_request_id"] for r in both]
    assert client.get(f"{API}/requests.json?status=pending").status_code == 400
    # service_request_id overrides every other filter, even a contradicting one
    found = _json(
        client.get(f"{API}/requests.json?service_request_id={closed.code}&status=open&service_code=nope")
    )
    assert [r["service_request_id"] for r in found] == [closed.code]


def test_date_window_is_at_most_90_days(client):
    old = publish(make_item(now=datetime.now(UTC) - timedelta(days=120)))
    db.session.flush()
    assert old.code not in [r["service_request_id"] for r in _json(client.get(f"{API}/requests.json"))]
    start = (datetime.now(UTC) - timedelta(days=130)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (datetime.now(UTC) - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%S+07:00")
    window = _json(client.get(f"{API}/requests.json", query_string={"start_date": start, "end_date": end}))
    assert [r["service_request_id"] for r in window] == [old.code]
    too_long = client.get(f"{API}/requests.json", query_string={"start_date": start})
    assert too_long.status_code == 200  # start alone: 90 days from it
    wide = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}
    assert client.get(f"{API}/requests.json", query_string=wide).status_code == 400
    assert client.get(f"{API}/requests.json?start_date=yesterday").status_code == 400
    assert client.get(f"{API}/requests.json?start_date=&end_date=").status_code == 200  # empty = missing


def test_paging(client):
    items = [publish(make_item(title=f"Báo cáo {n}")) for n in range(3)]
    db.session.flush()
    codes = {item.code for item in items}
    first = _json(client.get(f"{API}/requests.json?page_size=2&page=1"))
    second = _json(client.get(f"{API}/requests.json?page_size=2&page=2"))
    assert len(first) == 2
    seen = [r["service_request_id"] for r in first + second]
    assert codes <= set(seen) and len(seen) == len(set(seen))
    assert client.get(f"{API}/requests.json?page_size=1001").status_code == 400
    assert client.get(f"{API}/requests.json?page=0").status_code == 400


def test_extensions_add_title_and_extended_status(client):
    item = publish(make_item())
    db.session.flush()
    [record] = _json(client.get(f"{API}/requests/{item.code}.json?extensions=true"))
    assert record["title"] == item.title
    assert record["extended_attributes"]["extended_status"] == "CLOSED"
    assert record["extended_attributes"]["portal_status"] == "answered"
    [plain] = _json(client.get(f"{API}/requests/{item.code}.json"))
    assert "extended_attributes" not in plain


def test_open_item_has_expected_datetime_from_the_deadline_engine(client):
    item = publish(make_item())
    from portal.agencies.models import Agency
    from portal.domain.feedback_status import FeedbackAction as A
    from portal.feedback import operations
    from tests.support.factories import make_account

    leader = make_account("leader", agency=db.session.get(Agency, item.agency_id))
    operations.staff_act(item, A.REOPEN, leader)
    db.session.flush()
    [record] = _json(client.get(f"{API}/requests/{item.code}.json"))
    assert record["status"] == "open"
    assert record["expected_datetime"] == f"{item.due_on.isoformat()}T17:00:00+07:00"


def test_updates_are_the_public_timeline(client):
    item = publish(make_item())
    db.session.flush()
    updates = _json(client.get(f"{API}/servicerequestupdates.json?service_request_id={item.code}"))
    assert [u["status"] for u in updates] == ["OPEN", "IN_PROGRESS", "CLOSED"]
    assert updates[-1]["description"].endswith(item.answer)
    assert all(u["updated_datetime"].endswith("+07:00") for u in updates)
    root = xml_root(client.get(f"{API}/servicerequestupdates.xml?service_request_id={item.code}"))
    assert root.tag == "service_request_updates" and len(root.findall("request_update")) == 3
    hidden = make_item()
    db.session.flush()
    assert client.get(f"{API}/servicerequestupdates.json?service_request_id={hidden.code}").status_code == 404
    recent = _json(client.get(f"{API}/servicerequestupdates.json"))
    assert item.code in {u["service_request_id"] for u in recent}
    assert hidden.code not in {u["service_request_id"] for u in recent}


def test_gets_need_no_key_and_posts_do(client):
    assert client.get(f"{API}/requests.json").status_code == 200
    for key in ("", "sl_wrong"):
        response = client.post(f"{API}/requests.xml", data=report(key))
        assert response.status_code == 403
        assert xml_root(response).findtext("error/code") == "403"
    _key, secret = issue_key()
    assert client.post(f"{API}/requests.json", data=report(secret)).status_code == 201
