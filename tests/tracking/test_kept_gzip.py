"""A status page kept whole without a form (portal/tracking/page_cache.py) keeps its gzip too
(portal.compression.KeptBody): a browser's request (`Accept-Encoding: gzip`) gets the gzip made at the first
such request, not a new one; the answer is the one portal.compression gives any page, byte for byte and
header for header; a change to the item gives a new page and a new gzip. A page with a form carries the
viewer's own CSRF token, so it is compressed per request as before."""

from __future__ import annotations

import gzip

import pytest

from portal.domain.dossier_status import DossierAction as D
from portal.domain.feedback_status import FeedbackAction as F
from portal.dossiers import operations as dossier_operations
from portal.events.operations import record
from portal.feedback import operations as feedback_operations
from portal.tracking import page_cache
from tests.support.clients import fresh_client
from tests.support.factories import make_account
from tests.test_compression import count_compressions
from tests.tracking.test_page_cache import TOKEN, browser, csrf_on, processor_of  # noqa: F401 (csrf_on: a fixture)

BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}  # what a browser sends


def tracked(app, item, address: str):
    """A browser that opened the item with its code and the phone's last four digits (/track)."""
    client = fresh_client(app, address)
    opened = client.post("/track", data={"code": item.code, "phone_digits": "5678"})
    assert opened.status_code == 302, opened.status_code
    return client, opened.headers["Location"]


def linked(app, dossier, address: str):
    """A browser that opened the dossier with the secret link of its receipt's QR code."""
    client = fresh_client(app, address)
    opened = client.get(f"/dossiers/t/{dossier.code}/{dossier_operations.secret_token(dossier)}")
    assert opened.status_code == 302, opened.status_code
    return client, opened.headers["Location"]


def refused_feedback(create_feedback):
    """An item whose page has no form: refused (no withdrawal, rating, reply or hide-my-name form left)."""
    item = create_feedback()
    feedback_operations.staff_act(item, F.REFUSE, processor_of(item), reason="out_of_scope")
    return item


def withdrawn_dossier(create_dossier):
    """A dossier whose page has no form: withdrawn at the desk (no withdrawal, rating or supplement left)."""
    dossier = create_dossier(received=True)
    desk = make_account("receptionist", agency=dossier.agency)
    dossier_operations.staff_act(dossier, D.WITHDRAW, desk, note="Công dân đến rút hồ sơ.")
    return dossier


def headers_of(response) -> list[tuple[str, str]]:
    return [(name, value) for name, value in response.headers.items() if name != "X-Request-ID"]


