"""The kept main part of the citizen's status pages (portal/tracking/page_cache.py): a page seen again costs
one statement, and every change the page shows is there at the very next request (the item's page version
changes in the same flush, portal/tracking/versions.py). Nobody sees another viewer's CSRF token, nor an
item they have no access to, however the part was kept; the language and the day are part of the key."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from portal.calendar.queries import LOCAL_TZ, calendar_around, local_now
from portal.domain.dossier_status import DossierAction as D
from portal.domain.feedback_status import FeedbackAction as F
from portal.dossiers import operations as dossier_operations
from portal.dossiers import routes as dossier_routes
from portal.dossiers.intake import Upload
from portal.dossiers.models import Dossier
from portal.events.operations import record
from portal.extensions import db
from portal.feedback import operations as feedback_operations
from portal.feedback import routes as feedback_routes
from portal.feedback.models import Feedback
from portal.payments.models import Payment
from tests.support.clients import fresh_client
from tests.support.factories import make_account
from tests.support.files import PDF
from tests.support.payments import signed
from tests.support.statements import statements

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def shown(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return unescape(response.get_data(as_text=True))


def without_token(text: str) -> str:
    """A signed CSRF token carries the second it was signed: equal pages differ only there."""
    return TOKEN.sub("csrf", text)


def browser(app, kind: str, item_id: int, address: str):
    """A citizen's browser given access to one item (as the receipt or the private link does)."""
    client = fresh_client(app, address)
    with client.session_transaction() as session:
        session[f"{kind}_access"] = [item_id]
    return client


def processor_of(item):
    return make_account("processor", agency=item.agency)


def version_of(model, item_id: int) -> int:
    return db.session.execute(select(model.page_version).where(model.id == item_id)).scalar_one()


# --- feedback ---------------------------------------------------------------------------------------------


def test_a_kept_feedback_page_costs_one_statement_and_shows_every_change_at_once(app, create_feedback):
    item = create_feedback()
    citizen = browser(app, "feedback", item.id, "198.51.100.31")
    path = f"/feedback/{item.code}/status?lang=en"
    first = shown(citizen, path)
    assert "Waiting to be received" in first
    with statements() as seen:
        assert shown(citizen, path) == first
    assert len(seen) == 1, seen  # the key: access columns, page version, names

    processor = processor_of(item)
    feedback_operations.staff_act(item, F.ACCEPT, processor)
    assert "Being handled" in shown(citizen, path)

    feedback_operations.staff_act(item, F.REQUEST_INFO, processor, note="Xin gửi thêm ảnh vị trí sạt lở.")
    text = shown(citizen, path)
    assert "The agency asks for more information" in text and "Xin gửi thêm ảnh vị trí sạt lở." in text

    assert (
        citizen.post(f"/feedback/{item.code}/reply", data={"text": "Ảnh đã gửi qua Zalo."}).status_code == 302
    )
    text = shown(citizen, path)
    assert "The agency asks for more information" not in text and "Being handled" in text

    feedback_operations.staff_act(item, F.ANSWER, processor, note="Đã cho máy xúc dọn xong.")
    text = shown(citizen, path)
    assert "Official answer" in text and "Đã cho máy xúc dọn xong." in text and "Rate the answer" in text

    assert citizen.post(f"/feedback/{item.code}/rate", data={"satisfied": "yes"}).status_code == 302
    text = shown(citizen, path)
    assert "Your rating: satisfied." in text and "Rate the answer" not in text


def test_an_agency_renamed_shows_on_a_kept_page(app, create_feedback):
    item = create_feedback()
    citizen = browser(app, "feedback", item.id, "198.51.100.32")
    path = f"/feedback/{item.code}/status?lang=en"
    assert item.agency.name_en in shown(citizen, path)
    item.agency.name_en = "People's Committee of To Hieu ward (renamed)"
    assert "People's Committee of To Hieu ward (renamed)" in shown(citizen, path)


def test_the_feedback_page_in_english_and_vietnamese(app, create_feedback):
    item = create_feedback()
    citizen = browser(app, "feedback", item.id, "198.51.100.33")
    for _ in range(2):  # rendered, then kept: each language its own
        english = shown(citizen, f"/feedback/{item.code}/status?lang=en")
        vietnamese = shown(citizen, f"/feedback/{item.code}/status?lang=vi")
        assert '<html lang="en"' in english and ">History<" in english and "Quá trình xử lý" not in english
        assert (
            '<html lang="vi"' in vietnamese
            and ">Quá trình xử lý<" in vietnamese
            and "History" not in vietnamese
        )


