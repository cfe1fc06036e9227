"""The public feed's search through its index (issue 17): the same items as the old `LIKE '%term%'` for
terms of three letters or more, the word rule for shorter ones, nothing unpublished, and the index kept
in step with the items (SQLite's FTS5 table by triggers), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from portal import search
from portal.domain.text import fold, search_terms
from portal.extensions import db
from portal.feedback import queries
from portal.feedback.models import Feedback
from tests.support.feedback import make_item, publish

TEXTS = [
    ("Đèn đường hỏng ở ngã tư", "Đèn đường phố không sáng từ tuần trước."),
    ("Cống thoát nước bị tắc", "Nước ngập sau mưa, rác chắn miệng cống."),
    ("Cây đổ chắn đường", "Cây xà cừ đổ ngang đường sau giông."),
    ("Cơ quan chậm trả lời", "Hỏi từ tháng trước mà chưa có trả lời."),
    ("Học sinh qua đường nguy hiểm", "Không kẻ vạch sang đường trước trường."),
    ("Đường xã Chiềng Cơi xuống cấp", "Nhiều ổ gà, xe đi lại khó khăn."),
    ("Ô nhiễm tiếng ồn", "Xưởng gỗ chạy máy cưa cả đêm."),
    ("Thuý Hoà hỏi về thủ tục", "Hoà giải ở cơ sở thế nào?"),
]
# Phường Tô Hiệu: no word of its name starts with "co" or stands alone as one letter.
COMMUNE = "03646"
UNPUBLISHED = ("Kinh phí riêng xzqvx", "Báo cáo nội bộ chưa trả lời: kinhphiriêng.")


@pytest.fixture
def items(app):
    published = [publish(make_item(title=title, description=body, commune=COMMUNE)) for title, body in TEXTS]
    hidden = make_item(title=UNPUBLISHED[0], description=UNPUBLISHED[1], commune=COMMUNE)
    db.session.flush()
    return published, hidden


def feed_ids(query: str, **filters) -> list[int]:
    """Every page of the feed for `query`, followed through its "before" keys."""
    found, before = [], None
    while True:
        rows, before = queries.public_feed(queries.FeedFilter(query=query, before=before, **filters))
        found += [row.id for row in rows]
        if before is None:
            return found


def published_keys() -> dict[int, str]:
    rows = db.session.execute(select(Feedback.id, Feedback.public_search_key).where(Feedback.is_published))
    return dict(rows.all())


def by_old_like(query: str) -> list[int]:
    """The old search, in Python: every folded term anywhere in the key, newest first."""
    terms = search_terms(query)
    return sorted((i for i, key in published_keys().items() if all(t in key for t in terms)), reverse=True)


def by_rule(query: str) -> list[int]:
    return sorted((i for i, key in published_keys().items() if search.matches(key, query)), reverse=True)


# Terms of three letters or more, as citizens type them.
LONG_QUERIES = [
    "đường",
    "DUONG",
    "đèn đường",  # every term must occur
    "cống tắc",
    "Thúy Hòa",  # the other tone placement, folded the same way as the key
    "xuong cap chieng",
    "kinhphirieng",  # only in an unpublished item
    "nước nhiều",  # both words exist, never in one item
    "xzqvy khong",
]


def test_terms_of_three_letters_or_more_find_what_like_found(items):
    for query in LONG_QUERIES:
        assert all(len(term) >= 3 for term in search_terms(query))
        expected = by_old_like(query)
        assert feed_ids(query) == expected == by_rule(query), query


def test_no_match_and_unpublished_items_are_not_found(items):
    published, hidden = items
    assert feed_ids("xzqvy khong co") == []
    assert feed_ids("kinhphirieng") == []
    assert feed_ids("xzqvx") == []
    assert hidden.id not in feed_ids("")


def test_matching_items_are_found(items):
    published, _hidden = items
    lamps, drain, tree, office, pupils, road, noise, names = published
    assert {lamps.id, tree.id, pupils.id, road.id} <= set(feed_ids("đường"))
    assert drain.id not in feed_ids("đèn")
    assert feed_ids("đèn đường") == [lamps.id]
    assert feed_ids("thuy hoa") == [names.id]
    assert feed_ids(lamps.code) == [lamps.id]  # the code is in the public key


def test_short_terms_follow_the_word_rule(items):
    for query in ["co", "cơ", "o", "ô", "xa", "xã đường", "a", "ga", "xzqvy khong co"]:
        assert feed_ids(query) == by_rule(query), query


def test_two_letters_find_the_start_of_a_word_one_letter_a_word(items):
    published, _hidden = items
    lamps, drain, tree, office, pupils, road, noise, names = published
    found = set(feed_ids("co"))
    # "Cống", "Cơ quan", "có", "Cơi" start with "co"; "Học" only contains it.
    assert {drain.id, office.id, road.id} <= found
    assert pupils.id not in found
    assert set(feed_ids("cơ quan")) == {office.id}
    # "ô": the words "Ô" (noise), "ổ" (road), "ở" (lamps, names); not "ồn" nor "Cống" (drain).
    found = set(feed_ids("ô"))
    assert {noise.id, road.id, lamps.id, names.id} <= found
    assert drain.id not in found


def test_filters_and_pages_apply_to_the_search(items):
    published, _hidden = items
    everything = feed_ids("đường")
    answered = [i for i in everything if db.session.get(Feedback, i).status == "answered"]
    assert published[0].id in answered
    assert feed_ids("đường", status="answered") == answered
    first, before = queries.public_feed(queries.FeedFilter(query="đường"))
    assert [row.id for row in first] == everything[: queries.PAGE_SIZE]
    assert before is None or before == everything[queries.PAGE_SIZE - 1]


def test_the_index_follows_publishing_changes_and_deletion(items):
    published, hidden = items
    lamps = published[0]
    hidden.is_published = True  # published later
    db.session.flush()
    assert feed_ids("kinhphirieng") == [hidden.id]
    hidden.is_published = False  # withdrawn again
    db.session.flush()
    assert feed_ids("kinhphirieng") == []
    lamps.public_search_key = fold("Biển báo bị che khuất")  # the key changes
    db.session.flush()
    assert lamps.id not in feed_ids("đèn đường")
    assert feed_ids("bien bao che khuat") == [lamps.id]
    db.session.delete(lamps)
    db.session.flush()
    assert feed_ids("bien bao") == []
    if db.engine.dialect.name == "sqlite":
        # Not merely hidden by the join: the FTS rows themselves are gone.
        for phrase in ('"kinhphirieng"', '"bien bao"', '"den duong"'):
            rows = db.session.execute(
                text(f"SELECT rowid FROM {search.FEED_FTS} WHERE {search.FEED_FTS} MATCH :q"), {"q": phrase}
            ).all()
            assert rows == [], phrase


def test_the_feed_page_searches(client, items):
    published, _hidden = items
    body = client.get("/feedback", query_string={"q": "xzqvy khong co"}).get_data(as_text=True)
    assert not any(f"/feedback/{item.code}" in body for item in published)
    body = client.get("/feedback", query_string={"q": "cống thoát"}).get_data(as_text=True)
    assert f"/feedback/{published[1].code}" in body


def plan(query: str) -> str:
    statement = queries.feed_statement(queries.FeedFilter(query=query))
    connection = db.session.connection()
    sql = str(statement.compile(connection, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "sqlite":
        return "\n".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    # The demo's few rows are rightly read without a trigram index: take the other ways away (inside the
    # test's transaction) to see whether the query's words fit the index's expression and predicate.
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL enable_indexscan = off")
    # The feed's b-tree indexes over the published items share the predicate: without a trigram match they
    # are what a bitmap scan of "every published item" would read instead.
    connection.exec_driver_sql(
        "DROP INDEX ix_feedback_public, ix_feedback_public_category, ix_feedback_public_commune, "
        "ix_feedback_public_status, ix_feedback_public_submitted"
    )
    return "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}", ()))


@pytest.mark.parametrize("query", ["xzqvy khong co", "duong", "o"])
def test_the_search_goes_through_the_index(items, query):
    """The query's words match the index's: its expression and, on PostgreSQL, its partial predicate."""
    found = plan(query)
    if db.engine.dialect.name == "sqlite":
        assert f"SCAN {search.FEED_FTS} VIRTUAL TABLE INDEX" in found, found
        assert "SCAN feedback_items" not in found and "TEMP B-TREE" not in found, found
    else:
        assert f"Bitmap Index Scan on {search.FEED_TRIGRAM_INDEX}" in found, found


def test_alembic_filter_hides_only_the_search_index():
    """The migrations' comparison skips the search index's objects, and nothing the models declare."""
    import portal.all_models  # noqa: F401

    assert all(search.include_name(name, "table", {}) for name in db.metadata.tables)
    indexes = [index.name for table in db.metadata.tables.values() for index in table.indexes]
    assert all(search.include_name(name, "index", {}) for name in indexes)
    assert not search.include_name(search.FEED_FTS, "table", {})
    assert not search.include_name(f"{search.FEED_FTS}_data", "table", {})
    assert not search.include_name(search.FEED_TRIGRAM_INDEX, "index", {})
