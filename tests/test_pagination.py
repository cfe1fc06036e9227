"""Keyset pagination helpers (portal/pagination.py): one row more than a page is read; keys read strictly."""

from __future__ import annotations

from datetime import date

from flask import Flask

from portal import pagination


def test_a_page_and_the_key_of_its_last_row_when_more_follow():
    assert pagination.page([1, 2, 3], 2, lambda n: n * 10) == ([1, 2], 20)
    assert pagination.page([1, 2], 2, lambda n: n * 10) == ([1, 2], None)
    assert pagination.page([], 2, lambda n: n) == ([], None)


def test_a_key_travels_as_text_and_is_read_back():
    key = (date(2026, 12, 5), "dossier", 42)
    raw = pagination.encode(*key)
    assert raw == "2026-12-05~dossier~42"
    readers = (date.fromisoformat, pagination.one_of("feedback", "dossier"), pagination.row_id(11))
    assert pagination.decode(raw, *readers) == key


def test_a_malformed_key_means_from_the_start():
    readers = (date.fromisoformat, pagination.one_of("feedback", "dossier"), pagination.row_id(11))
    for raw in (
        "",
        "2026-12-05~dossier",
        "2026-13-05~dossier~1",
        "2026-12-05~other~1",
        "2026-12-05~dossier~-1",
        "2026-12-05~dossier~123456789012",
        "2026-12-05~dossier~1~2",
    ):
        assert pagination.decode(raw, *readers) is None
    assert pagination.decode("1" * 18, pagination.row_id(18)) == (int("1" * 18),)
    assert pagination.decode("1" * 19, pagination.row_id(18)) is None


def test_a_text_key_is_read_whole_even_with_the_separator():
    assert pagination.decode("a~b@example.vn", pagination.text(254)) == ("a~b@example.vn",)
    assert pagination.decode("  1.001234 ", pagination.text(20)) == ("1.001234",)
    assert pagination.decode("x" * 30, pagination.text(20)) == ("x" * 20,)
    for raw in ("", "   ", "\u200b"):
        assert pagination.decode(raw, pagination.text(20)) is None
    # Only the last part is read whole: the parts before it still split on the separator.
    assert pagination.decode("dossier~a~b", pagination.one_of("dossier"), pagination.text(20)) == (
        "dossier",
        "a~b",
    )


def test_the_link_to_the_next_page_carries_the_encoded_key():
    app = Flask(__name__)
    app.add_url_rule("/list", "items", lambda: "")
    with app.test_request_context():
        assert pagination.next_url("items", "after", None, q="x") is None
        assert pagination.next_url("items", "after", "a~b", q=None) == "/list?after=a~b"
        assert pagination.next_url("items", "before", 42, q="x") == "/list?q=x&before=42"
        assert (
            pagination.next_url("items", "after", (date(2026, 12, 5), "dossier", 7), after="old")
            == "/list?after=2026-12-05~dossier~7"
        )
