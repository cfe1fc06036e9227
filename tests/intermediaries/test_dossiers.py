"""A dossier filed by a village intermediary on behalf of a villager (issue 13 item 1): through the online
submission, the villager is the applicant and owner, the villager's phone gets the code, the intermediary sees
it only while it is open and only what they entered, and it is on their list and slips."""

import io
from dataclasses import replace

import pytest
from flask import url_for
from sqlalchemy import func, select

from portal.dossiers import operations as dossier_operations
from portal.dossiers.models import Dossier
from portal.dossiers.timeline import staff_timeline
from portal.events.models import Event
from portal.events.operations import record
from portal.extensions import db
from portal.intermediaries.models import IntermediaryFiling
from portal.jobs.models import OutboxJob
from portal.privacy.models import Consent as PrivacyConsent
from tests.support.clients import sign_in
from tests.support.dossiers import (
    KEPT,
    PROCEDURE,
    applicant,
    drafts_taken_once_kept,
    make_dossier,
    opened_form,
    procedure,
)
from tests.support.double_post import first_look_up_misses
from tests.support.factories import make_account
from tests.support.files import PDF, jpeg_bytes
from tests.support.jobs import run_jobs
from tests.support.sms import Gateway

TO_HIEU = "ubnd-phuong-to-hieu"
NEW = f"/intermediary/dossiers/new/{PROCEDURE}"


def intermediary(**kw):
    return make_account("intermediary", agency=TO_HIEU, **kw)


def file_dossier(client, *, paper=True, phone="0977 123 456", **overrides):
    data = applicant(phone=phone, email="", **overrides)
    data.pop("consent"), data.pop("paper_consent")
    data.setdefault("consent_method", "paper")
    if paper:
        data["consent_photo"] = (io.BytesIO(jpeg_bytes()), "giay.jpg")
    document = procedure().documents[0]
    data[f"doc-{document.id}"] = [(io.BytesIO(PDF), "to-khai.pdf")]
    return client.post(NEW, data=data, content_type="multipart/form-data")


