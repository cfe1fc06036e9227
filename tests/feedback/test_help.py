"""Help before a report: similar open reports nearby, "my problem too" (one per phone or session, in the
database), the emergency numbers and commune hotline of urgent categories, communes by pre-2025 names."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from portal.db_types import utcnow
from portal.extensions import db
from portal.feedback.models import Feedback, FeedbackSupport
from portal.feedback.routes_help import HELP_LOOKUPS_PER_ADDRESS_HOUR
from portal.places.models import AdminUnit
from tests.support.clients import fresh_client
from tests.support.feedback import (
    TO_HIEU_COMMUNE,
    category_id,
    feedback_count,
    form_data,
    make_item,
    publish,
)

OTHER_COMMUNE = "03646"  # Phường Tô Hiệu's neighbour list: any other unit


def similar_page(client, category="giao-thong", commune=TO_HIEU_COMMUNE, title="", lang="vi"):
    query = {"category": category_id(category), "commune": commune, "title": title, "lang": lang}
    return client.get("/feedback/similar", query_string=query).get_json()["html"]


def test_similar_lists_open_reports_of_the_category_in_the_commune(client):
    published = publish(make_item(title="Ổ gà lớn trên đường Tô Hiệu"))
    unpublished = make_item(title="Số điện thoại 0912345678 trong tiêu đề")
    make_item(category="moi-truong", title="Rác thải ở chợ")  # another category
    make_item(commune=OTHER_COMMUNE, agency=None, title="Đường hỏng xã khác")  # another commune
    body = similar_page(client, lang="en")
    assert "Ổ gà lớn trên đường Tô Hiệu" in body and f'name="support-{published.id}"' in body
    # An unpublished report's text is not public: it is counted, never listed (test_unpublished_... below).
    assert f'name="support-{unpublished.id}"' not in body and "1 other report of this kind" in body
    assert "0912345678" not in body and "Rác thải" not in body and "xã khác" not in body


def test_similar_puts_reports_sharing_title_words_first(client):
    first = publish(make_item(title="Cầu treo bản Mé bị gãy"))
    publish(make_item(title="Đèn đường hỏng"))
    body = similar_page(client, title="cau treo ban me")
    assert body.index(first.title) < body.index("Đèn đường hỏng")


def test_closed_reports_are_not_hints(client):
    item = make_item(title="Đã xong từ lâu")
    item.status = "closed"
    db.session.flush()
    assert "Đã xong từ lâu" not in similar_page(client) and f'name="support-{item.id}"' not in similar_page(
        client
    )


def test_check_button_without_javascript_keeps_the_form_and_sends_nothing(client):
    item = publish(make_item(title="Ổ gà lớn trên đường Tô Hiệu"))
    before = feedback_count()
    response = client.post("/feedback/new", data=form_data(title="Ổ gà đường Tô Hiệu", check="1"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert feedback_count() == before
    assert "Ổ gà lớn trên đường Tô Hiệu" in body and f'name="support-{item.id}"' in body
    assert 'value="Ổ gà đường Tô Hiệu"' in body  # what was typed is kept


def test_a_form_error_shows_the_hints_too(client):
    publish(make_item(title="Ổ gà lớn trên đường Tô Hiệu"))
    response = client.post("/feedback/new", data=form_data(description="ngắn"))
    assert response.status_code == 400
    assert "Ổ gà lớn trên đường Tô Hiệu" in response.get_data(as_text=True)


def support_count(item: Feedback) -> int:
    db.session.expire(item)
    return item.support_count


def test_me_too_counts_once_per_session_and_once_per_phone(app, client):
    item = publish(make_item())
    before = feedback_count()
    client.post("/feedback/new", data=form_data(phone="", **{f"support-{item.id}": "x"}))
    client.post("/feedback/new", data=form_data(phone="", **{f"support-{item.id}": "x"}))  # the same session
    assert support_count(item) == 1
    assert feedback_count() == before  # "me too" sends no report
    other = app.test_client()
    other.post("/feedback/new", data=form_data(phone="0987 654 321", **{f"support-{item.id}": "x"}))
    third = app.test_client()  # another browser, the same phone: not counted again
    page = third.post("/feedback/new", data=form_data(phone="0987654321", **{f"support-{item.id}": "x"}))
    assert support_count(item) == 2
    assert "You have already said this is your problem too." in page.get_data(as_text=True) or (
        "Bạn đã cho biết" in page.get_data(as_text=True)
    )


def test_the_database_refuses_a_second_support_by_the_same_person(app):
    item = make_item()
    row = {"feedback_id": item.id, "supporter": "a" * 64, "created_at": utcnow()}
    db.session.execute(insert(FeedbackSupport).values(**row))
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(insert(FeedbackSupport).values(**row))


def test_me_too_on_the_public_page_and_the_count_in_the_feed(client):
    item = publish(make_item(title="Đường lầy lội trước trường"))
    response = client.post(f"/feedback/{item.code}/support")
    assert response.status_code == 302
    assert support_count(item) == 1
    assert "1 người cũng gặp vấn đề này" in client.get(f"/feedback/{item.code}").get_data(as_text=True)
    assert "1 người cũng gặp vấn đề này" in client.get("/feedback").get_data(as_text=True)


def test_a_closed_report_cannot_be_supported(client):
    item = publish(make_item())
    item.status = "closed"
    db.session.flush()
    client.post(f"/feedback/{item.code}/support")
    assert db.session.scalar(select(func.count()).select_from(FeedbackSupport)) == 0


def test_urgent_category_shows_the_emergency_numbers_and_the_commune_hotline(client):
    db.session.get(AdminUnit, TO_HIEU_COMMUNE).hotline = "0212 3852 111"
    db.session.flush()
    body = similar_page(client, category="sat-lo")
    for number in ("112", "113", "114", "115"):
        assert f'href="tel:{number}"' in body
    assert 'href="tel:02123852111"' in body
    assert 'href="tel:112"' not in similar_page(client, category="giao-thong")


def test_the_form_page_names_the_emergency_numbers_before_the_form(client):
    body = client.get("/feedback/new").get_data(as_text=True)
    assert body.index('href="tel:114"') < body.index('<form method="post"')


def test_commune_found_by_its_pre_2025_name_without_javascript(client):
    data = form_data(commune="", commune_search="Chiềng Lề", find_commune="1")
    body = client.post("/feedback/new", data=data).get_data(as_text=True)
    assert "Phường Tô Hiệu" in body and "Chiềng Lề" in body
    assert '<option selected value="03646">' in body or 'value="03646" selected' in body


CONDUCT = "hanh-vi-can-bo"


def test_unpublished_reports_are_counted_never_ranked_by_their_words(client):
    """The attack: with two hidden reports, the order of their ids answered which one held a word."""
    bribe = make_item(title="Cán bộ đòi tiền bồi dưỡng")
    drunk = make_item(title="Cán bộ uống rượu trong giờ làm")
    pages = {similar_page(client, title=words) for words in ("xyz", "tien boi duong", "uong ruou", "")}
    assert len(pages) == 1  # whatever the title, the same answer
    page = pages.pop()
    assert f"support-{bribe.id}" not in page and f"support-{drunk.id}" not in page
    assert "2 other reports of this kind" in similar_page(client, title="uong ruou", lang="en")


def test_published_reports_are_ranked_and_shown_by_their_public_text_only(client):
    """Staff's redaction hides a name: neither the list nor its order may show it."""
    redacted = publish(make_item(title="Ổ gà trước nhà ông Pọm"))
    redacted.public_title = "Ổ gà trên đường"
    other = publish(make_item(title="Đèn đường hỏng"))
    db.session.flush()
    by_name = similar_page(client, title="pom")
    assert "Pọm" not in by_name and "Ổ gà trên đường" in by_name
    assert by_name == similar_page(client, title="xyz")  # the hidden word moves nothing
    assert by_name.index(f"support-{other.id}") < by_name.index(f"support-{redacted.id}")  # the newest


