"""/staff/audit: the Event log for leaders and admins. Filters (actor, subject, action, dates), keyset pages
newest first (?before=<id>), a leader sees their agency's subjects only, and a page costs the same number
of queries whatever its length (no N+1)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from portal.accounts.operations import create_account
from portal.agencies.models import Agency
from portal.dossiers.models import Dossier
from portal.events.models import Event
from portal.events.operations import record
from portal.extensions import db
from tests.support.clients import fresh_client, signed_in
from tests.support.factories import account
from tests.support.feedback import make_item

ADMIN, LEADER, PROCESSOR = "admin", "leader", "processor"  # this test's fresh accounts of Tô Hiệu ward
ID = re.compile(r'<span class="mono event-id">#(\d+)</span>')


def shown_ids(response) -> list[int]:
    text = response.get_data(as_text=True)
    response.close()
    return [int(number) for number in ID.findall(text)]


def next_link(response) -> str | None:
    match = re.search(r'href="([^"]+)" rel="next"', response.get_data(as_text=True))
    return match[1].replace("&amp;", "&") if match else None


def a_dossier(slug: str = "ubnd-phuong-to-hieu") -> Dossier:
    return db.session.scalar(
        select(Dossier).where(Dossier.agency.has(slug=slug)).order_by(Dossier.id).limit(1)
    )


def actor_id(who: str) -> int:
    return account(who).id


def email(who: str) -> str:
    return account(who).email


def burst(action: str, count: int, subject=("dossier", None), actor: str | None = PROCESSOR) -> list[int]:
    kind, subject_id = subject
    subject_id = subject_id or a_dossier().id
    ids = [
        record(kind, subject_id, action, actor_id=actor_id(actor) if actor else None).id for _ in range(count)
    ]
    db.session.flush()
    return ids


def test_newest_first_in_keyset_pages_without_gaps_or_repeats(app):
    made = burst("audit_test", 120)
    client = signed_in(app, ADMIN)
    url, pages = "/staff/audit?action=audit_test", []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(shown_ids(response))
        url = next_link(response)
        assert url is None or "before=" in url and "action=audit_test" in url
    assert [len(page) for page in pages] == [50, 50, 20]
    everything = [number for page in pages for number in page]
    assert everything == sorted(made, reverse=True)


def test_a_page_deep_in_the_log_starts_right_before_the_given_id(app):
    made = burst("audit_test", 10)
    response = signed_in(app, ADMIN).get(f"/staff/audit?action=audit_test&before={made[4]}")
    assert shown_ids(response) == sorted(made[:4], reverse=True)


def test_filter_by_actor(app):
    by_processor = burst("audit_test", 3)
    by_leader = burst("audit_test", 2, actor=LEADER)
    client = signed_in(app, ADMIN)
    assert shown_ids(
        client.get(f"/staff/audit?action=audit_test&actor={email(PROCESSOR).upper()}")
    ) == sorted(by_processor, reverse=True)
    assert shown_ids(client.get(f"/staff/audit?action=audit_test&actor={email(LEADER)}")) == sorted(
        by_leader, reverse=True
    )
    assert shown_ids(client.get("/staff/audit?actor=nobody@example.vn")) == []


def test_filter_by_subject_code_email_date_or_id(app):
    dossier = a_dossier()
    item = make_item()
    client = signed_in(app, ADMIN)
    dossier_events = db.session.scalars(
        select(Event.id)
        .where(Event.subject_type == "dossier", Event.subject_id == dossier.id)
        .order_by(Event.id.desc())
    ).all()
    assert dossier_events
    assert (
        shown_ids(client.get(f"/staff/audit?subject_type=dossier&subject={dossier.code.lower()}"))
        == dossier_events
    )
    assert shown_ids(client.get(f"/staff/audit?subject_type=dossier&subject={dossier.id}")) == dossier_events
    feedback_events = db.session.scalars(
        select(Event.id)
        .where(Event.subject_type == "feedback", Event.subject_id == item.id)
        .order_by(Event.id.desc())
    ).all()
    assert shown_ids(client.get(f"/staff/audit?subject_type=feedback&subject={item.code}")) == feedback_events
    created = db.session.scalar(
        select(Event.id).where(
            Event.subject_type == "account",
            Event.subject_id == actor_id(PROCESSOR),
            Event.action == "account_created",
        )
    )
    assert created in shown_ids(client.get(f"/staff/audit?subject_type=account&subject={email(PROCESSOR)}"))
    day = record("calendar_day", 20270104, "calendar_day_added", actor_id=actor_id(ADMIN)).id
    assert shown_ids(client.get("/staff/audit?subject_type=calendar_day&subject=2027-01-04")) == [day]
    assert shown_ids(client.get("/staff/audit?subject_type=dossier&subject=XX-000000-0000")) == []
    newest_dossier_events = db.session.scalars(
        select(Event.id).where(Event.subject_type == "dossier").order_by(Event.id.desc()).limit(50)
    ).all()
    assert shown_ids(client.get("/staff/audit?subject_type=dossier")) == newest_dossier_events


def test_filter_by_action_and_dates_in_local_time(app):
    dossier = a_dossier()
    stamps = {  # UTC instants; local (UTC+7) dates in the comments
        "late-28": datetime(2026, 2, 28, 16, 59, tzinfo=UTC),  # 28/02 23:59
        "early-1": datetime(2026, 2, 28, 17, 0, tzinfo=UTC),  # 01/03 00:00
        "late-2": datetime(2026, 3, 2, 16, 59, tzinfo=UTC),  # 02/03 23:59
        "early-3": datetime(2026, 3, 2, 17, 0, tzinfo=UTC),  # 03/03 00:00
    }
    ids = {}
    for name, moment in stamps.items():
        row = Event(
            occurred_at=moment, subject_type="dossier", subject_id=dossier.id, action="dated_test", note=name
        )
        db.session.add(row)
        db.session.flush()
        ids[name] = row.id
    client = signed_in(app, ADMIN)
    assert shown_ids(client.get("/staff/audit?action=dated_test&since=2026-03-01&until=2026-03-02")) == [
        ids["late-2"],
        ids["early-1"],
    ]
    assert shown_ids(client.get("/staff/audit?action=dated_test&since=2026-03-03")) == [ids["early-3"]]
    assert shown_ids(client.get("/staff/audit?action=dated_test&until=2026-02-28")) == [ids["late-28"]]
    assert len(shown_ids(client.get("/staff/audit?action=DATED_TEST"))) == 4


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=2026-02-30", "Not a valid date value."),
        ("since=2026-03-05&until=2026-03-01", "The end date is before the start date."),
        ("subject_type=planet", "Not a valid choice."),
        ("subject=PA-261123-0001", "Choose what kind of subject this is."),
    ],
)
def test_bad_filters_answer_400_with_the_reason(app, query, message):
    response = signed_in(app, ADMIN).get(f"/staff/audit?lang=en&{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert shown_ids(response) == []


def test_a_leader_sees_the_subjects_of_their_agency_only(app):
    own_dossier = a_dossier()
    own_item = make_item()
    other_item = make_item(agency="so-y-te")
    health = db.session.scalar(select(Agency).where(Agency.slug == "so-y-te"))
    outsider = create_account(
        email="bacsi@soyte.example.vn",
        password="Kh0ng-doan-duoc-2026!",
        full_name="Nguyễn Văn Khác",
        role="processor",
        agency_slug="so-y-te",
    )
    visible = [
        record("dossier", own_dossier.id, "scope_test").id,
        record("feedback", own_item.id, "scope_test").id,
        record("account", actor_id(PROCESSOR), "scope_test").id,
        record("agency", own_dossier.agency_id, "scope_test").id,
        # done by another agency's officer, but to this agency's item: visible
        record("feedback", own_item.id, "scope_test", actor_id=outsider.id).id,
    ]
    hidden = [
        record("feedback", other_item.id, "scope_test", actor_id=actor_id(PROCESSOR)).id,
        record("account", outsider.id, "scope_test").id,
        record("account", actor_id(ADMIN), "scope_test").id,
        record("agency", health.id, "scope_test").id,
        record("calendar_day", 20270104, "scope_test").id,
        record("vietqr_account", 1, "scope_test").id,
    ]
    db.session.flush()
    leader = signed_in(app, LEADER)
    assert shown_ids(leader.get("/staff/audit?action=scope_test")) == sorted(visible, reverse=True)
    assert shown_ids(leader.get(f"/staff/audit?subject_type=feedback&subject={other_item.code}")) == []
    admin = signed_in(app, ADMIN)
    assert shown_ids(admin.get("/staff/audit?action=scope_test")) == sorted(visible + hidden, reverse=True)
    # a feedback item forwarded to the leader's agency brings its history along
    other_item.agency_id = own_item.agency_id
    db.session.flush()
    assert hidden[0] in shown_ids(leader.get("/staff/audit?action=scope_test"))


def test_ip_addresses_for_the_province_admin_only(app):
    fresh_client(app, remote_addr="10.9.8.7").post(
        "/login", data={"email": email(PROCESSOR), "password": "wrong"}
    ).close()
    assert "10.9.8.7" in signed_in(app, ADMIN).get("/staff/audit?action=login_failed").get_data(as_text=True)
    assert "10.9.8.7" not in signed_in(app, LEADER).get("/staff/audit?action=login_failed").get_data(
        as_text=True
    )


def count_queries(client, url: str) -> int:
    engine = db.session.get_bind()
    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    target = engine.engine if hasattr(engine, "engine") else engine
    sa_event.listen(target, "before_cursor_execute", seen)
    try:
        response = client.get(url)
        assert response.status_code == 200
        response.close()
    finally:
        sa_event.remove(target, "before_cursor_execute", seen)
    return len(statements)


def test_a_page_costs_the_same_queries_for_3_or_50_events(app):
    item = make_item()
    for action, count in (("few_test", 1), ("many_test", 17)):
        burst(action, count)
        burst(action, count, subject=("feedback", item.id))
        burst(action, count, subject=("account", actor_id(LEADER)), actor=None)
    client = signed_in(app, ADMIN)
    # The first page after signing in also reads the account, which later ones take from the process's
    # short memory of it (portal/accounts/loader.py): count pages of a session past its first.
    count_queries(client, "/staff/audit?action=few_test")
    few = count_queries(client, "/staff/audit?action=few_test")
    many = count_queries(client, "/staff/audit?action=many_test")
    assert few == many and few > 3, (few, many)
    leader = signed_in(app, LEADER)
    count_queries(leader, "/staff/audit?action=few_test")
    assert count_queries(leader, "/staff/audit?action=few_test") == count_queries(
        leader, "/staff/audit?action=many_test"
    )


@pytest.mark.parametrize(
    "subject, action, label",
    [
        (("account", None), "two_factor_reset", "Two-step sign-in reset"),
        (("account", None), "login_failed", "Wrong password"),
        (("bank_webhook", 1), "webhook_refused", "Bank notification refused"),
        (("sign_in_policy", 1), "two_factor_policy_changed", "Two-step sign-in policy changed"),
        (("province", 0), "dashboard_exported", "Dashboard figures exported (CSV)"),
    ],
)
def test_actions_added_by_issue_9_have_translated_names_like_the_dossier_ones(app, subject, action, label):
    """The audit names every action it shows, not only dossier and feedback ones (the code stays beside)."""
    subject = subject if subject[1] is not None else ("account", actor_id(PROCESSOR))
    burst(action, 1, subject)
    client = signed_in(app, ADMIN)
    client.set_cookie("portal_lang", "en")
    page = client.get(f"/staff/audit?action={action}").get_data(as_text=True)
    assert f'<span class="audit-action">{label}</span>' in page
