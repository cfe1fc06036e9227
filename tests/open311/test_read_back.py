"""A client reads back the report it created before the agency publishes it, and nobody else can."""

from __future__ import annotations

import json

import pytest

from portal.apikeys import operations as keys
from tests.support.feedback import by_code, publish
from tests.support.open311 import API, issue_key, report, xml_root


def _create(client, secret: str, **overrides) -> str:
    response = client.post(f"{API}/requests.json", data=report(secret, **overrides))
    assert response.status_code == 201
    return json.loads(response.get_data())[0]["service_request_id"]


def _read(client, code: str, secret: str | None = None, fmt: str = "json"):
    query = {"api_key": secret} if secret is not None else {}
    return client.get(f"{API}/requests/{code}.{fmt}", query_string=query)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_creating_key_reads_its_unpublished_report(client, fmt):
    _key, secret = issue_key()
    description = "Đèn đường bản Hua La tắt cả tuần, cả bản phải đi trong bóng tối."
    code = _create(client, secret, description=description)
    assert not by_code(code).is_published

    response = _read(client, code, secret, fmt)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"  # never kept by a shared cache
    if fmt == "json":
        shown = json.loads(response.get_data())[0]
        assert shown["service_request_id"] == code and shown["status"] == "open"
        assert shown["description"] == description and shown["media_url"] is None
    else:
        root = xml_root(response)
        assert root.findtext("request/service_request_id") == code
        assert root.findtext("request/status") == "open"


def test_extensions_give_no_public_address_before_publication(client):
    _key, secret = issue_key()
    code = _create(client, secret)
    response = client.get(
        f"{API}/requests/{code}.json", query_string={"api_key": secret, "extensions": "true"}
    )
    extended = json.loads(response.get_data())[0]["extended_attributes"]
    assert extended["public_url"] is None and extended["photos"] == []


def test_nobody_else_reads_an_unpublished_report(client):
    key, secret = issue_key()
    code = _create(client, secret)
    _other, other_secret = issue_key("Ứng dụng khác")
    assert _read(client, code).status_code == 404  # no key: as if it did not exist
    assert _read(client, code, other_secret).status_code == 404  # another client's key
    assert _read(client, code, "not-a-key").status_code == 404
    keys.revoke(key, None)
    assert _read(client, code, secret).status_code == 404  # a revoked key reads nothing


def test_published_reports_stay_public_and_cacheable(client):
    _key, secret = issue_key()
    code = _create(client, secret)
    publish(by_code(code), answer="Đã thay bóng đèn.")
    public = _read(client, code)
    assert public.status_code == 200
    assert "no-store" not in public.headers.get("Cache-Control", "")
