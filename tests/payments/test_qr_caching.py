"""The payment QR images are rendered once per payload, revalidated by a strong ETag (304), linked from the
pages by an address that names their content, and answered without the session.

What a payment's QR encodes (portal.domain.vietqr): the fee account's BIN and number, the amount and the
reference. For one address (/payments/<reference>/qr.png) that changes when an administrator saves another
fee account, and the image is gone (404) once the payment is settled or cancelled (its page shows no QR
then). So the bare address is cached for a short while and revalidated; the pages link `?v=<version>`,
whose image can never change, and that one may be kept for a year.
"""

from __future__ import annotations

import gzip
import io
import re
import threading

import pytest
import zxingcpp
from PIL import Image

from portal import qr
from portal.accounts import sessions
from portal.domain.vietqr import parse_payload
from portal.extensions import db
from portal.payments import operations
from portal.payments.models import Payment
from tests.support.admin import ADMIN, PROCESSOR, RECEPTIONIST
from tests.support.clients import fresh_client, signed_in
from tests.support.feedback import form_data
from tests.support.files import jpeg_bytes
from tests.support.payments import payment_of, signed

NEW_BANK = {"bank_bin": "970436", "account_number": "0011001234567", "account_name": "UBND TINH SON LA"}
SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")


def pending() -> Payment:
    payment = payment_of("Hà Văn Nam")
    assert payment.status == "pending"
    return payment


def get(client, url: str, **kwargs):
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def decoded(png: bytes):
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1 and results[0].format == zxingcpp.BarcodeFormat.QRCode
    fields = parse_payload(results[0].text)
    assert fields.warnings == () and fields.dynamic and fields.service == "QRIBFTTA"
    assert (fields.currency, fields.country) == ("704", "VN")
    return fields


def strong_etag(response) -> str:
    etag = response.headers["ETag"]
    assert re.fullmatch(r'"[^"]+"', etag), etag  # strong: no W/ prefix
    return etag


def no_session_in(response) -> None:
    assert "Set-Cookie" not in response.headers, response.headers.getlist("Set-Cookie")
    assert "cookie" not in response.headers.get("Vary", "").lower(), response.headers.get("Vary")


def linked_images(client, payment: Payment) -> tuple[str, str]:
    """The SVG and the PNG download the payment page links, as the browser would ask for them."""
    body = get(client, f"/payments/{payment.reference}").get_data(as_text=True)
    svg = re.search(r'<img class="pay-qr" src="([^"]+)"', body)
    png = re.search(r'href="([^"]+/qr\.png[^"]*)"', body)
    assert svg and png, body
    return svg[1].replace("&amp;", "&"), png[1].replace("&amp;", "&")


@pytest.fixture
def renders(monkeypatch):
    """Counts the calls of the QR encoder (portal.qr.png and .svg) from an empty cache."""
    qr.clear_cache()
    counts = {"png": 0, "svg": 0}
    for kind in counts:
        original = getattr(qr, kind)

        def counting(*args, _original=original, _kind=kind, **kwargs):
            counts[_kind] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(qr, kind, counting)
    yield counts
    qr.clear_cache()


# --- rendered once, the same bytes -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_the_same_reference_again_is_rendered_once_and_identical(client, renders, kind):
    payment = pending()
    first = get(client, f"/payments/{payment.reference}/qr.{kind}")
    again = get(client, f"/payments/{payment.reference}/qr.{kind}")
    assert first.status_code == again.status_code == 200
    assert first.data == again.data and first.headers["ETag"] == again.headers["ETag"]
    assert renders[kind] == 1
    encoder = getattr(qr, kind)  # the encoder itself, uncached: a fresh image of the same payload
    assert first.data == encoder(operations.payload_for(payment))
    assert renders[kind] == 2  # that call, not the routes


def test_the_cached_png_is_still_the_right_vietqr(app, client, renders):
    payment = pending()
    get(client, f"/payments/{payment.reference}/qr.png")
    cached = get(client, f"/payments/{payment.reference}/qr.png")
    assert renders["png"] == 1
    fields = decoded(cached.data)
    bank = app.config["PORTAL_SETTINGS"].bank
    assert (fields.bin, fields.account, fields.amount, fields.reference) == (
        bank.bin,
        bank.number,
        payment.amount_vnd,
        payment.reference,
    )


