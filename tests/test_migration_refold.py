"""Migration e5a1c3b7d902 refolds stored search keys by the new folding rule (issue 11 item 12), on SQLite
and on PostgreSQL with TEST_DATABASE_URL."""

from __future__ import annotations

import importlib.util
import unicodedata
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from portal.domain.text import fold
from portal.extensions import db
from tests.support.migrations import app_on_empty_database

SCRIPT = next((Path(__file__).resolve().parents[1] / "migrations/versions").glob("*_e5a1c3b7d902_*.py"))


def migration():
    spec = importlib.util.spec_from_file_location("refold", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "raw",
    [
        "Xã \u00d0oàn Kết",
        "H'Hen Niê",
        "Hʼ Hen",
        "ＳƠＮ ＬＡ",
        "Đặng Thị Hòa – Thuý Hoà Khoẻ",
        "1.001193 SL-025",
    ],
)
def test_frozen_copy_matches_the_portal_and_refolding_an_old_key_gives_the_new_key(raw):
    refold = migration().fold
    assert refold(raw) == fold(raw)
    # The fold before this change: NFD, marks dropped, đ → d, apostrophes and compatibility forms kept.
    bare = "".join(ch for ch in unicodedata.normalize("NFD", raw.casefold()) if not unicodedata.combining(ch))
    old_key = " ".join(bare.replace("đ", "d").split())
    assert refold(old_key) == fold(raw)


def test_upgrade_refolds_old_keys_and_leaves_others(tmp_path):
    with app_on_empty_database(tmp_path, "refold"):
        upgrade(revision="7d2f9b4e1a58")
        rows = {
            "00001": "xa ðoan ket",
            "00002": "h'hen nie",
            "00003": "ｓon ｌa",
            "00004": "xa muong la",
        }
        with db.engine.begin() as connection:
            for code, key in rows.items():
                connection.execute(
                    text(
                        "INSERT INTO admin_units (code, name, kind, slug, province_code, search_key) "
                        "VALUES (:code, :code, 'xa', :code, '14', :key)"
                    ),
                    {"code": code, "key": key},
                )
        upgrade()
        with db.engine.connect() as connection:
            found = dict(connection.execute(text("SELECT code, search_key FROM admin_units")).all())
        assert found == {
            "00001": "xa doan ket",
            "00002": "h hen nie",
            "00003": "son la",
            "00004": "xa muong la",
        }
