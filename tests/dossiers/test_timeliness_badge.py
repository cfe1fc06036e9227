"""The staff dossier page and the citizen's status page show the same Decision 766 timeliness badge.

Regression (walk-through of the demo): after a request for documents made before the due date, the staff
page said "Chờ bổ sung giấy tờ · Trước hạn" (early) and the citizen's page "Đúng hạn" (on time) for the
same dossier at the same moment: the citizen's page folded every verdict that is not late into "on time".

Which is right, from the rule (VIETNAM.md §7.2 row 2.1, README dossier step 4): the timeliness flag is one
of trước hạn / đúng hạn / quá hạn; an unanswered supplement request counts as the dossier's end, and on
time means end ≤ appointment date. Received Mon 2/3/2026 09:00, 3 WD: due Thu 5/3/2026; documents asked
for on Tue 3/3: the end (3/3) is before the appointment (5/3), so the dossier is early — "Trước hạn",
what the staff page said. Both pages now read one word (portal.dossiers.deadlines.timeliness, from
portal.domain.timeliness) and one label for it (portal.dossiers.labels.TIMELINESS).
"""

from __future__ import annotations

import html
import re

import pytest

from portal.domain.dossier_status import DossierAction as A
from portal.dossiers import operations
from portal.extensions import db
from tests.dossiers.test_deadline_pages import at, received
from tests.support.clients import fresh_client, signed_in
from tests.support.factories import account

BADGES = {  # every label, to check that a page shows exactly one
    "en": ("Ahead of schedule", "On time", "Late", "Overdue"),
    "vi": ("Trước hạn", "Đúng hạn", "Trễ hạn", "Quá hạn"),
}


def status_line(response) -> str:
    """The page's status line (the status and its badges), as the reader sees it."""
    body = response.get_data(as_text=True)
    response.close()
    line = re.search(r'<p><span class="status status-d.*?</p>', body, re.S)
    assert line, body
    return " " + html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", line[0]))) + " "


def staff_line(app, dossier, lang: str) -> str:
    db.session.commit()
    return status_line(signed_in(app, "processor").get(f"/staff/dossiers/{dossier.code}?lang={lang}"))


def citizen_line(app, dossier, lang: str) -> str:
    db.session.commit()
    client = fresh_client(app)
    assert client.get(f"/dossiers/t/{dossier.code}/{operations.secret_token(dossier)}").status_code == 302
    return status_line(client.get(f"/dossiers/{dossier.code}?lang={lang}"))


def badges(line: str, lang: str) -> list[str]:
    return [label for label in BADGES[lang] if f" {label} " in line]


def requested_documents():
    dossier = received("1.004194", at(2026, 3, 2, 9))  # due Thu 5/3/2026
    operations.staff_act(
        dossier,
        A.REQUEST_SUPPLEMENT,
        account("processor"),
        note="Thiếu giấy xác nhận chỗ ở.",
        now=at(2026, 3, 3, 10),
    )
    return dossier


def finished_on(day: int):
    dossier = received("1.004194", at(2026, 3, 2, 9))
    operations.staff_act(dossier, A.FINISH, account("processor"), note="Đã cấp.", now=at(2026, 3, day, 10))
    return dossier


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_documents_requested_before_the_due_date_are_early_on_both_pages(app, lang):
    dossier = requested_documents()
    assert dossier.status == 5
    expected = BADGES[lang][0]  # Trước hạn / Ahead of schedule
    assert badges(staff_line(app, dossier, lang), lang) == [expected]
    assert badges(citizen_line(app, dossier, lang), lang) == [expected]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: finished_on(4), "Ahead of schedule"),  # result ready Wed 4/3, due Thu 5/3
        (lambda: finished_on(5), "On time"),  # on the due date
        (lambda: finished_on(9), "Late"),  # Mon 9/3, after it
        (lambda: received("1.004194", at(2026, 3, 2, 9)), "Overdue"),  # still running, long past 5/3
    ],
)
def test_both_pages_show_the_same_badge_for_every_verdict(app, make, expected):
    dossier = make()
    assert badges(staff_line(app, dossier, "en"), "en") == [expected]
    assert badges(citizen_line(app, dossier, "en"), "en") == [expected]


def test_the_staff_list_marks_late_what_the_badge_marks_late(app):
    """The staff dossier list reads the same late words as the badge (dossiers/_timeliness.html `late_words`):
    a running dossier long past Thu 5/3 is marked overdue there, one finished before it is not."""
    overdue, early = received("1.004194", at(2026, 3, 2, 9)), finished_on(4)
    db.session.commit()
    body = signed_in(app, "processor").get("/staff/dossiers?lang=en").get_data(as_text=True)
    rows = {
        code: row
        for row, code in re.findall(
            r'(<li class="[^"]*">\s*<a href="/staff/dossiers/([^"]+)".*?</li>)', body, re.S
        )
    }
    assert set(rows) >= {overdue.code, early.code}, body
    assert (
        rows[overdue.code].startswith('<li class="overdue">')
        and '<strong class="late">Overdue</strong>' in rows[overdue.code]
    )
    assert rows[early.code].startswith('<li class="">') and 'class="late"' not in rows[early.code]
