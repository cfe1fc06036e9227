"""Village intermediaries: granted and revoked by the commune's agency administrator (audited); a report
filed on behalf of a villager with their consent; the intermediary sees only their own cases while open."""

import io
from dataclasses import replace

import pytest
from sqlalchemy import select

from portal.domain.feedback_status import FeedbackAction as A
from portal.events.models import Event
from portal.extensions import db
from portal.feedback import operations as feedback_operations
from portal.intermediaries.models import IntermediaryFiling
from portal.jobs.models import OutboxJob
from tests.support.clients import sign_in
from tests.support.factories import make_account
from tests.support.feedback import by_code, category_id
from tests.support.files import jpeg_bytes
from tests.support.jobs import run_jobs
from tests.support.sms import Gateway

TO_HIEU = "ubnd-phuong-to-hieu"


def intermediary(**kw):
    return make_account("intermediary", agency=TO_HIEU, **kw)


def file_data(**overrides):
    data = {
        "villager_name": "Lò Thị Xuân",
        "villager_phone": "0977 123 456",
        "category": str(category_id()),
        "commune": "03670",
        "title": "Cầu treo bản Nà Cạn hỏng",
        "description": "Ván cầu treo bị gãy hai tấm, trẻ em đi học rất nguy hiểm.",
        "address": "Bản Nà Cạn",
        "consent_method": "paper",
    }
    data.update(overrides)
    return data


def file_report(client, *, paper=True, **overrides):
    data = file_data(**overrides)
    if paper:
        data["consent_photo"] = (io.BytesIO(jpeg_bytes(exif_gps=True)), "giay.jpg")
    data["photos"] = [(io.BytesIO(jpeg_bytes()), "cau.jpg")]
    return client.post("/intermediary/feedback/new", data=data, content_type="multipart/form-data")


def test_a_report_filed_for_a_villager_records_consent_and_is_owned_by_the_villager(app):
    person = intermediary(full_name="Cầm Văn Hùng")
    client = sign_in(app.test_client(), person)
    page = client.get("/intermediary/feedback/new").get_data(as_text=True)
    assert "Read this notice aloud" in page or "Đọc to thông báo" in page
    response = file_report(client)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    code = response.headers["Location"].rsplit("/", 1)[1]
    item = by_code(code)
    assert item.account_id is None and item.phone == "+84977123456" and item.contact_name == "Lò Thị Xuân"
    filing = db.session.scalar(select(IntermediaryFiling).where(IntermediaryFiling.subject_id == item.id))
    assert filing.intermediary_id == person.id and filing.consent_method == "paper" and filing.consent_photo
    from portal.privacy.models import Consent

    [notice] = db.session.scalars(
        select(Consent).where(Consent.subject_type == "feedback", Consent.subject_id == item.id)
    ).all()
    assert notice.channel == "intermediary" and notice.officer_id == person.id
    event = db.session.scalar(
        select(Event).where(Event.subject_id == item.id, Event.action == "filed_on_behalf")
    )
    assert event.actor_id == person.id
    with app.test_request_context():
        from portal.intermediaries.labels import _filed

        assert _filed(event.note) == "Do Cầm Văn Hùng gửi thay cho Lò Thị Xuân"
    assert client.get(f"/intermediary/feedback/{code}").status_code == 200
    slip = client.get(f"/intermediary/feedback/{code}/slip")
    assert (
        slip.status_code == 200
        and code in slip.get_data(as_text=True)
        and "slip-qr" in slip.get_data(as_text=True)
    )
    assert slip.headers["Cache-Control"] == "no-store"


def test_consent_is_required(app):
    client = sign_in(app.test_client(), intermediary())
    assert file_report(client, paper=False).status_code == 200  # paper chosen, no photo
    response = file_report(client, paper=False, consent_method="witnessed")
    assert response.status_code == 200  # witnessed, but not ticked
    assert db.session.scalar(select(IntermediaryFiling)) is None
    assert file_report(client, paper=False, consent_method="witnessed", witnessed="y").status_code == 302


def test_the_villagers_phone_receives_the_code(app, monkeypatch):
    with Gateway() as gateway:
        settings = replace(app.config["PORTAL_SETTINGS"], sms=gateway.settings())
        monkeypatch.setitem(app.config, "PORTAL_SETTINGS", settings)
        person = intermediary(phone="0911 000 111")
        client = sign_in(app.test_client(), person)
        code = file_report(client).headers["Location"].rsplit("/", 1)[1]
        run_jobs(app)
        [text] = gateway.to("0977123456")
        assert code in text.content
        assert gateway.to("0911000111") == []


