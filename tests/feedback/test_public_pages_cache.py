"""The public feed and the submission form keep rendered HTML between requests (portal/fragments.py): what
a citizen sees must still be current after every change, and nothing of one visitor may reach another."""

from __future__ import annotations

import re
import time

from sqlalchemy import select, update

from portal import fragments
from portal.domain.feedback_status import FeedbackAction as A
from portal.domain.text import fold
from portal.extensions import db
from portal.feedback import operations
from portal.feedback.models import Feedback, FeedbackCategory
from portal.places.models import AdminUnit
from tests.support.clients import fresh_client
from tests.support.factories import account, make_account
from tests.support.feedback import (
    TO_HIEU_COMMUNE,
    by_code,
    category_id,
    feedback_count,
    form_data,
    make_item,
    publish,
    receipt_code,
    web_submit,
)

NONCE = re.compile(r'name="nonce"[^>]*value="([^"]+)"')


def body(response) -> str:
    assert response.status_code in (200, 400), response.status_code
    return response.get_data(as_text=True)


def category(slug: str = "giao-thong") -> FeedbackCategory:
    found = db.session.scalar(select(FeedbackCategory).where(FeedbackCategory.slug == slug))
    assert found is not None
    return found


# ------------------------------------------------------------------------------------------------------ feed


def test_feed_shows_a_newly_published_item_at_once(app):
    client = fresh_client(app)
    before = body(client.get("/feedback"))
    item = publish(make_item(title="Cột điện nghiêng trước chợ"))
    assert item.code not in before
    assert item.code in body(client.get("/feedback"))
    assert "Cột điện nghiêng trước chợ" in body(fresh_client(app).get("/feedback"))


def test_feed_shows_a_changed_title_and_status_at_once(app):
    item = publish(make_item(title="Ổ gà trên quốc lộ 6"))
    client = fresh_client(app)
    assert "Ổ gà trên quốc lộ 6" in body(client.get("/feedback"))
    item.title = "Ổ gà lớn trên quốc lộ 6"
    operations.staff_act(item, A.CLOSE, account("processor"))
    page = body(client.get("/feedback"))
    assert "Ổ gà lớn trên quốc lộ 6" in page
    assert f'href="/feedback/{item.code}"' in page
    assert re.search(r'status-closed">Đã đóng<', page)


def test_feed_shows_a_renamed_category_and_commune_at_once(app):
    publish(make_item(title="Đèn đường tắt"))
    client = fresh_client(app)
    assert "Giao thông" in body(client.get("/feedback"))
    category().name = "Giao thông và cầu đường"
    db.session.get(AdminUnit, TO_HIEU_COMMUNE).name = "Phường Tô Hiệu Mới"
    db.session.flush()
    page = body(client.get("/feedback"))
    assert page.count("Giao thông và cầu đường") >= 2  # the item's line and the filter's option
    assert "Phường Tô Hiệu Mới" in page


def test_a_change_made_by_another_process_shows_within_the_stated_time(app, monkeypatch):
    """Another worker's change is not seen by this process's listeners: the lists are read again after
    REFERENCE_SECONDS at most."""
    publish(make_item(title="Nước sinh hoạt đục"))
    client = fresh_client(app)
    assert "Giao thông" in body(client.get("/feedback"))
    db.session.execute(  # a plain UPDATE, as another process's transaction looks from here
        update(FeedbackCategory).where(FeedbackCategory.slug == "giao-thong").values(name="Đường sá")
    )
    later = time.monotonic() + fragments.REFERENCE_SECONDS + 1
    monkeypatch.setattr(fragments.time, "monotonic", lambda: later)
    assert "Đường sá" in body(client.get("/feedback"))


def test_feed_languages_are_not_mixed(app):
    publish(make_item(title="Rác thải ở suối"))
    english = body(fresh_client(app).get("/feedback?lang=en"))
    vietnamese = body(fresh_client(app).get("/feedback"))
    assert "Citizen reports and answers" in english and "Roads &amp; bridges" in english
    assert "Citizen reports and answers" not in vietnamese and "Roads, bridges" not in vietnamese
    assert "Giao thông" in vietnamese


def test_feed_under_a_script_root_keeps_its_prefix(app):
    publish(make_item(title="Biển báo đổ"))
    plain = body(fresh_client(app).get("/feedback"))
    prefixed = body(fresh_client(app).get("/feedback", base_url="http://localhost/cong/"))
    assert 'href="/feedback/new"' in plain
    assert 'href="/cong/feedback/new"' in prefixed and 'href="/feedback/new"' not in prefixed
    again = body(fresh_client(app).get("/feedback"))
    assert 'href="/feedback/new"' in again and "/cong/" not in again


