"""Who may open a dossier's private pages and files, and who may act on it.

The applicant (the browser that submitted, or their signed-in account), staff of the receiving agency,
and whoever holds the receipt's secret link or the code plus the phone's last 4 digits. Anyone else,
even knowing the code, gets 404, and their POSTs change nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from portal.calendar.queries import calendar_around, local_now
from portal.catalog.models import Procedure
from portal.domain.dossier_status import DossierAction as A
from portal.dossiers import operations
from portal.dossiers.models import Dossier, DossierFile, DossierPause
from portal.events.models import Event
from portal.extensions import db
from tests.support.clients import signed_in
from tests.support.dossiers import applicant
from tests.support.factories import account, make_account, other_agency_staff
from tests.support.files import jpeg_file, pdf_file

PROCEDURE = "1.004194"
DESK, PROCESSOR, LEADER = "receptionist", "processor", "leader"
CITIZEN = "citizen"


def submit(client) -> str:
    """Submit a dossier online through the web; return its code."""
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == PROCEDURE))
    data = applicant()
    data[f"doc-{procedure.documents[0].id}"] = [pdf_file()]
    data["doc-other"] = [jpeg_file()]
    response = client.post(f"/dossiers/apply/{PROCEDURE}", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return re.search(r"/dossiers/([^/]+)/receipt", response.headers["Location"])[1]


def dossier_of(code: str) -> Dossier:
    db.session.expire_all()
    return db.session.scalar(select(Dossier).where(Dossier.code == code))


def other_agency_receptionist():
    return other_agency_staff("receptionist")


@dataclass
class Case:
    code: str
    file_id: int
    apology_id: int

    @property
    def pages(self) -> list[str]:
        base = f"/dossiers/{self.code}"
        return [
            base,
            f"{base}/receipt",
            f"{base}/qr.svg",
            f"{base}/files/{self.file_id}",
            f"{base}/apology/{self.apology_id}",
        ]


def snapshot(code: str):
    dossier = dossier_of(code)
    files = db.session.scalar(select(func.count(DossierFile.id)).where(DossierFile.dossier_id == dossier.id))
    open_pauses = db.session.scalar(
        select(func.count(DossierPause.id)).where(
            DossierPause.dossier_id == dossier.id, DossierPause.resumed_at.is_(None)
        )
    )
    events = db.session.scalar(
        select(func.count(Event.id)).where(
            Event.subject_type == "dossier", Event.subject_id == dossier.id, Event.action != "viewed"
        )
    )
    return dossier.status, dossier.closed_reason, dossier.appointment_on, files, open_pauses, events


@pytest.fixture
def case(client) -> Case:
    """Submitted by `client` (anonymous), received, processing, an apology letter, documents asked for."""
    code = submit(client)
    dossier = dossier_of(code)
    operations.staff_act(dossier, A.RECEIVE, account(DESK))
    operations.staff_act(dossier, A.START, account(PROCESSOR))
    today = local_now().date()
    new_date = calendar_around(today).next_working_day(max(dossier.appointment_on, today))
    operations.staff_act(dossier, A.APOLOGISE, account(PROCESSOR), note="Chờ xác minh.", new_date=new_date)
    operations.staff_act(
        dossier, A.REQUEST_SUPPLEMENT, account(PROCESSOR), note="Bổ sung giấy xác nhận chỗ ở."
    )
    db.session.flush()
    assert dossier.status == 5
    return Case(code, dossier.files[0].id, dossier.apologies[0].id)


def get_status(client, path: str) -> int:
    with client.get(path) as response:
        return response.status_code


# --- the private pages --------------------------------------------------------------------------------


def test_applicant_opens_every_page(client, case):
    for path in case.pages:
        assert get_status(client, path) == 200, path


def test_a_stranger_who_knows_the_code_sees_nothing(app, case):
    stranger = app.test_client()
    for path in case.pages:
        assert get_status(stranger, path) == 404, path


def test_another_signed_in_citizen_sees_nothing(app, case):
    other = signed_in(app, CITIZEN)
    for path in case.pages:
        assert get_status(other, path) == 404, path


@pytest.mark.parametrize("email", [DESK, PROCESSOR, LEADER, "agency_admin", "admin"])
def test_staff_of_the_agency_open_every_page(app, case, email):
    staff = signed_in(app, email)
    for path in case.pages:
        assert get_status(staff, path) == 200, path


def test_staff_of_another_agency_see_nothing(app, case):
    staff = signed_in(app, other_agency_receptionist())
    for path in case.pages:
        assert get_status(staff, path) == 404, path
    assert get_status(staff, f"/staff/dossiers/{case.code}") == 404
    # Typing or scanning the code does not open it either.
    with staff.get("/staff/dossiers", query_string={"q": case.code}) as response:
        page = response.get_data(as_text=True)
    assert response.status_code == 200  # the queue, not a redirect to the dossier
    assert f'href="/staff/dossiers/{case.code}"' not in page and "Lò Thị Xuân" not in page


def test_files_and_letters_of_another_dossier_are_not_reachable_through_mine(app, client, case):
    mine = submit(client)  # the same browser submits a second dossier: it may open both dossiers…
    mine_dossier = dossier_of(mine)
    # …but each dossier's URL serves only its own files and letters.
    assert get_status(client, f"/dossiers/{mine}/files/{case.file_id}") == 404
    assert get_status(client, f"/dossiers/{mine}/apology/{case.apology_id}") == 404
    assert get_status(client, f"/dossiers/{mine}/files/{mine_dossier.files[0].id}") == 200


# --- POSTs by others change nothing ---------------------------------------------------------------


def post_both(client, code):
    supplement = client.post(
        f"/dossiers/{code}/supplement",
        data={"files": [pdf_file("cho-o.pdf")], "note": "x"},
        content_type="multipart/form-data",
    )
    withdraw = client.post(f"/dossiers/{code}/withdraw", data={"reason": "Không cần nữa."})
    return supplement.status_code, withdraw.status_code


@pytest.mark.parametrize("who", ["stranger", "citizen", "other_agency"])
def test_others_cannot_supplement_or_withdraw(app, case, who):
    if who == "stranger":
        other = app.test_client()
    else:
        other = signed_in(app, CITIZEN if who == "citizen" else other_agency_receptionist())
    before = snapshot(case.code)
    assert post_both(other, case.code) == (404, 404)
    assert snapshot(case.code) == before
    assert before[0] == 5


def test_applicant_supplements_then_withdraws(client, case):
    response = client.post(
        f"/dossiers/{case.code}/supplement",
        data={"files": [pdf_file("cho-o.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    dossier = dossier_of(case.code)
    assert dossier.status == 4 and dossier.files[-1].kind == "supplement"
    assert client.post(f"/dossiers/{case.code}/withdraw", data={"reason": "Đã chuyển đi."}).status_code == 302
    dossier = dossier_of(case.code)
    assert dossier.status == 7 and dossier.closed_reason == "Đã chuyển đi."


def test_withdrawing_a_finished_dossier_changes_nothing(client, case):
    dossier = dossier_of(case.code)
    operations.staff_act(dossier, A.SUPPLEMENT, account(DESK))
    operations.staff_act(dossier, A.FINISH, account(PROCESSOR))
    db.session.flush()
    before = snapshot(case.code)
    assert client.post(f"/dossiers/{case.code}/withdraw", data={}).status_code == 302
    assert snapshot(case.code) == before and before[0] == 9


# Regression: staff of the agency could supplement or withdraw through the citizen's pages, acting as
# role "citizen" and recorded as the citizen (a processor could withdraw, which the state machine forbids).
@pytest.mark.parametrize("email", [PROCESSOR, DESK])
def test_staff_cannot_act_through_the_citizen_pages(app, case, email):
    staff = signed_in(app, email)
    before = snapshot(case.code)
    supplement, withdraw = post_both(staff, case.code)
    assert supplement in (403, 404) and withdraw in (403, 404)
    assert snapshot(case.code) == before


# --- signed-in citizens -------------------------------------------------------------------------------


def test_signed_in_account_opens_its_dossier_from_any_browser(app):
    first = signed_in(app, CITIZEN)
    code = submit(first)
    assert dossier_of(code).account_id == account(CITIZEN).id
    second = signed_in(app, CITIZEN)
    assert get_status(second, f"/dossiers/{code}") == 200
    assert get_status(second, f"/dossiers/{code}/receipt") == 200
    assert get_status(signed_in(app, make_account("citizen")), f"/dossiers/{code}") == 404


def test_my_dossiers_lists_only_mine(app, client):
    citizen = signed_in(app, CITIZEN)
    mine = submit(citizen)
    anonymous = submit(client)
    somebody = submit(signed_in(app, make_account("citizen")))
    with citizen.get("/dossiers/mine") as response:
        page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert mine in page and anonymous not in page and somebody not in page
    with client.get("/dossiers/mine") as response:
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- tracking: code + last 4 digits, and the secret link -------------------------------------------------


def test_track_with_code_and_last_four_digits(app, case):
    tracker = app.test_client()
    wrong = tracker.post("/track", data={"code": case.code, "phone_digits": "1234"})
    assert wrong.status_code == 404
    assert get_status(tracker, f"/dossiers/{case.code}") == 404
    right = tracker.post("/track", data={"code": case.code.lower(), "phone_digits": "5678"})
    assert right.status_code == 302 and right.headers["Location"].endswith(f"/dossiers/{case.code}")
    for path in case.pages:
        assert get_status(tracker, path) == 200, path


def test_track_with_an_unknown_code(app):
    tracker = app.test_client()
    response = tracker.post("/track", data={"code": "000.21.00.H52-260101-9999", "phone_digits": "5678"})
    assert response.status_code == 404


def test_secret_link_with_a_wrong_token(app, client, case):
    dossier = dossier_of(case.code)
    token = operations.secret_token(dossier)
    other_code = submit(client)
    other_token = operations.secret_token(dossier_of(other_code))
    visitor = app.test_client()
    for wrong in (
        "0" * 48,
        token[:-1] + ("0" if token[-1] != "0" else "1"),
        token[:24],
        other_token,
        token.upper(),
        "x" * 200,
    ):
        assert get_status(visitor, f"/dossiers/t/{case.code}/{wrong}") == 404, wrong
    assert get_status(visitor, f"/dossiers/{case.code}") == 404
    assert get_status(visitor, f"/dossiers/t/{case.code}/{token}") == 302
    assert get_status(visitor, f"/dossiers/{case.code}") == 200
    assert get_status(visitor, f"/dossiers/{other_code}") == 404


# --- the staff side is closed by default -------------------------------------------------------------------


def test_staff_pages_redirect_anonymous_visitors_to_login(app, case):
    visitor = app.test_client()
    before = snapshot(case.code)
    for response in (
        visitor.get("/staff/dossiers"),
        visitor.get(f"/staff/dossiers/{case.code}"),
        visitor.get("/staff/dossiers/intake"),
        visitor.post(f"/staff/dossiers/{case.code}/supplement"),
    ):
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert snapshot(case.code) == before


def test_staff_pages_are_forbidden_to_citizens(app, case):
    citizen = signed_in(app, CITIZEN)
    before = snapshot(case.code)
    assert citizen.get("/staff/dossiers").status_code == 403
    assert citizen.get(f"/staff/dossiers/{case.code}").status_code == 403
    assert citizen.get("/staff/dossiers/intake").status_code == 403
    assert citizen.post(f"/staff/dossiers/{case.code}/supplement").status_code == 403
    assert snapshot(case.code) == before


def test_receptionist_cannot_finish(app, client):
    code = submit(client)
    dossier = dossier_of(code)
    operations.staff_act(dossier, A.RECEIVE, account(DESK))
    operations.staff_act(dossier, A.START, account(PROCESSOR))
    db.session.flush()
    before = snapshot(code)
    desk = signed_in(app, DESK)
    assert (
        desk.post(
            f"/staff/dossiers/{code}/finish",
            data={"files": [pdf_file("ket-qua.pdf")]},
            content_type="multipart/form-data",
        ).status_code
        == 403
    )
    assert snapshot(code) == before and before[0] == 4


def test_processor_cannot_receive(app, client):
    code = submit(client)
    before = snapshot(code)
    processor = signed_in(app, PROCESSOR)
    assert processor.post(f"/staff/dossiers/{code}/receive").status_code == 403
    assert snapshot(code) == before and before[0] == 1
    # The desk can.
    assert signed_in(app, DESK).post(f"/staff/dossiers/{code}/receive").status_code == 302
    assert dossier_of(code).status == 2


def test_staff_of_another_agency_cannot_act(app, client):
    code = submit(client)
    before = snapshot(code)
    other = signed_in(app, other_agency_receptionist())
    assert other.post(f"/staff/dossiers/{code}/receive").status_code == 404
    assert other.post(f"/staff/dossiers/{code}/note", data={"note": "x"}).status_code == 404
    assert snapshot(code) == before


# --- downloads ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["applicant", "staff"])
def test_downloads_are_sandboxed_attachments(app, client, case, who):
    downloader = client if who == "applicant" else signed_in(app, PROCESSOR)
    for file_id in (f.id for f in dossier_of(case.code).files):
        with downloader.get(f"/dossiers/{case.code}/files/{file_id}") as response:
            assert response.status_code == 200
            assert response.headers["Content-Disposition"].startswith("attachment")
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert "sandbox" in response.headers["Content-Security-Policy"]
            assert "no-store" in response.headers["Cache-Control"]
            assert response.mimetype in ("application/pdf", "image/jpeg")
            assert response.data[:4] in (b"%PDF", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xdb")


def test_private_pages_are_not_cached(client, case):
    for path in case.pages[:3]:
        with client.get(path) as response:
            assert "no-store" in response.headers.get("Cache-Control", ""), path