def test_an_intermediary_sees_only_their_own_cases_and_only_while_open(app):
    mine, other = intermediary(), intermediary()
    client = sign_in(app.test_client(), mine)
    code = file_report(client).headers["Location"].rsplit("/", 1)[1]
    other_client = sign_in(app.test_client(), other)
    assert other_client.get(f"/intermediary/feedback/{code}").status_code == 404
    assert other_client.get(f"/intermediary/feedback/{code}/slip").status_code == 404
    assert code not in other_client.get("/intermediary").get_data(as_text=True)
    assert code in client.get("/intermediary").get_data(as_text=True)
    # Nor any staff or citizen page of the case: the private page is the villager's.
    assert client.get(f"/feedback/{code}").status_code in (302, 403, 404)
    assert client.get("/staff/feedback").status_code == 403
    item = by_code(code)
    admin = make_account("admin")
    feedback_operations.staff_act(item, A.ACCEPT, admin)
    feedback_operations.staff_act(item, A.ANSWER, admin, note="Đã sửa cầu.")
    feedback_operations.staff_act(item, A.CLOSE, admin)
    db.session.commit()
    for path in (f"/intermediary/feedback/{code}", f"/intermediary/feedback/{code}/slip"):
        assert client.get(path).status_code == 404
    assert code not in client.get("/intermediary").get_data(as_text=True)


@pytest.mark.parametrize("role", ["citizen", "receptionist", "processor", "leader", "agency_admin", "admin"])
def test_other_roles_have_no_intermediary_pages(app, role):
    client = sign_in(app.test_client(), make_account(role))
    for path in ("/intermediary", "/intermediary/feedback/new", "/intermediary/slips"):
        assert client.get(path).status_code == 403


def test_the_agency_admin_grants_and_revokes_with_an_audit_trail(app):
    admin = make_account("agency_admin")
    client = sign_in(app.test_client(), admin)
    response = client.post(
        "/staff/admin/intermediaries",
        data={
            "email": "truongban@example.vn",
            "full_name": "Lò Văn Bản",
            "password": "Truong-ban-Na-Can-2026",
        },
    )
    assert response.status_code == 302
    from portal.accounts.operations import find_by_email

    person = find_by_email("truongban@example.vn")
    assert person.role == "intermediary" and person.agency_id == admin.agency_id
    their = sign_in(app.test_client(), "truongban@example.vn", "Truong-ban-Na-Can-2026")
    assert their.get("/intermediary").status_code == 200
    assert (
        client.post(f"/staff/admin/intermediaries/{person.id}/granted", data={"active": "0"}).status_code
        == 302
    )
    assert not person.is_enabled
    assert their.get("/intermediary").status_code in (302, 401)  # signed out everywhere
    actions = db.session.scalars(
        select(Event.action)
        .where(Event.subject_type == "account", Event.subject_id == person.id)
        .order_by(Event.id)
    ).all()
    assert [a for a in actions if a.startswith("intermediary")] == [
        "intermediary_granted",
        "intermediary_revoked",
    ]
    # Another agency's administrator does not see them.
    other = make_account("agency_admin", agency="so-y-te")
    other_client = sign_in(app.test_client(), other)
    assert (
        other_client.post(
            f"/staff/admin/intermediaries/{person.id}/granted", data={"active": "1"}
        ).status_code
        == 404
    )


def test_no_sms_job_for_a_villager_without_a_phone(app, monkeypatch):
    with Gateway() as gateway:
        settings = replace(app.config["PORTAL_SETTINGS"], sms=gateway.settings())
        monkeypatch.setitem(app.config, "PORTAL_SETTINGS", settings)
        client = sign_in(app.test_client(), intermediary())
        assert file_report(client, villager_phone="").status_code == 302
        assert db.session.scalar(select(OutboxJob).where(OutboxJob.kind == "sms")) is None


def test_erasing_the_villagers_report_removes_their_name_from_the_filing(app):
    from portal.intermediaries.labels import _filed
    from portal.privacy.erasure import anonymise_feedback

    person = intermediary(full_name="Cầm Văn Hùng")
    client = sign_in(app.test_client(), person)
    code = file_report(client).headers["Location"].rsplit("/", 1)[1]
    item = by_code(code)
    anonymise_feedback(item, None)
    db.session.commit()
    filing = db.session.scalar(select(IntermediaryFiling).where(IntermediaryFiling.subject_id == item.id))
    db.session.refresh(filing)
    assert filing.villager_name == "" and filing.consent_method == "paper"
    note = db.session.scalar(
        select(Event.note).where(Event.subject_id == item.id, Event.action == "filed_on_behalf")
    )
    assert "Xuân" not in note
    with app.test_request_context():
        assert _filed(note) == "Do Cầm Văn Hùng gửi thay cho —"