# ------------------------------------------------------------------------------------------------------ form


def test_each_visitor_gets_their_own_nonce(app):
    first, second = body(fresh_client(app).get("/feedback/new")), body(fresh_client(app).get("/feedback/new"))
    assert NONCE.search(first)[1] != NONCE.search(second)[1]
    assert first.count("<option") == second.count("<option") > 70  # the communes (categories: radio buttons)


def test_csrf_token_is_per_session_with_the_fields_cached(app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        pages = [body(fresh_client(app).get("/feedback/new")) for _ in range(2)]
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    tokens = [re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1] for page in pages]
    assert tokens[0] != tokens[1]


def test_a_signed_in_citizens_details_reach_no_one_else(app, client, login):
    citizen = make_account("citizen", full_name="Cầm Thị Xuân", email="xuan@example.vn")
    anonymous_first = body(fresh_client(app).get("/feedback/new"))
    login(citizen)
    own = body(client.get("/feedback/new"))
    anonymous_after = body(fresh_client(app).get("/feedback/new"))
    assert 'value="Cầm Thị Xuân"' in own and 'value="xuan@example.vn"' in own
    for page in (anonymous_first, anonymous_after):
        assert "Cầm Thị Xuân" not in page and "xuan@example.vn" not in page


def test_a_form_sent_back_keeps_the_chosen_commune_and_category(app):
    client = fresh_client(app)
    body(client.get("/feedback/new"))  # the untouched form first
    page = body(web_submit(client, title=""))
    assert re.search(rf'<option selected value="{TO_HIEU_COMMUNE}">', page)
    assert f'name="category" value="{category_id()}" checked>' in page  # radio buttons (issue 13 item 6)
    assert page.count("<option selected") == 1 and page.count(" checked>") == 1
    assert 'value="Bản Hua La, km 3"' in page
    untouched = body(fresh_client(app).get("/feedback/new"))
    assert "<option selected" not in untouched and "Bản Hua La" not in untouched


def test_a_category_switched_off_is_no_longer_offered_or_accepted(app):
    client = fresh_client(app)
    assert f'value="{category_id("dien-chieu-sang")}"' in body(client.get("/feedback/new"))
    category("dien-chieu-sang").is_active = False
    db.session.flush()
    assert f'value="{category_id("dien-chieu-sang")}"' not in body(client.get("/feedback/new"))
    count = feedback_count()
    response = web_submit(client, category=str(category_id("dien-chieu-sang")))
    assert response.status_code == 400 and feedback_count() == count


def test_a_renamed_category_shows_on_the_form_at_once(app):
    client = fresh_client(app)
    body(client.get("/feedback/new"))
    category().name = "Giao thông nông thôn"
    db.session.flush()
    assert "Giao thông nông thôn" in body(client.get("/feedback/new"))


def test_form_languages_are_not_mixed(app):
    english = body(fresh_client(app).get("/feedback/new?lang=en"))
    vietnamese = body(fresh_client(app).get("/feedback/new"))
    assert "Commune or ward" in english and "Choose…" in english
    assert "Commune or ward" not in vietnamese and "Choose…" not in vietnamese


# ------------------------------------------------------------------------------------------------ submission


def test_a_submission_stores_its_search_keys_and_answer_date_in_one_write(app):
    client = fresh_client(app)
    assert web_submit(client).status_code == 302
    item = by_code(receipt_code(client))
    commune = fold(db.session.get(AdminUnit, TO_HIEU_COMMUNE).name)
    assert commune in item.public_search_key and "giao thong" in item.public_search_key
    assert "0912345678" in item.search_key and "0912345678" not in item.public_search_key
    assert item.due_on is not None and item.queue_due == item.due_on
    assert client.get(f"/feedback/{item.code}/status").status_code == 200


def test_an_unknown_commune_is_refused_and_stores_nothing(app):
    count = feedback_count()
    response = web_submit(fresh_client(app), commune="99999")
    assert response.status_code == 400 and feedback_count() == count
    assert db.session.scalar(select(Feedback).where(Feedback.admin_unit_code == "99999")) is None


def test_the_same_form_sent_twice_still_makes_one_report(app):
    client = fresh_client(app)
    nonce = NONCE.search(body(client.get("/feedback/new")))[1]
    count = feedback_count()
    assert web_submit(client, nonce=nonce).status_code == 302
    assert web_submit(client, nonce=nonce).status_code == 302
    assert feedback_count() == count + 1
    assert by_code(receipt_code(client)).title == form_data()["title"]
