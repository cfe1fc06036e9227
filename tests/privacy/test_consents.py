"""Consents as records (issue 10 item 5; SECURITY.md check 31)."""

import re

from sqlalchemy import select

from portal.extensions import db
from portal.feedback.models import Feedback
from portal.privacy.models import Consent, ConsentNotice
from tests.support.dossiers import make_dossier
from tests.support.feedback import publish, receipt_code, web_submit

VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}\.[0-9a-f]{12}$")


def consents_of(kind: str, item_id: int) -> list[Consent]:
    return list(
        db.session.scalars(
            select(Consent)
            .where(Consent.subject_type == kind, Consent.subject_id == item_id)
            .order_by(Consent.id)
        )
    )


def test_a_web_report_records_the_notice_and_each_optional_consent_as_its_own_row(client):
    assert web_submit(client, show_name="y").status_code == 302
    item = db.session.scalar(select(Feedback).where(Feedback.code == receipt_code(client)))
    rows = consents_of("feedback", item.id)
    assert [row.purpose for row in rows] == ["notice", "publish_name"]
    for row in rows:
        assert VERSION.match(row.notice_version)
        assert row.channel == "web" and row.ip_address == "127.0.0.1" and row.withdrawn_at is None
        assert row.given_at.tzinfo is not None  # UTC
    notice = db.session.scalar(select(ConsentNotice).where(ConsentNotice.version == rows[0].notice_version))
    # The text shown is kept, in the language of the page, and the version is derived from it.
    assert "Luật Bảo vệ dữ liệu cá nhân" in notice.text or "91/2025" in notice.text
    assert notice.version.endswith(notice.text_hash[:12])


def test_without_the_optional_box_there_is_no_optional_row_and_one_notice_version_per_text(client):
    web_submit(client)
    first = db.session.scalar(select(Feedback).where(Feedback.code == receipt_code(client)))
    web_submit(client, title="Đèn đường hỏng ở bản Mé")
    second = db.session.scalar(select(Feedback).where(Feedback.code == receipt_code(client)))
    one, two = consents_of("feedback", first.id), consents_of("feedback", second.id)
    assert [row.purpose for row in one] == ["notice"] == [row.purpose for row in two]
    assert one[0].notice_version == two[0].notice_version


def test_counter_intake_records_the_paper_consent_with_the_officer(app):
    dossier = make_dossier(received=True)
    (row,) = consents_of("dossier", dossier.id)
    assert row.channel == "counter" and row.officer_id == dossier.created_by_id and row.ip_address is None
    notice = db.session.scalar(select(ConsentNotice).where(ConsentNotice.version == row.notice_version))
    assert "giấy" in notice.text  # the desk's printed notice, not the web one


def test_an_online_dossier_records_the_web_notice(app):
    dossier = make_dossier()
    (row,) = consents_of("dossier", dossier.id)
    assert row.channel == "web" and row.officer_id is None


def test_withdrawing_publication_removes_the_name_from_the_public_feed_at_once(client, app):
    web_submit(client, show_name="y", contact_name="Lường Văn Công Khai")
    item = db.session.scalar(select(Feedback).where(Feedback.code == receipt_code(client)))
    publish(item)
    db.session.commit()
    reader = app.test_client()
    assert "Lường Văn Công Khai" in reader.get("/feedback").get_data(as_text=True)  # kept as a fragment now
    assert "Lường Văn Công Khai" in reader.get(f"/feedback/{item.code}").get_data(as_text=True)
    # The reporter opens their data through the private link's session and withdraws.
    from portal.feedback import operations

    token = "tok-" + "y" * 20
    item.token_hash = operations.hash_token(token)
    db.session.commit()
    client.get(f"/my-data/t/{token}")
    (optional,) = [row for row in consents_of("feedback", item.id) if row.purpose == "publish_name"]
    assert client.post(f"/my-data/consents/{optional.id}/withdraw").status_code == 302
    assert "Lường Văn Công Khai" not in reader.get("/feedback").get_data(as_text=True)
    assert "Lường Văn Công Khai" not in reader.get(f"/feedback/{item.code}").get_data(as_text=True)
    db.session.refresh(optional)
    assert optional.withdrawn_at is not None
    # Giving it again is as easy, and shows the name again.
    assert client.post(f"/my-data/feedback/{item.code}/show-name").status_code == 302
    assert "Lường Văn Công Khai" in reader.get("/feedback").get_data(as_text=True)


def test_the_notice_consent_cannot_be_withdrawn_as_an_optional_one(client):
    web_submit(client)
    item = db.session.scalar(select(Feedback).where(Feedback.code == receipt_code(client)))
    from portal.feedback import operations

    item.token_hash = operations.hash_token("tok-" + "z" * 20)
    db.session.commit()
    client.get("/my-data/t/tok-" + "z" * 20)
    (notice,) = consents_of("feedback", item.id)
    assert client.post(f"/my-data/consents/{notice.id}/withdraw").status_code == 400


def test_someone_elses_consent_is_a_404(client, login):
    web_submit(client, show_name="y")
    item = db.session.scalar(select(Feedback).where(Feedback.code == receipt_code(client)))
    rows = consents_of("feedback", item.id)
    db.session.commit()
    login("citizen")
    assert client.post(f"/my-data/consents/{rows[1].id}/withdraw").status_code == 404
