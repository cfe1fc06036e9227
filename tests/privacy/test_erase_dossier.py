"""Asking to erase one dossier from /my-data (walk-through findings): a confirmation step that works without
JavaScript, offered only for a dossier that may be erased, and its result dated the portal's way."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.privacy.models import PrivacyRequest
from tests.privacy.support import make_citizen


def requests() -> int:
    return db.session.scalar(select(func.count(PrivacyRequest.id))) or 0


def test_one_tap_erases_nothing_the_box_must_be_ticked(client, login):
    me = make_citizen("a", open_dossier=False)
    finished = me.dossiers[0]
    db.session.commit()
    login(me.account)
    page = client.get("/my-data").get_data(as_text=True)
    # /my-data links to the confirmation page; no form posts the erasure from there.
    assert f'href="/my-data/dossiers/{finished.code}/erase"' in page
    assert f'action="/my-data/dossiers/{finished.code}/erase"' not in page
    confirm = client.get(f"/my-data/dossiers/{finished.code}/erase")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and 'name="confirm"' in text
    assert "20 năm" in text  # what will happen is said before: restricted under the residence rule
    refused = client.post(f"/my-data/dossiers/{finished.code}/erase")
    assert refused.status_code == 400 and "Đánh dấu vào ô để xác nhận" in refused.get_data(as_text=True)
    db.session.refresh(finished)
    assert finished.restricted_at is None and requests() == 0
    assert client.post(f"/my-data/dossiers/{finished.code}/erase", data={"confirm": "y"}).status_code == 200
    db.session.refresh(finished)
    assert finished.restricted_at is not None and requests() == 1


def test_a_dossier_being_handled_is_not_offered_and_says_why(client, login):
    me = make_citizen("a")
    handled = me.dossiers[1]
    db.session.commit()
    login(me.account)
    page = client.get("/my-data").get_data(as_text=True)
    assert f"/my-data/dossiers/{handled.code}/erase" not in page
    assert f"/my-data/dossiers/{me.dossiers[0].code}/erase" in page  # the finished one is offered
    assert "Không thể xóa hồ sơ đang được giải quyết" in page
    # Asked all the same (an old page, a typed address): the same rule, the same answer, nothing recorded.
    for response in (
        client.get(f"/my-data/dossiers/{handled.code}/erase"),
        client.post(f"/my-data/dossiers/{handled.code}/erase", data={"confirm": "y"}),
    ):
        text = response.get_data(as_text=True)
        assert "Không thể xóa hồ sơ đang được giải quyết" in text and 'name="confirm"' not in text
    assert requests() == 0


def test_the_restricted_page_of_my_data_dates_the_end_of_the_archive_duty_as_dd_mm_yyyy(client, login):
    me = make_citizen("a", open_dossier=False)
    db.session.commit()
    login(me.account)
    text = client.get(f"/my-data/dossiers/{me.dossiers[0].code}/erase").get_data(as_text=True)
    returned = me.dossiers[0].returned_at
    assert f"sau ngày {returned.day:02d}/{returned.month:02d}/{returned.year + 20}" in text
