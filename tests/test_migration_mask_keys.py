"""Migration 922c5f742cbb rebuilds the public search keys saved before personal details were masked (issue
18 item 3): an old published report's key no longer holds the phone number, e-mail address or CCCD number,
the feed's search (its index: FTS5 on SQLite, trigrams on PostgreSQL) no longer finds it by them and still
finds it by its words; keys without a personal detail are left alone. On SQLite, and on PostgreSQL with
TEST_DATABASE_URL."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import text

from portal.domain.text import fold
from portal.extensions import db
from portal.feedback import public_key, queries
from tests.conftest import build_app
from tests.support.databases import throwaway_database
from tests.test_migrations_with_data import ROW_ID, representative_rows

PHONE, EMAIL, CCCD = "0912 345 678", "lo.van.pom@example.com", "014095001234"
TITLE = "Cống vỡ ở bản Hua La"
DESCRIPTION = f"Gọi tôi {PHONE} hoặc {EMAIL}, CCCD {CCCD}. Nước tràn ra đường."


def feed_codes(query: str) -> list[str]:
    return [row.code for row in db.session.execute(queries.feed_statement(queries.FeedFilter(query=query)))]


def test_old_keys_are_masked_and_the_search_index_follows(tmp_path):
    with throwaway_database(tmp_path, "mask_keys") as url:
        application = build_app(tmp_path, url)
        with application.app_context():
            try:
                upgrade(revision="0b8ac2e24a2a")
                with db.engine.begin() as connection:
                    representative_rows(connection)  # one row in every table (item ROW_ID among them)
                    old_key = fold(f"PA-OLD {TITLE} {DESCRIPTION}")  # the key as saved before masking
                    connection.execute(
                        text(
                            "UPDATE feedback_items SET code = 'PA-OLD', title = :title, description = :body,"
                            " public_title = NULL, public_description = NULL, public_search_key = :key,"
                            " search_key = :key, is_published = :yes WHERE id = :id"
                        ),
                        {"title": TITLE, "body": DESCRIPTION, "key": old_key, "yes": True, "id": ROW_ID},
                    )
                    unit_key = connection.scalar(text("SELECT public_search_key FROM feedback_items"))
                assert "0912 345 678" in unit_key and feed_codes("0912 345 678") == ["PA-OLD"]
                db.session.remove()  # the feed's read must not hold a lock the migration's ALTER waits for
                upgrade()
                with db.engine.connect() as connection:
                    key = connection.scalar(text("SELECT public_search_key FROM feedback_items"))
                    staff_key = connection.scalar(text("SELECT search_key FROM feedback_items"))
                for detail in ("0912 345 678", "912", "lo.van.pom", "example.com", CCCD, "014095"):
                    assert detail not in key, detail
                assert "cong vo o ban hua la" in key and "nuoc tran ra duong" in key
                assert staff_key == old_key  # staff search still finds it by the phone
                assert feed_codes("0912 345 678") == [] and feed_codes(CCCD) == []
                assert feed_codes("lo.van.pom") == []
                assert feed_codes("nước tràn") == ["PA-OLD"]
                with db.engine.begin() as connection:  # run again: nothing left to change
                    assert public_key.rebuild(connection) == 0
            finally:
                db.session.remove()
                db.engine.dispose()


def test_rebuild_walks_in_batches_and_leaves_keys_without_personal_details(tmp_path):
    with throwaway_database(tmp_path, "mask_keys_batches") as url:
        application = build_app(tmp_path, url)
        with application.app_context():
            try:
                upgrade()
                with db.engine.begin() as connection:
                    representative_rows(connection)
                    columns = connection.execute(text("SELECT * FROM feedback_items")).mappings().one()
                    for n in range(1, 8):
                        row = dict(columns) | {
                            "id": n,
                            "code": f"PA-{n}",
                            "token_hash": f"t{n}",
                            "form_nonce": None,
                            "title": f"Đèn hỏng số {n}" if n % 2 else "Đèn hỏng",
                            "description": f"Gọi 09123456{n:02d}" if n % 2 else "Không có số điện thoại",
                            "public_search_key": f"old {n}",
                            "public_title": None,
                            "public_description": None,
                        }
                        names = ", ".join(row)
                        values = ", ".join(f":{name}" for name in row)
                        connection.execute(
                            text(f"INSERT INTO feedback_items ({names}) VALUES ({values})"), row
                        )
                    assert public_key.rebuild(connection, batch=2) == 4  # items 1, 3, 5, 7
                    keys = dict(
                        connection.execute(text("SELECT id, public_search_key FROM feedback_items")).all()
                    )
                assert [keys[n] for n in (2, 4, 6)] == ["old 2", "old 4", "old 6"]
                assert keys[ROW_ID] == columns["public_search_key"]
                for n in (1, 3, 5, 7):
                    assert keys[n].startswith(f"pa-{n} den hong so {n} goi **********"), keys[n]
            finally:
                db.session.remove()
                db.engine.dispose()
