"""The queue page as the officer reads it, now that rows and dropdown options are written in Python and the
dropdowns come from the shared cache: the chosen options marked, everything from the data escaped, the
dropdowns in the reader's language and fresh after a change, and the signed-in account's role, agency and
state read afresh on every request (nothing about the officer is cached)."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from portal.catalog.models import Procedure
from portal.domain.collation import sort_key
from portal.extensions import cache, db
from portal.feedback.models import FeedbackCategory
from portal.feedback.queries import categories_in_order
from portal.places.models import AdminUnit
from tests.staff.test_queue_page import Desk, codes_of
from tests.support.clients import sign_in
from tests.support.feedback import make_item


@pytest.fixture(autouse=True)
def _empty_cache(app):
    with app.app_context():
        cache.clear()


@pytest.fixture
def desk(app) -> Desk:
    return Desk()


def options(body: str, name: str) -> list[tuple[str, bool, str]]:
    """(value, selected, label) of each option of the select `name`, the label as the browser shows it."""
    select_html = re.search(rf'<select id="{name}" name="{name}">(.*?)</select>', body, re.S)
    assert select_html, name
    return [
        (html.unescape(value), bool(chosen), html.unescape(label))
        for value, chosen, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select_html[1]
        )
    ]


def chosen(body: str, name: str) -> list[str]:
    return [value for value, selected, _label in options(body, name) if selected]


def test_the_chosen_options_are_marked_and_no_others(client, desk):
    sign_in(client, desk.officer)
    category = db.session.scalars(select(FeedbackCategory).order_by(FeedbackCategory.id)).first()
    procedure = db.session.scalars(
        select(Procedure).where(Procedure.is_active).order_by(Procedure.id)
    ).first()
    unit = db.session.scalars(select(AdminUnit).order_by(AdminUnit.code)).first()
    body = client.get(
        f"/staff/queue?status=accepted&category={category.id}&procedure={procedure.id}&commune={unit.code}"
    ).get_data(as_text=True)
    assert chosen(body, "status") == ["accepted"]
    assert chosen(body, "category") == [str(category.id)]
    assert chosen(body, "procedure") == [str(procedure.id)]
    assert chosen(body, "commune") == [unit.code]
    plain = client.get("/staff/queue").get_data(as_text=True)
    for name in ("kind", "status", "category", "procedure", "commune"):
        assert chosen(plain, name) == [], name
    # A dossier status, and a page after one with other choices: only the new choice is marked.
    body = client.get("/staff/queue?status=4").get_data(as_text=True)
    assert chosen(body, "status") == ["4"] and chosen(body, "category") == []


def test_every_option_is_listed_once_in_its_order(client, desk):
    sign_in(client, desk.officer)
    body = client.get("/staff/queue").get_data(as_text=True)
    # Vietnamese alphabetical order (issue 11 item 11), the "Other" category last.
    categories = db.session.execute(
        select(FeedbackCategory.id, FeedbackCategory.slug, FeedbackCategory.name, FeedbackCategory.name_en)
    ).all()
    assert [(value, label) for value, _s, label in options(body, "category")][1:] == [
        (str(row.id), row.name) for row in categories_in_order(categories, "vi")
    ]
    units = sorted(
        db.session.execute(select(AdminUnit.code, AdminUnit.name)).all(), key=lambda u: sort_key(u.name)
    )
    assert [value for value, _s, _label in options(body, "commune")][1:] == [code for code, _name in units]


def test_the_officers_data_is_escaped(client, desk):
    sign_in(client, desk.officer)
    item = make_item(agency=desk.agency.slug, title="""<b>"Đèn" & 'cột'</b>""", category="sat-lo")
    item.due_on = desk.today.replace(year=desk.today.year - 1)  # first in the queue: urgent, due first
    category = db.session.scalars(select(FeedbackCategory).order_by(FeedbackCategory.id)).first()
    category.name = "Đường <i>&amp; cầu</i>"
    db.session.flush()
    body = client.get("/staff/queue").get_data(as_text=True)
    assert "&lt;b&gt;&#34;Đèn&#34; &amp; &#39;cột&#39;&lt;/b&gt;" in body
    assert "<b>" not in body
    assert f'<option value="{category.id}">Đường &lt;i&gt;&amp;amp; cầu&lt;/i&gt;</option>' in body
    assert codes_of(body)[0] == item.code
    assert f'href="/staff/feedback/{item.code}"' in body


def labels(body: str, name: str) -> dict[str, str]:
    return {value: label for value, _selected, label in options(body, name)}


def test_dropdowns_follow_the_language_and_a_change_at_once(client, desk):
    sign_in(client, desk.officer)
    category = db.session.scalars(select(FeedbackCategory).order_by(FeedbackCategory.id)).first()
    key = str(category.id)
    vi = client.get("/staff/queue?lang=vi").get_data(as_text=True)
    en = client.get("/staff/queue?lang=en").get_data(as_text=True)
    assert labels(vi, "category")[key] == category.name
    assert labels(en, "category")[key] == category.name_en
    assert labels(en, "status")["accepted"] == "Being handled"
    assert labels(vi, "status")["accepted"] == "Đang xử lý"
    assert labels(client.get("/staff/queue?lang=vi").get_data(as_text=True), "category")[key] == category.name
    category.name, category.name_en = "Tên mới của lĩnh vực", "A new name"
    db.session.flush()  # drops the cached options (queue_cache's flush listener)
    assert labels(client.get("/staff/queue?lang=vi").get_data(as_text=True), "category")[key] == category.name
    assert labels(client.get("/staff/queue?lang=en").get_data(as_text=True), "category")[key] == "A new name"


def test_role_agency_and_state_of_the_officer_are_read_on_every_request(client, desk):
    sign_in(client, desk.officer)
    mine = set(codes_of(client.get("/staff/queue").get_data(as_text=True)))
    assert mine and not mine & {item.code for item in desk.foreign}
    # Moved to the neighbouring agency: the next page is that agency's queue, none of the old one.
    desk.officer.agency_id = desk.other.id
    db.session.flush()
    moved = set(codes_of(client.get("/staff/queue").get_data(as_text=True)))
    assert moved == {item.code for item in desk.foreign if item.queue_due is not None}
    # No longer staff: refused at once.
    desk.officer.role = "citizen"
    db.session.flush()
    assert client.get("/staff/queue").status_code == 403
    # Back to staff but disabled: signed out at once.
    desk.officer.role, desk.officer.is_enabled = "processor", False
    db.session.flush()
    response = client.get("/staff/queue")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("code", ["PA-261206-0001", "000.21.00.H52-261206-0001", "A B&C'<d>/é?#%"])
def test_an_items_link_is_url_fors(app, code):
    """The link is written from a prefix and the code; it must be what url_for gives, HTML-escaped, for any
    code (the portal's own codes need no quoting at all)."""
    from collections import namedtuple
    from datetime import date

    from flask import url_for
    from markupsafe import escape

    from portal.staff.queue_view import rows_html

    # the queue's columns, with those of the Decision 766 hints (portal.steering.queries.queue_columns)
    Row = namedtuple(
        "Row",
        "rank kind id code title status due assignee_id overdue legal_due"
        " reopened_late info_request_late requests paused_since finished_at result_file fee_bearing paid_online",
    )
    with app.test_request_context("/staff/queue"):
        for kind, endpoint in (("feedback", "feedback_staff.item"), ("dossier", "dossiers_staff.item")):
            status = "new" if kind == "feedback" else "4"
            due = date(2026, 1, 2)
            row = Row(
                1,
                kind,
                7,
                code,
                "t",
                status,
                due,
                None,
                False,
                due,
                False,
                False,
                0,
                None,
                None,
                False,
                False,
                False,
            )
            written = rows_html([row], date(2026, 1, 1), 1, "processor")
            assert f'<a href="{escape(url_for(endpoint, code=code))}">' in written
            assert f'<span class="title">{escape(code)}</span>' in written