def plain_page(client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    return response.get_data()


def test_a_kept_pages_gzip_is_made_once_and_is_the_page(app, create_feedback, create_dossier, monkeypatch):
    item, dossier = refused_feedback(create_feedback), withdrawn_dossier(create_dossier)
    for client, path in (tracked(app, item, "198.51.100.151"), linked(app, dossier, "198.51.100.152")):
        plain_page(client, path)  # a first view (after the look-up it may write the session)
        plain = plain_page(client, path)  # kept whole
        assert page_cache.CSRF_SLOT.encode() not in plain and b'name="csrf_token"' not in plain
        calls = count_compressions(monkeypatch)
        answers = [client.get(path, headers=BROWSER) for _ in range(3)]
        for answer in answers:
            assert answer.status_code == 200 and answer.headers["Content-Encoding"] == "gzip", path
            assert gzip.decompress(answer.get_data()) == plain, path
        assert len(calls) == 1, (path, calls)  # the first gzip request made it; the others sent it
        assert plain_page(client, path) == plain  # and the plain page is unchanged for a client without gzip


def test_a_first_request_that_takes_gzip_keeps_the_page_and_its_gzip(app, create_feedback, monkeypatch):
    item = refused_feedback(create_feedback)
    client, path = tracked(app, item, "198.51.100.153")
    calls = count_compressions(monkeypatch)
    answers = [client.get(path, headers=BROWSER) for _ in range(3)]
    pages = {gzip.decompress(answer.get_data()) for answer in answers}
    assert pages == {plain_page(client, path)}
    # The first view after /track may render its layout per request (compressed then, as any page); the
    # page kept whole is compressed once.
    assert len(calls) <= 2, calls
    calls.clear()
    client.get(path, headers=BROWSER)
    assert calls == []


def test_the_kept_gzip_answer_is_the_compressed_answer_of_the_page(app, create_feedback, monkeypatch):
    """Header for header and byte for byte (Content-Encoding, Content-Length, Vary: Accept-Encoding and
    Cookie, no ETag: the page is no-store), as the page rendered per request and compressed then."""
    item = refused_feedback(create_feedback)
    client = browser(app, "feedback", item.id, "198.51.100.154")
    path = f"/feedback/{item.code}/status"
    plain_page(client, path)
    kept = [client.get(path, headers=BROWSER) for _ in range(2)]
    head = client.head(path, headers=BROWSER)
    monkeypatch.setattr(page_cache, "same_layout_for_everyone", lambda *given: False)
    rendered = client.get(path, headers=BROWSER)
    assert headers_of(kept[0]) == headers_of(kept[1]) == headers_of(rendered) == headers_of(head)
    assert kept[0].get_data() == kept[1].get_data() == rendered.get_data()
    assert head.get_data() == b""
    assert "Accept-Encoding" in rendered.headers["Vary"] and "ETag" not in rendered.headers
    assert int(rendered.headers["Content-Length"]) == len(rendered.get_data())


def test_a_change_to_the_item_gives_a_new_gzip(app, create_feedback):
    item = refused_feedback(create_feedback)
    client = browser(app, "feedback", item.id, "198.51.100.155")
    path = f"/feedback/{item.code}/status?lang=en"
    for _ in range(2):
        before = gzip.decompress(client.get(path, headers=BROWSER).get_data())
    assert b"Not within the province" in before and "Đã gọi điện".encode() not in before
    record("feedback", item.id, "note", note="Đã gọi điện cho công dân.", public=True)  # a new timeline line
    after = [gzip.decompress(client.get(path, headers=BROWSER).get_data()) for _ in range(2)]
    assert after[0] == after[1] == plain_page(client, path) != before
    assert "Đã gọi điện cho công dân.".encode() in after[0]


@pytest.mark.usefixtures("csrf_on")
def test_a_page_with_a_form_is_compressed_per_request_with_the_viewers_token(
    app, create_dossier, monkeypatch
):
    dossier = create_dossier(received=True)  # its withdraw form holds the viewer's token
    path = f"/dossiers/{dossier.code}"
    viewers = [browser(app, "dossier", dossier.id, f"198.51.100.{address}") for address in (156, 157)]
    for viewer in viewers:
        plain_page(viewer, path)
    calls = count_compressions(monkeypatch)
    tokens = []
    for viewer in viewers * 2:
        page = gzip.decompress(viewer.get(path, headers=BROWSER).get_data()).decode()
        found = TOKEN.findall(page)
        assert len(found) == 1, found
        tokens.append(found[0].split(".")[0])  # the session's token (then the second signed, a signature)
    assert tokens[0] == tokens[2] != tokens[1] == tokens[3]
    assert len(calls) == 4  # one per request: the page differs per viewer


def test_clients_without_gzip_get_the_plain_page_uncompressed(app, create_feedback, monkeypatch):
    item = refused_feedback(create_feedback)
    client = browser(app, "feedback", item.id, "198.51.100.158")
    path = f"/feedback/{item.code}/status"
    plain = [plain_page(client, path) for _ in range(2)]
    calls = count_compressions(monkeypatch)
    for accepted in ("identity", "gzip;q=0", "br, gzip;q=0"):
        answer = client.get(path, headers={"Accept-Encoding": accepted})
        assert "Content-Encoding" not in answer.headers and answer.get_data() == plain[1], accepted
    assert calls == []
    gzipped = client.get(path, headers={"Accept-Encoding": "br, gzip"})  # gzip is the one we make
    assert gzip.decompress(gzipped.get_data()) == plain[1]
