"""The citizen routes of issue 18 item 5 × every role: the reply (with photos) and "hide my name" pass only
for the report's own citizen (its account, or a browser given access); for everyone else, staff of the
item's agency and the province admin included, the report does not exist (404) and nothing changes."""

from __future__ import annotations

import pytest

from portal.agencies.models import Agency
from portal.domain.feedback_status import FeedbackAction as A
from portal.extensions import db
from portal.feedback import operations
from tests.support.clients import fresh_client, sign_in
from tests.support.factories import make_account
from tests.support.feedback import make_item

ROLES = ["anonymous", "citizen", "receptionist", "processor", "leader", "agency_admin", "admin", "finance"]
ROUTES = {"reply": "/feedback/{code}/reply", "hide_name": "/my-data/feedback/{code}/hide-name"}


@pytest.fixture
def item():
    owner = make_account("citizen")
    found = make_item(show_name=True, citizen=owner)
    officer = make_account("processor", agency=db.session.get(Agency, found.agency_id))
    operations.staff_act(found, A.REQUEST_INFO, officer, note="Xin thêm ảnh.")
    return found, owner


def client_as(app, role: str, agency_id: int):
    client = fresh_client(app)
    if role != "anonymous":
        agency = db.session.get(Agency, agency_id) if role not in ("citizen", "admin", "finance") else None
        sign_in(client, make_account(role, agency=agency) if agency else make_account(role))
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_only_the_reports_own_citizen_passes(app, item, role, route):
    found, _owner = item
    client = client_as(app, role, found.agency_id)
    answer = client.post(ROUTES[route].format(code=found.code), data={"text": "Ảnh đây."})
    assert answer.status_code == 404, (route, role)
    db.session.refresh(found)
    assert found.status == "info_requested" and found.show_name


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_the_owner_account_passes(app, item, route):
    found, owner = item
    client = fresh_client(app)
    sign_in(client, owner)
    answer = client.post(ROUTES[route].format(code=found.code), data={"text": "Ảnh đây."})
    assert answer.status_code == 302
    db.session.refresh(found)
    assert (found.status == "accepted") if route == "reply" else not found.show_name


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_post_without_the_csrf_token_is_refused(app, item, monkeypatch, route):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    found, owner = item
    client = fresh_client(app)
    with client.session_transaction() as session:
        session["feedback_access"] = [found.id]
    answer = client.post(ROUTES[route].format(code=found.code), data={"text": "Ảnh đây."})
    assert answer.status_code == 400
    db.session.refresh(found)
    assert found.status == "info_requested" and found.show_name
