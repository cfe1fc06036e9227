"""schemathesis against /openapi.json on the WSGI app with the seeded database (SQLite, or PostgreSQL with
TEST_DATABASE_URL): every documented operation, its parameters generated from the description; any 5xx,
undocumented status, wrong content type or body that breaks its schema fails the test."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from portal.extensions import db
from portal.open311.openapi import document
from tests.support.feedback import make_item, publish

# The same document the app serves (test_served_description_is_this_one checks it).
schema = schemathesis.openapi.from_dict(document("http://localhost"))


@pytest.fixture
def seeded(app):
    publish(make_item())  # at least one published request besides the demo's
    db.session.flush()
    return app


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same cases on every run: CI is reproducible
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_to_its_description(seeded, case):
    # Identity encoding: schemathesis's WSGI client does not un-gzip. Not checked: "a schema-valid request
    # must be accepted", because the spec's cross-parameter rules (start_date before end_date, at most 90
    # days apart, a real calendar date) cannot be written in OpenAPI; such a request gets a documented 400.
    case.call_and_validate(
        app=seeded, headers={"Accept-Encoding": "identity"}, excluded_checks=[positive_data_acceptance]
    )


def test_served_description_is_this_one(client):
    assert client.get("/openapi.json").get_json() == document("http://localhost")


def test_the_description_is_openapi_3_1(client):
    body = client.get("/openapi.json").get_json()
    assert body["openapi"] == "3.1.0"
    paths = set(body["paths"])
    for fmt in ("json", "xml"):
        for path in ("discovery", "services", "requests", "servicerequestupdates"):
            assert f"/open311/v2/{path}.{fmt}" in paths
    assert {"/healthz", "/readyz", "/webhooks/bank"} <= paths


def test_the_human_page(client):
    for lang in ("vi", "en"):
        response = client.get(f"/api?lang={lang}")
        assert response.status_code == 200 and "/openapi.json" in response.get_data(as_text=True)