def test_reporter_protected_categories_say_nothing_of_other_reports(client):
    hidden = make_item(category=CONDUCT, agency=None, title="Cán bộ đòi tiền bồi dưỡng")
    published = make_item(category=CONDUCT, agency=None, title="Cán bộ uống rượu trong giờ làm")
    published.is_published = True
    db.session.flush()
    body = similar_page(client, category=CONDUCT, title="can bo", lang="en")
    assert f"support-{hidden.id}" not in body and f"support-{published.id}" not in body
    assert "being checked" not in body and "uống rượu" not in body


def test_me_too_refuses_reports_the_public_cannot_see(app, client):
    unpublished = make_item()
    conduct = make_item(category=CONDUCT, agency=None)
    conduct.is_published = True
    db.session.flush()
    for item in (unpublished, conduct):
        response = client.post("/feedback/new", data=form_data(**{f"support-{item.id}": "x"}))
        assert response.status_code == 404 and support_count(item) == 0
    assert client.post(f"/feedback/{conduct.code}/support").status_code == 404
    assert support_count(conduct) == 0


def test_help_look_ups_are_limited_per_address(app):
    asker = fresh_client(app, remote_addr="203.0.113.40")
    query = {"category": category_id(), "commune": TO_HIEU_COMMUNE, "title": "x"}
    for _n in range(HELP_LOOKUPS_PER_ADDRESS_HOUR):
        assert asker.get("/feedback/similar", query_string=query).status_code == 200
    assert asker.get("/feedback/similar", query_string=query).status_code == 429
    # The form's "check" button is the same look-up, under the same count.
    assert asker.post("/feedback/new", data=form_data(check="1")).status_code == 429
    neighbour = fresh_client(app, remote_addr="203.0.113.41")
    assert neighbour.get("/feedback/similar", query_string=query).status_code == 200
