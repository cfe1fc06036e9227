"""The status page kept whole for the visitor a tracking link makes (portal/tracking/page_cache.py): nobody
signed in, no flashed message waiting, not in shared-phone mode. It must be the page the layout renders per
request, byte for byte but for the viewer's own CSRF token, and anyone else must still get the layout
rendered for them: their flashed message, their menu, their shared-phone form, their page's language links.

The key statement runs on a connection of its own (page_cache.read_key) when the request's session has begun
nothing: one statement, no ORM transaction, and on PostgreSQL no BEGIN (the session's AUTOCOMMIT engine)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from portal.db_session import PortalSession
from portal.extensions import db
from portal.feedback.models import Feedback
from portal.tracking import page_cache
from tests.support.clients import fresh_client, sign_in
from tests.support.factories import make_account
from tests.support.statements import statements
from tests.tracking.test_page_cache import browser, csrf_on, shown, without_token  # noqa: F401 (csrf_on: a fixture)

LANGUAGE_LINK = re.compile(r'<a href="([^"]+)" lang="(vi|en)" hreflang')
TOKEN = re.compile(r'(name="csrf_token" type="hidden" value="[^".]+)\.[^"]+"')


def session_token(page: str) -> str:
    """The page with each signed CSRF token cut to the session's own token (the rest is the second signed)."""
    return TOKEN.sub(r'\1"', page)


@pytest.mark.usefixtures("csrf_on")
def test_a_page_kept_whole_is_the_page_rendered_for_the_viewer(app, create_dossier, monkeypatch):
    dossier = create_dossier(received=True)  # its page has forms: the CSRF slot is in the kept page
    first = browser(app, "dossier", dossier.id, "198.51.100.61")
    second = browser(app, "dossier", dossier.id, "198.51.100.62")
    path = f"/dossiers/{dossier.code}"
    kept = [shown(first, path), shown(first, path), shown(second, path)]
    monkeypatch.setattr(page_cache, "same_layout_for_everyone", lambda *given: False)
    rendered = [shown(first, path), shown(second, path)]
    assert {without_token(page) for page in kept + rendered} == {without_token(kept[0])}
    assert 'name="csrf_token"' in kept[0]
    # Each viewer's own token, in the kept page as in the rendered one.
    kept, rendered = [session_token(page) for page in kept], [session_token(page) for page in rendered]
    assert kept[0] == kept[1] == rendered[0]
    assert kept[2] == rendered[1] != rendered[0]


def test_a_flashed_message_is_shown_on_a_page_another_viewer_kept_whole(app, create_feedback):
    item = create_feedback()
    path = f"/feedback/{item.code}/status"
    shown(browser(app, "feedback", item.id, "198.51.100.63"), path)  # kept whole
    citizen = browser(app, "feedback", item.id, "198.51.100.64")
    with citizen.session_transaction() as session:
        session["_flashes"] = [("success", "Thông báo riêng của người xem này")]
    assert "Thông báo riêng của người xem này" in shown(citizen, path)
    assert "Thông báo riêng của người xem này" not in shown(citizen, path)  # shown once, as before


def test_a_signed_in_citizen_gets_their_own_menu_on_a_page_kept_whole(app, create_feedback):
    item = create_feedback()
    path = f"/feedback/{item.code}/status?lang=en"
    anonymous = shown(browser(app, "feedback", item.id, "198.51.100.65"), path)
    assert "Sign in" in anonymous and "My reports" not in anonymous
    citizen = sign_in(fresh_client(app, "198.51.100.66"), make_account("citizen"))
    with citizen.session_transaction() as session:
        session["feedback_access"] = [item.id]
    page = shown(citizen, path)
    assert "My reports" in page and "Sign out" in page
    assert 'name="csrf_token"' in page  # the sign-out form's token


def test_shared_phone_mode_gets_its_clear_button_on_a_page_kept_whole(app, create_feedback):
    item = create_feedback()
    path = f"/feedback/{item.code}/status?lang=en"
    assert "Sign out and clear this phone" not in shown(
        browser(app, "feedback", item.id, "198.51.100.67"), path
    )
    shared = browser(app, "feedback", item.id, "198.51.100.68")
    with shared.session_transaction() as session:
        session["shared_phone"] = True
    assert "Sign out and clear this phone" in shown(shared, path)


def test_each_address_keeps_its_own_language_links(app, create_feedback):
    item = create_feedback()
    citizen = browser(app, "feedback", item.id, "198.51.100.69")
    plain = f"/feedback/{item.code}/status"
    for path, other in ((plain, "en"), (f"{plain}?source=sms", "en"), (f"{plain}?lang=en", "vi")):
        for _ in range(2):  # rendered, then kept
            links = dict((lang, href) for href, lang in LANGUAGE_LINK.findall(shown(citizen, path)))
            assert list(links) == [other], (path, links)
            assert ("source=sms" in links[other]) == ("source=sms" in path), (path, links)


def test_the_key_is_read_on_its_own_connection_without_an_orm_transaction(app):
    """A session of the production kind (not the suite's pinned one) and the demo's committed items."""
    item = db.session.scalars(select(Feedback).order_by(Feedback.id)).first()
    assert item is not None
    code, item_id = item.code, item.id
    begun: list[object] = []
    autocommit: list[object] = []

    def on_begin(session, transaction, connection):
        begun.append(connection)

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        autocommit.append(getattr(cursor.connection, "autocommit", None))

    pinned = db.session
    db.session = db._make_scoped_session({"class_": PortalSession})
    event.listen(PortalSession, "after_begin", on_begin)
    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        citizen = app.test_client()
        with citizen.session_transaction() as session:
            session["feedback_access"] = [item_id]
        path = f"/feedback/{code}/status"
        first = citizen.get(path)
        assert first.status_code == 200 and code in first.get_data(as_text=True)
        begun.clear()
        with statements() as seen:
            again = citizen.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)
        event.remove(PortalSession, "after_begin", on_begin)
        db.session.remove()
        db.session = pinned
    assert again.status_code == 200
    assert without_token(again.get_data(as_text=True)) == without_token(first.get_data(as_text=True))
    assert len(seen) == 1, seen
    assert begun == []  # the ORM session began no transaction for the key
    if db.engine.dialect.name == "postgresql":
        assert all(value is True for value in autocommit), autocommit