def test_the_rating_offer_ends_when_the_day_changes(app, create_feedback, monkeypatch):
    """The answer can be rated within 7 days (domain.feedback_status.may_rate): the kept part is per day."""
    item = create_feedback()
    processor = processor_of(item)
    feedback_operations.staff_act(item, F.ACCEPT, processor)
    feedback_operations.staff_act(item, F.ANSWER, processor, note="Đã xử lý.")
    db.session.flush()
    answered = item.answered_at.astimezone(LOCAL_TZ)
    citizen = browser(app, "feedback", item.id, "198.51.100.34")
    path = f"/feedback/{item.code}/status?lang=en"
    for days, offered in ((1, True), (1, True), (8, False), (1, True)):
        moment = datetime.combine(answered.date() + timedelta(days=days), time(9), LOCAL_TZ)
        monkeypatch.setattr(feedback_routes, "local_now", lambda moment=moment: moment)
        assert ("Rate the answer" in shown(citizen, path)) is offered, days


# --- dossiers ---------------------------------------------------------------------------------------------


def test_a_kept_dossier_page_shows_staff_actions_pauses_letters_files_and_payments_at_once(
    app, create_dossier
):
    dossier = create_dossier(received=True)
    citizen = browser(app, "dossier", dossier.id, "198.51.100.35")
    path = f"/dossiers/{dossier.code}?lang=en"
    first = shown(citizen, path)
    assert ">Received<" in first
    with statements() as seen:
        assert without_token(shown(citizen, path)) == without_token(first)
    assert len(seen) == 1, seen

    processor = processor_of(dossier)
    dossier_operations.staff_act(dossier, D.START, processor)
    assert "Being processed" in shown(citizen, path)

    today = local_now().date()
    new_date = calendar_around(today).next_working_day(max(dossier.appointment_on, today))
    dossier_operations.staff_act(dossier, D.APOLOGISE, processor, note="Chờ xác minh.", new_date=new_date)
    assert "Apology letter: the new appointment date is" in shown(citizen, path)

    dossier_operations.staff_act(dossier, D.REQUEST_SUPPLEMENT, processor, note="Bản sao sổ hộ khẩu.")
    text = shown(citizen, path)
    assert "Documents asked for" in text and "Bản sao sổ hộ khẩu." in text

    dossier_operations.citizen_supplement(dossier, [Upload(PDF, "so-ho-khau.pdf")], "")
    text = shown(citizen, path)
    assert "Documents asked for" not in text and "so-ho-khau.pdf" in text

    dossier_operations.staff_act(dossier, D.REQUEST_FEE, processor)
    text = shown(citizen, path)
    assert "Waiting for payment of fees" in text and "Pay by VietQR" in text

    payment = db.session.scalar(select(Payment).where(Payment.dossier_id == dossier.id))
    body, headers = signed(
        {
            "transaction_id": f"FT-KEPT-{dossier.id}",
            "amount": payment.amount_vnd,
            "description": payment.reference,
        }
    )
    assert fresh_client(app).post("/webhooks/bank", data=body, headers=headers).status_code == 200
    text = shown(citizen, path)
    assert "Pay by VietQR" not in text and "E-receipt" in text and "Being processed" in text


def test_the_dossier_page_is_late_once_its_appointment_has_passed(app, create_dossier, monkeypatch):
    dossier = create_dossier(received=True)
    citizen = browser(app, "dossier", dossier.id, "198.51.100.36")
    path = f"/dossiers/{dossier.code}?lang=en"
    due = dossier.original_appointment_on
    for day, late in ((due, False), (due, False), (due + timedelta(days=3), True), (due, False)):
        moment = datetime.combine(day, time(9), LOCAL_TZ)
        monkeypatch.setattr(dossier_routes, "local_now", lambda moment=moment: moment)
        text = shown(citizen, path)
        assert ('class="late"' in text) is late and ("On time" in text) is not late, day


# --- who sees what -------------------------------------------------------------------------------------


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_two_viewers_of_one_kept_page_each_get_their_own_token(app, create_dossier, csrf_on):
    dossier = create_dossier(received=True)
    first = browser(app, "dossier", dossier.id, "198.51.100.37")
    second = browser(app, "dossier", dossier.id, "198.51.100.38")
    path = f"/dossiers/{dossier.code}"
    signed = [TOKEN.findall(shown(viewer, path)) for viewer in (first, second, first, second)]
    assert all(len(found) == 1 for found in signed), signed  # the withdraw form
    # A signed token is "<the session's token>.<second signed>.<signature>": compare the session's part.
    tokens = [found[0].split(".")[0] for found in signed]
    assert tokens[0] == tokens[2] and tokens[1] == tokens[3] and tokens[0] != tokens[1]
    # and each token is the one its own session holds: the form posts with it
    withdrawn = second.post(f"/dossiers/{dossier.code}/withdraw", data={"csrf_token": signed[1][0]})
    assert withdrawn.status_code == 302
    assert "Withdrawn" in shown(first, path + "?lang=en")


