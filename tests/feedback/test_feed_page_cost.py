"""The public feed's cost per request and what it keeps (portal/feedback/feed_view.py, bench/notes/feed2.md).

- A page reads its rows in ONE statement, whatever it shows (names come from the reference lists): a
  statement per row (an N+1) coming back fails here.
- A search reads the database every time, a different query or the same one (no kept page answers it).
- A page without a search is kept for the visitor the same layout serves alike, at most RECENT_SECONDS after
  a change this process cannot see (a plain UPDATE, as another process's looks from here), and not at all
  after a change flushed here.
- The HTML is the template's: the search box's query filled into a kept content is the query Jinja would
  have written, and a page kept whole is the page the layout renders per request.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from portal import fragments
from portal.extensions import db
from portal.feedback import feed_view, queries
from portal.feedback.models import Feedback
from portal.tracking import page_cache
from tests.support.clients import fresh_client, sign_in
from tests.support.factories import TO_HIEU, make_account
from tests.support.feedback import make_item, publish
from tests.support.statements import statements

ROW = re.compile(r'<li>\s*<a href="/feedback/(PA-[^"]+)"')
OLDER = re.compile(r'class="button secondary" href="(/feedback\?[^"]*before=[^"]+)"')


@pytest.fixture
def published(app):
    """More published items than a page holds, in three categories and two communes, one with a name shown."""
    processor = make_account("processor", agency=TO_HIEU)
    places = [("giao-thong", "03670"), ("moi-truong", "03670"), ("dien-chieu-sang", "03646")]
    items = []
    for number in range(queries.PAGE_SIZE + 3):
        category, commune = places[number % len(places)]
        item = make_item(
            title=f"Phản ánh số {number}", category=category, commune=commune, show_name=number == 5
        )
        items.append(publish(item, processor=processor))
    db.session.flush()
    return items


def get(client, address: str) -> tuple[str, int]:
    with statements() as seen:
        response = client.get(address)
    assert response.status_code == 200
    return response.get_data(as_text=True), len(seen)


def warm_reference_lists(app) -> None:
    """The categories and communes are read once per 30 s per process (portal/fragments.py): read them."""
    fresh_client(app).get("/feedback?status=answered")


def test_a_feed_page_reads_its_rows_in_one_statement(app, published):
    warm_reference_lists(app)
    page, count = get(fresh_client(app), "/feedback")
    assert count == 1
    shown = ROW.findall(page)
    assert len(shown) == queries.PAGE_SIZE == len(set(shown))
    # The names on each line come from the reference lists: no statement of their own.
    assert re.search(r"</span>\s*Môi trường &amp; rác thải · ", page)
    assert re.search(r"</span>\s*Điện – chiếu sáng · ", page)
    following = OLDER.search(page)
    assert following is not None
    page, count = get(fresh_client(app), following[1].replace("&amp;", "&"))
    assert count == 1
    assert len(ROW.findall(page)) >= 3  # the rest of these, and the seed's published items
    for address in ("/feedback?commune=03670", "/feedback?category=moi-truong&status=answered"):
        page, count = get(fresh_client(app), address)
        assert count == 1 and ROW.findall(page), address


def test_a_search_reads_the_database_every_time(app, published):
    warm_reference_lists(app)
    visitor = fresh_client(app)
    for address in (
        "/feedback?q=xzqvy+khong+co",
        "/feedback?q=xzqvy+khong+co",  # the same again: not answered from a kept page
        "/feedback?q=fjwzfj",
        "/feedback?q=ph%E1%BA%A3n+%C3%A1nh",  # matches every item: a full page and a next one
        "/feedback?q=ph%E1%BA%A3n+%C3%A1nh",
    ):
        _page, count = get(visitor, address)
        assert count == 1, address


def test_a_search_shows_a_change_made_elsewhere_at_once(app, published):
    """A plain UPDATE (another process's change, as seen from here) shows at the next search."""
    visitor = fresh_client(app)
    assert not ROW.findall(get(visitor, "/feedback?q=xzqvy")[0])
    db.session.execute(
        update(Feedback)
        .where(Feedback.id == published[0].id)
        .values(public_search_key=published[0].public_search_key + " xzqvy")
    )
    assert ROW.findall(get(visitor, "/feedback?q=xzqvy")[0]) == [published[0].code]


def test_a_page_without_a_search_is_at_most_recent_seconds_old(app, published, monkeypatch):
    warm_reference_lists(app)
    visitor = fresh_client(app)
    page, count = get(visitor, "/feedback")
    assert count == 1 and "Phản ánh số 22" in page
    page, count = get(fresh_client(app), "/feedback")  # any anonymous visitor: the kept page
    assert count == 0 and "Phản ánh số 22" in page
    db.session.execute(  # a plain UPDATE, as another process's change looks from here
        update(Feedback).where(Feedback.id == published[-1].id).values(title="Tiêu đề đã sửa")
    )
    assert "Tiêu đề đã sửa" not in get(visitor, "/feedback")[0]  # within the stated time: may be old
    clock = fragments.time.monotonic() + feed_view.RECENT_SECONDS + 0.1
    monkeypatch.setattr(fragments.time, "monotonic", lambda: clock)
    page, count = get(visitor, "/feedback")
    assert count == 1 and "Tiêu đề đã sửa" in page


def test_a_change_flushed_in_this_process_shows_on_a_kept_page_at_once(app, published):
    visitor = fresh_client(app)
    assert "Cống thoát nước bị tắc" not in get(visitor, "/feedback")[0]
    assert get(visitor, "/feedback")[1] == 0  # kept
    item = publish(make_item(title="Cống thoát nước bị tắc"))
    assert "Cống thoát nước bị tắc" in get(visitor, "/feedback")[0]
    published[-1].title = "Tiêu đề mới của phản ánh"
    db.session.flush()
    assert "Tiêu đề mới của phản ánh" in get(visitor, "/feedback")[0]
    assert item.code in get(fresh_client(app), "/feedback?commune=03670")[0]


def test_a_signed_in_visitor_gets_the_layout_rendered_and_no_kept_page(app, published):
    citizen = sign_in(fresh_client(app), make_account("citizen"))
    page, count = get(citizen, "/feedback")
    assert count >= 1 and "Đăng xuất" in page
    assert "Đăng xuất" not in get(fresh_client(app), "/feedback")[0]


@pytest.mark.parametrize(
    "queries_asked",
    [
        ("fjwzfj", "<b>\"ấy\"</b> & 'x'"),
        ("xzqvy khong co", "zzzz"),
        ("phản ánh số 1", "phản ánh số 1 "),  # the same rows, one with a next page, one without
        ("phản", "ánh"),  # the same full page and next page for two queries
    ],
)
def test_a_query_filled_into_kept_content_is_the_page_jinja_renders(
    app, published, monkeypatch, queries_asked
):
    """The second query's page when the first made the kept content (its query a slot) is the page
    rendered for it alone, without a slot and without the whole page kept."""
    first, second = queries_asked
    fragments.forget_all()
    fresh_client(app).get("/feedback", query_string={"q": first})
    kept = fresh_client(app).get("/feedback", query_string={"q": second}).get_data(as_text=True)
    assert feed_view.QUERY_SLOT not in kept
    fragments.forget_all()
    monkeypatch.setattr(feed_view, "replace", lambda criteria, query: criteria)  # no slot
    monkeypatch.setattr(page_cache, "same_layout_for_everyone", lambda: False)  # layout per request
    rendered = fresh_client(app).get("/feedback", query_string={"q": second}).get_data(as_text=True)
    assert kept == rendered


def test_a_page_kept_whole_is_the_page_the_layout_renders(app, published, monkeypatch):
    addresses = (
        "/feedback",
        "/feedback?lang=en",
        "/feedback?status=closed&commune=03670",
        "/feedback?q=xzqvy",
    )
    kept = {address: fresh_client(app).get(address).get_data(as_text=True) for address in addresses}
    again = {address: fresh_client(app).get(address).get_data(as_text=True) for address in addresses}
    fragments.forget_all()
    monkeypatch.setattr(page_cache, "same_layout_for_everyone", lambda: False)
    rendered = {address: fresh_client(app).get(address).get_data(as_text=True) for address in addresses}
    assert kept == again == rendered
