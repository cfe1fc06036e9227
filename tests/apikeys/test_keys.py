"""API keys: issued once, stored hashed, revoked at once, audited; the admin page and the CLI."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.agencies.models import Agency
from portal.apikeys import operations
from portal.apikeys.models import ApiKey
from portal.domain.digests import sha256_hex
from portal.events.models import Event
from portal.extensions import db
from tests.support.feedback import agency_id
from tests.support.open311 import API, report

KEY = re.compile(r"sl_[A-Za-z0-9_-]{43}")


def _events(key: ApiKey) -> list[str]:
    return list(
        db.session.scalars(
            select(Event.action)
            .where(Event.subject_type == "api_key", Event.subject_id == key.id)
            .order_by(Event.id)
        )
    )


def test_a_key_is_stored_hashed_and_found_until_revoked(app):
    key, secret = operations.issue("Ứng dụng Sơn La", None)
    assert KEY.fullmatch(secret) and key.key_hash == sha256_hex(secret) and secret not in key.key_hash
    assert key.prefix == secret[:10]
    assert operations.find(secret) is key
    assert operations.find(secret + "x") is None and operations.find("") is None
    assert operations.revoke(key, None) is True and operations.revoke(key, None) is False
    assert operations.find(secret) is None
    assert _events(key) == ["issued", "revoked"]


def test_admin_issues_a_key_shown_once_and_revokes_it(client, login):
    login("admin")
    page = client.get("/staff/admin/api-keys")
    assert page.status_code == 200
    response = client.post(
        "/staff/admin/api-keys",
        data={
            "name": "Trung tâm IOC",
            "agency": str(agency_id("so-y-te")),
            "writes_per_hour": "10",
            "reads_per_hour": "100",
        },
    )
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = KEY.search(response.get_data(as_text=True))[0]
    key = db.session.scalar(select(ApiKey).where(ApiKey.name == "Trung tâm IOC"))
    assert key.agency_id == agency_id("so-y-te") and key.writes_per_hour == 10
    assert secret not in client.get("/staff/admin/api-keys").get_data(as_text=True)  # never again
    assert _events(key) == ["issued"]
    assert client.post(f"/staff/admin/api-keys/{key.id}/revoke").status_code == 302
    assert key.revoked_at is not None and _events(key) == ["issued", "revoked"]
    assert client.post(f"{API}/requests.json", data=report(secret)).status_code == 403


def test_admin_form_errors(client, login):
    login("admin")
    response = client.post(
        "/staff/admin/api-keys",
        data={"name": "", "agency": "0", "writes_per_hour": "0", "reads_per_hour": "5"},
    )
    assert response.status_code == 400
    assert db.session.scalar(select(ApiKey)) is None


def test_cli_create_list_revoke(app):
    runner = app.test_cli_runner()  # the app's CLI runs in this test's rolled-back transaction
    health = db.session.get(Agency, agency_id("so-y-te"))
    created = runner.invoke(
        args=["api-key", "create", "--name", "Báo Sơn La", "--agency", health.code.lower()]
    )
    assert created.exit_code == 0, created.output
    secret = KEY.search(created.output)[0]
    key = operations.find(secret)
    assert key is not None and key.agency_id == health.id
    listed = runner.invoke(args=["api-key", "list"])
    assert f"{key.id}\t{key.prefix}" in listed.output and secret not in listed.output
    assert runner.invoke(args=["api-key", "revoke", str(key.id)]).exit_code == 0
    assert operations.find(secret) is None
    assert runner.invoke(args=["api-key", "create", "--name", "x", "--agency", "NOPE"]).exit_code != 0
    assert runner.invoke(args=["api-key", "revoke", "999999"]).exit_code != 0