# --- ETag and 304 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_a_known_etag_is_answered_304_without_a_body(client, kind):
    url = f"/payments/{pending().reference}/qr.{kind}"
    first = get(client, url)
    etag = strong_etag(first)
    again = get(client, url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
    for header in SECURITY_HEADERS:
        assert header in again.headers and again.headers[header] == first.headers[header]
    other = get(client, url, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data


def test_the_svg_goes_gzipped_once_with_its_own_etag(client):
    url = f"/payments/{pending().reference}/qr.svg"
    plain = get(client, url)
    zipped = get(client, url, headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert gzip.decompress(zipped.data) == plain.data
    assert (
        "accept-encoding" in plain.headers["Vary"].lower()
        and "accept-encoding" in zipped.headers["Vary"].lower()
    )
    assert strong_etag(zipped) != strong_etag(plain)
    revalidated = get(
        client, url, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    )
    assert revalidated.status_code == 304 and revalidated.data == b""


# --- what the image shows changes: a new ETag, a new image, a new address ------------------------------------


def test_a_new_fee_account_gives_a_new_etag_image_and_address(app, client):
    payment = pending()
    url = f"/payments/{payment.reference}/qr.png"
    before = get(client, url)
    old_etag = strong_etag(before)
    old_links = linked_images(client, payment)
    response = signed_in(app, ADMIN).post("/staff/admin/bank", data=NEW_BANK)
    assert response.status_code == 302
    after = get(client, url, headers={"If-None-Match": old_etag})  # the browser's copy is out of date
    assert after.status_code == 200
    assert strong_etag(after) != old_etag and after.data != before.data
    fields = decoded(after.data)
    assert (fields.bin, fields.account, fields.amount, fields.reference) == (
        "970436",
        "0011001234567",
        payment.amount_vnd,
        payment.reference,
    )
    new_links = linked_images(client, payment)
    assert new_links[0] != old_links[0] and new_links[1] != old_links[1]
    assert decoded(get(client, new_links[1]).data).account == "0011001234567"


def test_the_page_links_a_versioned_address_kept_a_year(client):
    payment = pending()
    svg, png = linked_images(client, payment)
    assert re.fullmatch(rf"/payments/{payment.reference}/qr\.svg\?v=[0-9a-f]{{16}}", svg), svg
    assert "download=1" in png and "v=" in png
    for url in (svg, png):
        response = get(client, url)
        assert response.status_code == 200
        control = response.cache_control
        assert control.public and control.max_age == 31536000 and control.immutable
    bare = get(client, f"/payments/{payment.reference}/qr.svg")
    assert (
        bare.cache_control.public and bare.cache_control.max_age == 300 and not bare.cache_control.immutable
    )
    assert bare.data == get(client, svg).data
    # A version that is not the image's (an old page, a made-up one): the image as it is now, not kept long.
    stale = get(client, f"/payments/{payment.reference}/qr.svg?v=0000000000000000")
    assert stale.status_code == 200 and stale.data == bare.data
    assert stale.cache_control.max_age == 300 and not stale.cache_control.immutable


def test_the_counter_view_links_the_versioned_image(client, login):
    payment = pending()
    login(RECEPTIONIST)
    body = get(client, f"/staff/payments/{payment.reference}/counter").get_data(as_text=True)
    source = re.search(r'<img class="counter-qr" src="([^"]+)"', body)
    assert source and "?v=" in source[1]
    assert get(client, source[1]).cache_control.immutable


# --- no QR once there is nothing to pay ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_a_cancelled_payment_has_no_qr_even_for_a_cached_etag(client, kind):
    payment = pending()
    url = f"/payments/{payment.reference}/qr.{kind}"
    etag = strong_etag(get(client, url))
    svg, _png = linked_images(client, payment)
    payment.status = "cancelled"
    db.session.flush()
    assert get(client, url).status_code == 404
    assert get(client, url, headers={"If-None-Match": etag}).status_code == 404
    assert get(client, svg).status_code == 404
    assert "pay-qr" not in get(client, f"/payments/{payment.reference}").get_data(as_text=True)


def test_a_paid_payment_has_no_qr_any_more(client):
    payment = pending()
    url = f"/payments/{payment.reference}/qr.png"
    assert get(client, url).status_code == 200  # cached in this process now
    body, headers = signed(
        {
            "transaction_id": "FT-QR-PAID",
            "amount": payment.amount_vnd,
            "description": f"CT {payment.reference}",
        }
    )
    assert client.post("/webhooks/bank", data=body, headers=headers).status_code == 200
    assert payment_of("Hà Văn Nam").status == "paid"
    assert get(client, url).status_code == 404
    assert get(client, url.replace(".png", ".svg")).status_code == 404
    assert "pay-qr" not in get(client, f"/payments/{payment.reference}").get_data(as_text=True)


def test_an_unknown_reference_has_no_qr_and_no_etag(client):
    response = get(client, "/payments/SL000000000X/qr.png")
    assert response.status_code == 404 and "ETag" not in response.headers


# --- without the session -----------------------------------------------------------------------------------


def test_no_session_cookie_and_no_vary_cookie_for_any_visitor(app, monkeypatch):
    payment = pending()
    urls = [f"/payments/{payment.reference}/qr.png", f"/payments/{payment.reference}/qr.svg"]
    anonymous = fresh_client(app)
    assert get(anonymous, "/feedback/new").status_code == 200  # an anonymous session: a CSRF token
    assert anonymous.get_cookie(app.config["SESSION_COOKIE_NAME"]) is not None
    citizen = signed_in(app, "congdan@demo.sonla.vn")
    officer = signed_in(app, PROCESSOR)
    # An hour later the officer's session is idle: an ordinary page would sign them out (a new cookie).
    later = sessions.clock() + 3600
    monkeypatch.setattr(sessions, "clock", lambda: later)
    for who, visitor in (("cookieless", fresh_client(app)), ("anonymous", anonymous), ("citizen", citizen)):
        for url in urls:
            response = get(visitor, url)
            assert response.status_code == 200, (who, url)
            no_session_in(response)
            assert response.cache_control.public and not response.cache_control.no_store, (who, url)
            revalidated = get(visitor, url, headers={"If-None-Match": response.headers["ETag"]})
            assert revalidated.status_code == 304
            no_session_in(revalidated)
    staff_answer = get(officer, urls[0])
    assert staff_answer.status_code == 200 and staff_answer.cache_control.public
    no_session_in(staff_answer)
    # The cookies were real: a page of the same officer does read and rewrite the session.
    page = get(officer, "/staff/queue")
    assert "Set-Cookie" in page.headers and "cookie" in page.headers.get("Vary", "").lower()


def test_security_headers_stay_on_the_images(client):
    response = get(client, f"/payments/{pending().reference}/qr.png?download=1")
    for header in SECURITY_HEADERS:
        assert header in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")


# --- the private receipt QR codes: memoised, never stored ----------------------------------------------------


def test_the_feedback_receipt_qr_stays_private(app, renders):
    citizen = fresh_client(app)
    data = form_data()
    data["photos"] = [(io.BytesIO(jpeg_bytes()), "road.jpg")]
    assert citizen.post("/feedback/new", data=data, content_type="multipart/form-data").status_code == 302
    receipt = get(citizen, "/feedback/receipt").get_data(as_text=True)
    token = re.search(r"/feedback/t/([A-Za-z0-9_-]{32})/qr\.svg", receipt)[1]
    renders["svg"] = 0
    visitor = citizen
    url = f"/feedback/t/{token}/qr.svg"
    first, again = get(visitor, url), get(visitor, url)
    assert first.status_code == again.status_code == 200 and first.data == again.data
    assert renders["svg"] == 2  # rendered per request: a private link is never kept in the image cache
    for response in (first, again):
        control = response.cache_control
        assert control.private and control.no_store and not control.public and not control.max_age
        assert "ETag" not in response.headers
        no_session_in(response)


def test_the_dossier_receipt_qr_stays_private_and_scoped(app, client, login, renders):
    dossier = pending().dossier
    login(RECEPTIONIST)
    url = f"/dossiers/{dossier.code}/qr.svg"
    first, again = get(client, url), get(client, url)
    assert first.status_code == again.status_code == 200 and first.data == again.data
    assert renders["svg"] == 2  # rendered per request, never kept (a private link)
    assert first.cache_control.no_store and not first.cache_control.public and "ETag" not in first.headers
    assert get(fresh_client(app), url).status_code == 404  # not this visitor's dossier


def test_a_second_factor_secret_is_never_kept(renders):
    uri = "otpauth://totp/Portal:a@example.vn?secret=JBSWY3DPEHPK3PXP&issuer=Portal"
    qr.svg(uri)
    assert not any(uri in key for key in qr._cache.entries)


# --- the cache itself ----------------------------------------------------------------------------------------


def test_the_cache_is_bounded_and_keeps_the_recently_used():
    cache = qr._Cache(2)
    first = cache.image("png", "A", 8)
    cache.image("png", "B", 8)
    assert cache.image("png", "A", 8) is first  # A is now the most recent
    cache.image("png", "C", 8)  # evicts B
    assert list(cache.entries) == [("png", 8, "A"), ("png", 8, "C")]
    assert cache.image("png", "A", 4) is not first and cache.image("png", "A", 4).etag != first.etag  # size


def test_the_cache_is_safe_across_threads():
    cache = qr._Cache(8)
    texts = [f"SL-THREAD-{n}" for n in range(12)]
    seen: dict[str, set[bytes]] = {text: set() for text in texts}
    lock = threading.Lock()

    def work(offset: int) -> None:
        for step in range(30):
            text = texts[(offset + step) % len(texts)]
            body = cache.image("png", text, 2).body
            with lock:
                seen[text].add(body)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache.entries) <= 8
    assert all(len(bodies) == 1 for bodies in seen.values())  # one image per text, whoever rendered it
