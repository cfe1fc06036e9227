"""The intake checklist (issue 16 item 9): the desk ticks each listed document as handed in (original, copy
or electronic) at the counter and when receiving an online dossier; form 01 lists exactly those; "Số thứ
tự" runs on through the year instead of restarting every day; the counter records the paper consent."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from portal.domain.dossier_status import DossierAction as A
from portal.dossiers import checklist, intake, operations
from portal.dossiers.models import Dossier
from portal.extensions import db
from tests.support.dossiers import PROCEDURE, applicant, make_dossier, person, procedure
from tests.support.factories import account

INTAKE = f"/staff/dossiers/intake?procedure={PROCEDURE}"


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def test_the_counter_ticks_what_was_handed_in_and_form_01_lists_exactly_that(app, client, login):
    login("receptionist")
    documents = procedure().documents
    assert len(documents) >= 2, "the test procedure lists at least two documents"
    data = applicant(channel="counter")
    data[checklist.field_name(documents[0].id)] = "original"
    data[checklist.field_name(documents[1].id)] = "copy"
    response = client.post(INTAKE, data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    dossier = db.session.scalar(select(Dossier).order_by(Dossier.id.desc()))
    assert [(row.name, row.form) for row in dossier.received_documents] == [
        (documents[0].name, "original"),
        (documents[1].name, "copy"),
    ]
    assert dossier.paper_consent_at is not None
    body = client.get(f"/dossiers/{dossier.code}/receipt?lang=en").get_data(as_text=True)
    files = re.search(r'<ol class="files">(.*?)</ol>', body, re.S)[1]
    assert re.findall(r"<li>(.*?)</li>", files, re.S) == [
        f'<span lang="vi">{documents[0].name}</span> (Original)',
        f'<span lang="vi">{documents[1].name}</span> (Copy)',
    ]


def test_without_the_paper_consent_tick_nothing_is_taken_in(app, client, login):
    login("receptionist")
    before = db.session.scalar(select(db.func.count(Dossier.id)))
    data = applicant(channel="counter")
    del data["paper_consent"]
    response = client.post(INTAKE, data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert db.session.scalar(select(db.func.count(Dossier.id))) == before


def test_receiving_an_online_dossier_ticks_its_documents(app):
    dossier = make_dossier()  # online, status 1
    documents = dossier.procedure.documents
    operations.staff_act(
        dossier,
        A.RECEIVE,
        account("receptionist"),
        received=[checklist.Tick(documents[0].id, "electronic"), checklist.Tick(10**9, "original")],
    )
    assert [(row.name, row.form) for row in dossier.received_documents] == [(documents[0].name, "electronic")]
    assert dossier.register_number is not None


def test_the_register_number_runs_on_across_days_and_restarts_with_the_book(app):
    """Three dossiers on two days: the code's daily counter says 1, 2, then 1 again; the register's line
    goes on (n, n+1, n+2). A new year opens a new book at 1."""
    desk = account("receptionist")
    made = [
        intake.counter_intake(procedure(), person(), [], desk, "counter", "vi", now=when)
        for when in (at(2, 2), at(2, 3), at(3, 2))
    ]
    assert made[2].sequence <= made[1].sequence  # the code's counter started again on the new day
    first = made[0].register_number
    assert [dossier.register_number for dossier in made] == [first, first + 1, first + 2]
    next_year = intake.counter_intake(
        procedure(), person(), [], desk, "counter", "vi", now=datetime(2027, 1, 4, 2, tzinfo=UTC)
    )
    assert next_year.register_number == 1
