"""Sign-in lands staff on their queue, and every staff page is reachable from the staff menu (issue 16 item 8).

Every staff page without a parameter that a role may open is found by following links from the page the role
lands on after signing in (the menu, then the pages it links, e.g. the administration index): no page needs
an address typed by hand. /staff/payments (unmatched transfers, statement import) was linked from nowhere."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from portal.extensions import db
from tests.support.clients import fresh_client, password_of
from tests.support.factories import fresh

ROLES = ("receptionist", "processor", "leader", "agency_admin", "admin", "finance")
LANDING = {role: "/staff/queue" for role in ROLES} | {"finance": "/staff/payments"}
LINK = re.compile(r'href="(/staff[^"#?]*)')


def sign_in_plainly(app, role: str):
    """Sign in with no ?next=: where does the portal send this role?"""
    account = fresh(role)
    db.session.commit()
    client = fresh_client(app)
    response = client.post("/login", data={"email": account.email, "password": password_of(account)})
    assert response.status_code == 302
    return client, urlsplit(response.headers["Location"]).path


@pytest.mark.parametrize("role", ROLES)
def test_sign_in_lands_staff_on_their_queue(app, role):
    _client, landing = sign_in_plainly(app, role)
    assert landing == LANDING[role]


def test_a_citizen_still_lands_on_the_home_page(app):
    _client, landing = sign_in_plainly(app, "citizen")
    assert landing == "/"


def staff_pages(app) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/staff") and "GET" in rule.methods and "<" not in rule.rule
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_staff_page_a_role_may_open_is_linked_from_its_menu(app, role):
    client, landing = sign_in_plainly(app, role)
    reached, frontier = {landing}, [landing]
    for _depth in range(3):  # the menu, the pages it links (the administration index), their "new" forms
        found = []
        for page in frontier:
            body = client.get(page).get_data(as_text=True)
            found += [link for link in LINK.findall(body) if link not in reached]
        reached.update(found)
        frontier = sorted(set(found))
    may_open = [page for page in staff_pages(app) if client.get(page).status_code == 200]
    assert may_open, role
    unlinked = [page for page in may_open if page not in reached and page.rstrip("/") not in reached]
    assert unlinked == [], role