def test_a_kept_page_is_never_served_to_a_browser_without_access(app, create_feedback, create_dossier):
    mine, theirs = create_feedback(), create_feedback(title="Đèn đường hỏng trước chợ")
    me = browser(app, "feedback", mine.id, "198.51.100.39")
    them = browser(app, "feedback", theirs.id, "198.51.100.40")
    for _ in range(2):
        assert "Sạt lở đường vào bản Hua La" in shown(me, f"/feedback/{mine.code}/status")
        assert "Đèn đường hỏng trước chợ" in shown(them, f"/feedback/{theirs.code}/status")
        assert me.get(f"/feedback/{theirs.code}/status").status_code == 404
        assert them.get(f"/feedback/{mine.code}/status").status_code == 404
    dossier = create_dossier(received=True)
    owner = browser(app, "dossier", dossier.id, "198.51.100.41")
    assert dossier.applicant_name in shown(owner, f"/dossiers/{dossier.code}")
    assert fresh_client(app, "198.51.100.42").get(f"/dossiers/{dossier.code}").status_code == 404


def test_a_flash_message_is_shown_once_and_only_to_its_viewer(app, create_feedback):
    item = create_feedback()
    processor = processor_of(item)
    feedback_operations.staff_act(item, F.ACCEPT, processor)
    feedback_operations.staff_act(item, F.ANSWER, processor, note="Đã xử lý.")
    citizen = browser(app, "feedback", item.id, "198.51.100.43")
    other = browser(app, "feedback", item.id, "198.51.100.44")
    path = f"/feedback/{item.code}/status"  # Vietnamese, as the rating's POST
    shown(other, path)  # kept before the rating
    assert citizen.post(f"/feedback/{item.code}/rate", data={"satisfied": "yes"}).status_code == 302
    thanks = "Cảm ơn bạn đã đánh giá."
    assert thanks in shown(citizen, path)
    assert thanks not in shown(citizen, path)
    assert thanks not in shown(other, path)


# --- the page version -----------------------------------------------------------------------------------


def test_every_kind_of_change_gives_a_dossier_a_new_page_version(app, create_dossier, create_payment):
    dossier = create_dossier(received=True)
    processor = processor_of(dossier)
    seen = {version_of(Dossier, dossier.id)}

    def changed() -> None:
        db.session.flush()
        version = version_of(Dossier, dossier.id)
        assert version not in seen
        seen.add(version)

    dossier_operations.staff_act(dossier, D.START, processor)  # the row, a public event
    changed()
    dossier_operations.staff_act(dossier, D.REQUEST_FEE, processor)  # a pause, a payment
    changed()
    # A row of the dossier written while the dossier itself is not in the session: one UPDATE.
    payment_id = db.session.scalar(select(Payment.id).where(Payment.dossier_id == dossier.id))
    db.session.expunge_all()
    payment = db.session.get(Payment, payment_id)
    db.session.expunge(payment.dossier)
    payment.method = "counter"
    changed()
    db.session.expunge_all()
    dossier = db.session.get(Dossier, dossier.id)
    record("dossier", dossier.id, "viewed", actor_id=processor.id)  # audit only: the page does not change
    db.session.flush()
    assert version_of(Dossier, dossier.id) in seen
    db.session.expunge_all()
    record("dossier", dossier.id, "note", note="Đã gọi điện cho công dân.", public=True)
    changed()


def test_a_photo_pause_or_public_event_gives_a_feedback_item_a_new_page_version(app, create_feedback):
    item = create_feedback()
    processor = processor_of(item)
    before = version_of(Feedback, item.id)
    feedback_operations.staff_act(item, F.ACCEPT, processor)
    db.session.flush()
    accepted = version_of(Feedback, item.id)
    assert accepted != before
    feedback_operations.staff_act(item, F.REQUEST_INFO, processor, note="Xin địa chỉ cụ thể.")  # a pause
    db.session.flush()
    assert version_of(Feedback, item.id) not in (before, accepted)


def test_an_update_of_the_items_table_outside_the_flush_gives_a_new_page_version(app, create_feedback):
    """The staff claim is one conditional UPDATE (portal/staff/operations.py), which no flush sees."""
    from portal.staff.operations import claim

    item = create_feedback()
    before = version_of(Feedback, item.id)
    claim("feedback", item.id, processor_of(item))
    assert version_of(Feedback, item.id) != before
