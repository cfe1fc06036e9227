"""What a person on a phone meets on the two-step sign-in pages (the browser walk is
tests/browser/test_two_factor_journey.py): a refused code leaves the box empty and ready, the enrolment
page says at the top that the code was refused, every page has a way back, the recovery codes can be
printed, and the account's events are named in words on the admin's page."""

from __future__ import annotations

import re

import pytest

from tests.accounts.conftest import LEADER, PROCESSOR, code_at, password_step
from tests.accounts.test_routes import translated
from tests.accounts.test_two_factor import enrolment_secret, second_step
from tests.support.clients import fresh_client


def code_input(body: str, name: str = "code") -> str:
    return re.search(rf'<input[^>]*\bid="{name}"[^>]*>', body)[0]


def test_a_refused_code_leaves_the_box_empty_and_focused(app, enrol):
    secret = enrol(LEADER)
    client = fresh_client(app)
    password_step(client, LEADER)
    first = code_input(client.get("/login/two-factor").get_data(as_text=True))
    assert 'autocomplete="one-time-code"' in first and 'inputmode="numeric"' in first
    assert "autofocus" in first
    wrong = f"{(int(code_at(secret)) + 1) % 1_000_000:06d}"
    box = code_input(second_step(client, wrong).get_data(as_text=True))
    assert f'value="{wrong}"' not in box and 'value=""' in box  # retyping starts at once, nothing to delete
    assert "autofocus" in box and 'aria-describedby="code-error"' in box


def test_a_refused_recovery_code_opens_its_box_and_leaves_the_app_code_box_alone(app, enrol):
    enrol(LEADER)
    client = fresh_client(app)
    password_step(client, LEADER)
    body = second_step(client, recovery="AAAA-BBBB-CCCC").get_data(as_text=True)
    assert re.search(r'<details class="recovery" open>', body)
    assert 'value=""' in code_input(body, "recovery_code")
    assert "autofocus" not in code_input(body)  # the cursor is not pulled away from the open recovery box


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_enrolment_says_at_the_top_that_the_code_was_refused(app, require_two_factor, lang):
    require_two_factor()
    client = fresh_client(app)
    password_step(client, PROCESSOR)
    secret = enrolment_secret(client)
    wrong = f"{(int(code_at(secret)) + 1) % 1_000_000:06d}"
    response = client.post(f"/login/two-factor/setup?lang={lang}", data={"code": wrong})
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    alert = body.index(translated(app, lang, "The code was not accepted. Enter the code the app shows now."))
    assert alert < body.index('<img class="qr')  # above the QR code, not a screen below it
    assert re.search(r'role="alert"><a href="#code">', body)
    assert 'value=""' in code_input(body)


def test_enrolment_has_a_way_back(app, require_two_factor, login, client):
    # Sent there by the policy: "Cancel and start again" signs the half-signed session out.
    require_two_factor()
    half = fresh_client(app)
    password_step(half, PROCESSOR)
    body = half.get("/login/two-factor/setup").get_data(as_text=True)
    assert re.search(r'<form method="post" action="/logout" class="inline">', body)
    assert translated(app, "vi", "Cancel and start again") in body
    # Came of their own accord, signed in: back to the home page.
    require_two_factor(False)
    login(LEADER)
    body = client.get("/login/two-factor/setup").get_data(as_text=True)
    assert translated(app, "vi", "Not now, back to the home page") in body
    # The key is shown in groups of four that wrap only between groups (no break-all box).
    assert re.search(r'<p class="secret-key mono"[^>]*>([A-Z2-7]{4} )+[A-Z2-7]{1,4}</p>', body)


def test_the_recovery_codes_can_be_printed(app, require_two_factor):
    require_two_factor()
    client = fresh_client(app)
    password_step(client, PROCESSOR)
    secret = enrolment_secret(client)
    body = client.post("/login/two-factor/setup", data={"code": code_at(secret)}).get_data(as_text=True)
    assert len(re.findall(r"<li>[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}</li>", body)) == 10
    # Hidden until print.js shows it: without JavaScript there is no button that does nothing.
    assert re.search(r'<button type="button" class="secondary" data-print hidden>', body)
    assert "/static/js/print.js" in body


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_admin_reads_account_events_in_words(app, client, login, lang):
    from tests.support.factories import account

    login(LEADER)  # a "login" event on the leader's account
    client.post("/logout")
    login("admin")
    leader = account(LEADER)
    body = client.get(f"/staff/admin/accounts/{leader.id}?lang={lang}").get_data(as_text=True)
    assert translated(app, lang, "Signed in") in body
    # Issue 11 item 13: the account page shows the name only; the code stays in the audit log, marked
    # as not to be translated, for its Action filter.
    assert not re.search(r">\s*login\s*<", body)
    audit = client.get(f"/staff/audit?subject_type=account&lang={lang}").get_data(as_text=True)
    assert f'<span class="audit-action">{translated(app, lang, "Signed in")}</span>' in audit
    assert '<span class="mono" translate="no">login</span>' in audit