def filed_code(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return response.headers["Location"].rsplit("/", 1)[1]


def dossier_of(code: str) -> Dossier:
    return db.session.scalar(select(Dossier).where(Dossier.code == code))


def test_a_dossier_filed_for_a_villager_is_the_villagers_with_consent_and_timeline(app):
    person = intermediary(full_name="Cầm Văn Hùng")
    client = sign_in(app.test_client(), person)
    chooser = client.get(f"/intermediary/dossiers/new?procedure={PROCEDURE}")
    assert chooser.status_code == 302 and chooser.headers["Location"].endswith(NEW)
    page = client.get(NEW).get_data(as_text=True)
    assert "Đọc to thông báo" in page or "Read this notice aloud" in page
    code = filed_code(file_dossier(client))
    dossier = dossier_of(code)
    # The online submission's own rules: status 1, the villager the applicant, no account linked.
    assert dossier.status == 1 and dossier.channel == "online"
    assert dossier.account_id is None and dossier.created_by_id is None
    assert dossier.applicant_name == "Lò Thị Xuân" and dossier.phone == "+84977123456"
    filing = db.session.scalar(select(IntermediaryFiling).where(IntermediaryFiling.subject_type == "dossier"))
    assert filing.subject_id == dossier.id and filing.intermediary_id == person.id
    assert filing.consent_method == "paper" and filing.consent_photo
    [notice] = db.session.scalars(
        select(PrivacyConsent).where(
            PrivacyConsent.subject_type == "dossier", PrivacyConsent.subject_id == dossier.id
        )
    ).all()
    assert notice.channel == "intermediary" and notice.officer_id == person.id and notice.account_id is None
    event = db.session.scalar(
        select(Event).where(
            Event.subject_type == "dossier", Event.subject_id == dossier.id, Event.action == "filed_on_behalf"
        )
    )
    assert event.actor_id == person.id
    with app.test_request_context():
        notes = [entry.note for entry in staff_timeline(dossier)]
    assert "Do Cầm Văn Hùng gửi thay cho Lò Thị Xuân" in notes
    shown = client.get(f"/intermediary/dossiers/{code}")
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    body = shown.get_data(as_text=True)
    assert "to-khai.pdf" in body and "014190000123" not in body  # what they entered, not the CCCD again
    slip = client.get(f"/intermediary/dossiers/{code}/slip").get_data(as_text=True)
    assert code in slip and "slip-qr" in slip  # the session that filed it prints the private link's QR
    qr = client.get(f"/intermediary/dossiers/{code}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    listing = client.get("/intermediary").get_data(as_text=True)
    assert code in listing
    assert code in client.get("/intermediary/slips").get_data(as_text=True)


def test_another_session_prints_the_slip_without_the_private_link(app):
    person = intermediary()
    code = filed_code(file_dossier(sign_in(app.test_client(), person)))
    later = sign_in(app.test_client(), person)
    slip = later.get(f"/intermediary/dossiers/{code}/slip").get_data(as_text=True)
    assert code in slip and "slip-qr" not in slip
    assert later.get(f"/intermediary/dossiers/{code}/qr.svg").status_code == 404


def test_consent_is_required(app):
    client = sign_in(app.test_client(), intermediary())
    before = db.session.scalar(select(func.count(Dossier.id)))
    assert file_dossier(client, paper=False).status_code == 400
    assert file_dossier(client, paper=False, consent_method="witnessed").status_code == 400
    assert db.session.scalar(select(IntermediaryFiling)) is None
    assert db.session.scalar(select(func.count(Dossier.id))) == before
    filed_code(file_dossier(client, paper=False, consent_method="witnessed", witnessed="y"))


def test_the_same_form_sent_twice_files_one_dossier(app):
    client = sign_in(app.test_client(), intermediary())
    code = filed_code(file_dossier(client, nonce="a" * 32))
    again = file_dossier(client, nonce="a" * 32)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/intermediary/dossiers/{code}")
    assert db.session.scalar(select(func.count(Dossier.id)).where(Dossier.phone == "+84977123456")) == 1


def test_the_villagers_phone_receives_the_code(app, monkeypatch):
    with Gateway() as gateway:
        settings = replace(app.config["PORTAL_SETTINGS"], sms=gateway.settings())
        monkeypatch.setitem(app.config, "PORTAL_SETTINGS", settings)
        client = sign_in(app.test_client(), intermediary(phone="0911 000 111"))
        code = filed_code(file_dossier(client))
        assert db.session.scalar(select(OutboxJob).where(OutboxJob.kind == "sms")) is not None
        run_jobs(app)
        [text] = gateway.to("0977123456")
        assert code in text.content
        assert gateway.to("0911000111") == []


def test_an_intermediary_sees_only_their_own_dossiers_and_only_while_open(app):
    mine, other = intermediary(), intermediary()
    client = sign_in(app.test_client(), mine)
    code = filed_code(file_dossier(client))
    other_client = sign_in(app.test_client(), other)
    for path in (f"/intermediary/dossiers/{code}", f"/intermediary/dossiers/{code}/slip"):
        assert other_client.get(path).status_code == 404
    assert code not in other_client.get("/intermediary").get_data(as_text=True)
    # A dossier someone else submitted (not through an intermediary) does not exist for them either.
    walk_in = make_dossier()
    db.session.commit()
    assert client.get(f"/intermediary/dossiers/{walk_in.code}").status_code == 404
    # Nor the villager's own private pages, nor any staff page.
    for path in (f"/dossiers/{code}", f"/dossiers/{code}/receipt", f"/dossiers/{code}/qr.svg"):
        assert client.get(path).status_code in (302, 403, 404), path
    for path in ("/staff/dossiers", f"/staff/dossiers/{code}"):
        assert client.get(path).status_code == 403, path
    dossier_operations.citizen_withdraw(dossier_of(code), "")
    db.session.commit()
    for path in (
        f"/intermediary/dossiers/{code}",
        f"/intermediary/dossiers/{code}/slip",
        f"/intermediary/dossiers/{code}/qr.svg",
    ):
        assert client.get(path).status_code == 404, path
    assert code not in client.get("/intermediary").get_data(as_text=True)


@pytest.mark.parametrize("role", ["citizen", "receptionist", "agency_admin", "admin"])
def test_other_roles_have_no_intermediary_dossier_pages(app, role):
    client = sign_in(app.test_client(), make_account(role))
    for path in ("/intermediary/dossiers/new", NEW):
        assert client.get(path).status_code == 403


def test_erasing_the_villagers_dossier_removes_their_name_from_the_filing(app):
    client = sign_in(app.test_client(), intermediary())
    dossier = dossier_of(filed_code(file_dossier(client)))
    record("dossier", dossier.id, "anonymised", actor_id=None)  # what portal.privacy.erasure records
    db.session.commit()
    filing = db.session.scalar(select(IntermediaryFiling).where(IntermediaryFiling.subject_id == dossier.id))
    db.session.refresh(filing)
    assert filing.villager_name == "" and filing.consent_method == "paper"


# --- A villager without a phone (issue 13 review): the slip and its QR are how they follow the dossier ---


def test_a_villager_without_a_phone_is_followed_by_the_slip_and_the_intermediary_is_texted(app, monkeypatch):
    with Gateway() as gateway:
        settings = replace(app.config["PORTAL_SETTINGS"], sms=gateway.settings())
        monkeypatch.setitem(app.config, "PORTAL_SETTINGS", settings)
        person = intermediary(phone="0911 000 111")
        client = sign_in(app.test_client(), person)
        page = client.get(NEW).get_data(as_text=True)
        assert 'name="phone"' in page and "required" not in page.split('name="phone"')[1].split(">")[0]
        response = file_dossier(client, phone="")
        code = filed_code(response)
        dossier = dossier_of(code)
        assert dossier.phone == "" and dossier.applicant_name == "Lò Thị Xuân"
        shown = client.get(f"/intermediary/dossiers/{code}").get_data(as_text=True)
        assert "Hãy in phiếu ngay" in shown  # the flash: print the slip now, its QR is shown only now
        assert "Người dân không để lại số điện thoại" in shown  # the page: no texts to the villager
        slip = client.get(f"/intermediary/dossiers/{code}/slip").get_data(as_text=True)
        assert "slip-qr" in slip and "Không có số điện thoại" in slip
        assert "4 số cuối" not in slip  # no phone digits to give
        later = sign_in(app.test_client(), person).get(f"/intermediary/dossiers/{code}/slip")  # no QR now
        assert "slip-qr" not in later.get_data(as_text=True)
        assert "mang phiếu này và căn cước công dân" in later.get_data(as_text=True)
        run_jobs(app)
        [text] = gateway.received  # nothing to the villager; the intermediary's note that the slip is ready
        assert text.phone == "0911000111" and code in text.content and text.content.isascii()
        assert "Xuan" not in text.content and "014190000123" not in text.content  # nothing of the villager
        assert len(text.content) <= 160


def test_no_text_when_neither_has_a_phone(app, monkeypatch):
    with Gateway() as gateway:
        settings = replace(app.config["PORTAL_SETTINGS"], sms=gateway.settings())
        monkeypatch.setitem(app.config, "PORTAL_SETTINGS", settings)
        filed_code(file_dossier(sign_in(app.test_client(), intermediary()), phone=""))
        assert db.session.scalar(select(OutboxJob).where(OutboxJob.kind == "sms")) is None


def test_a_dossier_without_a_phone_goes_through_the_desk_and_its_qr_link(app, monkeypatch):
    from portal.domain.dossier_status import DossierAction as A

    with Gateway() as gateway:
        settings = replace(app.config["PORTAL_SETTINGS"], sms=gateway.settings())
        monkeypatch.setitem(app.config, "PORTAL_SETTINGS", settings)
        dossier = dossier_of(filed_code(file_dossier(sign_in(app.test_client(), intermediary()), phone="")))
        desk = make_account("receptionist", agency=TO_HIEU)
        staff = sign_in(app.test_client(), desk)
        item_page = staff.get(f"/staff/dossiers/{dossier.code}").get_data(as_text=True)
        assert 'href="tel:"' not in item_page
        with app.test_request_context():
            dossier_operations.staff_act(dossier, A.RECEIVE, desk)
            db.session.commit()
            link = url_for(
                "dossiers.secret_link", code=dossier.code, token=dossier_operations.secret_token(dossier)
            )
        assert dossier.status == 2
        run_jobs(app)
        assert gateway.received == []  # no contact for notices: nothing texted, nothing failing
        assert db.session.scalar(select(func.count(OutboxJob.id)).where(OutboxJob.kind == "sms")) == 0
    villager = app.test_client()
    opened = villager.get(link, follow_redirects=True)
    assert opened.status_code == 200 and dossier.code in opened.get_data(as_text=True)
    receipt = villager.get(f"/dossiers/{dossier.code}/receipt")
    assert receipt.status_code == 200


@pytest.mark.parametrize("digits", ["0000", "1234", "    "])
def test_tracking_by_phone_digits_never_opens_a_dossier_without_a_phone(app, digits):
    code = filed_code(file_dossier(sign_in(app.test_client(), intermediary()), phone=""))
    response = app.test_client().post("/track", data={"code": code, "phone_digits": digits})
    assert response.status_code in (400, 404) and "Location" not in response.headers


def test_the_documents_survive_a_form_error_on_the_villagers_form(app):
    """The intermediary's form keeps its documents as drafts too (portal/dossiers/upload_drafts.py): an error
    lists them, the corrected form is filed with them, chosen once."""
    client = sign_in(app.test_client(), intermediary())
    hidden = opened_form(client, NEW)
    data = applicant(phone="0977 12", email="") | hidden  # one digit short
    data.pop("consent"), data.pop("paper_consent")
    data |= {"consent_method": "paper", "consent_photo": (io.BytesIO(jpeg_bytes()), "giay.jpg")}
    data[f"doc-{procedure().documents[0].id}"] = [(io.BytesIO(PDF), "to-khai.pdf")]
    answer = client.post(NEW, data=data, content_type="multipart/form-data")
    assert answer.status_code == 400 and len(KEPT.findall(answer.get_data(as_text=True))) == 1
    data = applicant(phone="0977 123 456", email="") | hidden
    data.pop("consent"), data.pop("paper_consent")
    data |= {"consent_method": "paper", "consent_photo": (io.BytesIO(jpeg_bytes()), "giay.jpg")}
    dossier = dossier_of(filed_code(client.post(NEW, data=data, content_type="multipart/form-data")))
    assert [(f.display_name, f.required_document_id) for f in dossier.files] == [
        ("to-khai.pdf", procedure().documents[0].id)
    ]


def test_a_second_post_whose_documents_the_first_took_shows_the_first_dossier(app, monkeypatch):
    """Found by review, as on the citizen's form (tests/dossiers/test_double_submission.py): post B of the
    villager's form passes the "already sent?" look-up while post A is still running, keeps no document of its
    own (A's drafts hold the same file), then A commits and takes them: B answered "Attach at least one
    document." (400) for a dossier that was filed. It now looks again and shows A's dossier. Modelled by B's
    drafts going (as A's, taken) right after B kept them."""
    from portal.intermediaries import routes_dossiers

    client = sign_in(app.test_client(), intermediary())
    hidden = opened_form(client, NEW)
    code = filed_code(file_dossier(client, **hidden))  # post A
    before = db.session.scalar(select(func.count(Dossier.id)))
    first_look_up_misses(monkeypatch, routes_dossiers, "sent_with")  # B's, while A was running
    drafts_taken_once_kept(monkeypatch, procedure(), hidden["nonce"])  # A's commit took the drafts B matched
    second = file_dossier(client, **hidden)  # post B
    assert filed_code(second) == code and db.session.scalar(select(func.count(Dossier.id))) == before
