"""Every QR the portal renders, PNG and SVG, decodes with zxing-cpp to the right VietQR payload.

For each demo payment still to pay (pending, underpaid) the PNG is decoded as served (a paid one has no QR
any more: 404, as its payment page shows none); the SVG is rasterised
here with Pillow alone (it is qrcode's SvgPathImage: one <path> of unit squares in module units inside
a viewBox that includes the quiet zone), then decoded. The decoded text must pass the project's strict
parser with no warning AND equal, byte for byte, what the reference sketch of VIETQR.md §7 builds for
the same BIN, account, amount and reference (that sketch reproduces the public test vectors), so the
check does not rest on the project's own builder alone.
"""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
import zxingcpp
from PIL import Image, ImageDraw
from sqlalchemy import select

from portal.domain.vietqr import parse_payload
from portal.dossiers.models import Dossier
from portal.dossiers.operations import secret_token
from portal.extensions import db
from portal.payments.models import Payment

PNG_BOX = 8  # portal.qr.png's default box size: pixels per module
QUIET_ZONE = 4  # modules (VIETQR.md §7, ISO/IEC 18004)
SVG_SCALE = 8  # pixels per module when rasterising the SVG here
DEMO_APPLICANTS = ("Hà Văn Nam", "Quàng Thị Nga", "Sồng A Chứ")


# --- VIETQR.md §7 reference sketch, independent of portal/domain/vietqr.py --------------------------


def _crc16_ccitt_false(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def _tlv(tag: str, value: str) -> str:
    if not value:
        return ""
    assert value.isascii() and len(value) <= 99
    return f"{tag}{len(value):02d}{value}"


def _purpose_text(text: str, limit: int = 25) -> str:
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").replace("đ", "d").replace("Đ", "D")
    text = re.sub(r"[^A-Za-z0-9 ]+", " ", text)
    return " ".join(text.split())[:limit].rstrip()


def reference_payload(bank_bin: str, account: str, amount: int, purpose: str) -> str:
    beneficiary = _tlv("00", bank_bin) + _tlv("01", account)
    merchant = _tlv("00", "A000000727") + _tlv("01", beneficiary) + _tlv("02", "QRIBFTTA")
    body = (
        _tlv("00", "01")
        + _tlv("01", "12")
        + _tlv("38", merchant)
        + _tlv("53", "704")
        + _tlv("54", str(amount))
        + _tlv("58", "VN")
        + _tlv("62", _tlv("08", _purpose_text(purpose)))
        + "6304"
    )
    return body + f"{_crc16_ccitt_false(body.encode('ascii')):04X}"


def test_reference_sketch_reproduces_the_public_vectors():
    """Guard the independent builder itself with two vectors quoted in VIETQR.md."""
    assert reference_payload("970416", "257678859", 10000, "Chuyen tien").endswith("630453E6")
    assert reference_payload("970436", "0011001234567", 50000, "LEPHI 7K3QX9RMTA") == (
        "00020101021238570010A00000072701270006970436011300110012345670208QRIBFTTA53037045405500005802VN"
        "62200816LEPHI 7K3QX9RMTA6304067B"
    )


# --- helpers ------------------------------------------------------------------------------------------


def demo_payments() -> list[Payment]:
    payments = db.session.scalars(
        select(Payment).join(Dossier).where(Dossier.applicant_name.in_(DEMO_APPLICANTS)).order_by(Payment.id)
    ).all()
    assert sorted(p.status for p in payments) == ["paid", "pending", "underpaid"], payments
    return payments


def payable_payments() -> list[Payment]:
    """The demo payments whose QR is shown (payment page, counter view) and served: pending, underpaid."""
    return [p for p in demo_payments() if p.status in ("pending", "underpaid")]


def get(client, url: str, **kwargs):
    """GET and close the response (its body stays readable): no unclosed streams, no ResourceWarning."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def decode_one(image: Image.Image) -> str:
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1, f"{len(results)} barcodes decoded"
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    return results[0].text


def due(payment: Payment) -> int:
    """What the QR must ask for: the whole fee, or only the rest of an underpaid one (paying the whole fee
    again would overpay it)."""
    return payment.amount_vnd - payment.received_vnd if payment.status == "underpaid" else payment.amount_vnd


def assert_right_payload(app, text: str, payment: Payment) -> None:
    bank = app.config["PORTAL_SETTINGS"].bank
    fields = parse_payload(text)
    assert (fields.bin, fields.account, fields.amount, fields.reference) == (
        bank.bin,
        bank.number,
        due(payment),
        payment.reference,
    )
    assert fields.dynamic and fields.service == "QRIBFTTA"
    assert (fields.currency, fields.country) == ("704", "VN")
    assert fields.warnings == ()
    assert text == reference_payload(bank.bin, bank.number, due(payment), payment.reference)


SQUARE = re.compile(r"M(\d+),(\d+)H(\d+)V(\d+)H(\d+)z")


def svg_modules(svg: bytes) -> tuple[int, int, set[tuple[int, int]]]:
    """(width, height, dark modules) of qrcode's SvgPathImage output, read strictly.

    Anything else in the path (curves, relative moves, fractional coordinates) fails the test: then
    this reader, not the QR, needs updating.
    """
    text = svg.decode("utf-8")
    view_box = re.search(r'viewBox="0 0 (\d+) (\d+)"', text)
    assert view_box, text[:300]
    width, height = int(view_box[1]), int(view_box[2])
    paths = re.findall(r'<path\b[^>]*\bd="([^"]*)"', text)
    assert len(paths) == 1, f"{len(paths)} paths"
    assert "<rect" not in text and "transform" not in text
    assert re.search(r'<path\b[^>]*fill="#000000"', text), "dark modules must be drawn in black"
    modules: set[tuple[int, int]] = set()
    consumed = 0
    for match in SQUARE.finditer(paths[0]):
        assert match.start() == consumed, f"unexpected path data: {paths[0][consumed : consumed + 40]!r}"
        x, y, right, bottom, back = map(int, match.groups())
        assert (right, bottom, back) == (x + 1, y + 1, x), match[0]  # a unit square
        modules.add((x, y))
        consumed = match.end()
    assert consumed == len(paths[0]), f"unparsed path data: {paths[0][consumed : consumed + 40]!r}"
    return width, height, modules


def rasterise(width: int, height: int, modules: set[tuple[int, int]], scale: int = SVG_SCALE) -> Image.Image:
    image = Image.new("L", (width * scale, height * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y in modules:
        draw.rectangle((x * scale, y * scale, (x + 1) * scale - 1, (y + 1) * scale - 1), fill=0)
    return image


# --- PNG ------------------------------------------------------------------------------------------------


def test_every_demo_png_decodes_to_its_payment(app, client):
    for payment in payable_payments():
        response = get(client, f"/payments/{payment.reference}/qr.png")
        assert response.status_code == 200 and response.mimetype == "image/png"
        image = Image.open(io.BytesIO(response.data))
        image.load()
        assert_right_payload(app, decode_one(image), payment)


def test_png_has_a_quiet_zone_of_exactly_four_modules(client):
    for payment in payable_payments():
        image = Image.open(io.BytesIO(get(client, f"/payments/{payment.reference}/qr.png").data)).convert("L")
        width, height = image.size
        assert width == height and width % PNG_BOX == 0
        modules = width // PNG_BOX - 2 * QUIET_ZONE
        assert modules >= 21 and (modules - 21) % 4 == 0, f"{modules} modules is not a QR version size"
        margin = QUIET_ZONE * PNG_BOX
        pixels = image.load()
        for left, top, right, bottom in (
            (0, 0, width, margin),
            (0, height - margin, width, height),
            (0, 0, margin, height),
            (width - margin, 0, width, height),
        ):
            dark = sum(pixels[x, y] < 128 for x in range(left, right) for y in range(top, bottom))
            assert dark == 0, f"quiet zone {(left, top, right, bottom)} is not white"
        # The finder patterns start right after the quiet zone: it is exactly 4 modules, not more.
        assert pixels[margin, margin] < 128 and pixels[width - margin - 1, margin] < 128
        assert pixels[margin, height - margin - 1] < 128


def test_png_is_cacheable_and_downloadable(client):
    payment = payable_payments()[0]
    shown = get(client, f"/payments/{payment.reference}/qr.png")
    assert shown.cache_control.public and shown.cache_control.max_age and shown.cache_control.max_age >= 300
    assert not shown.cache_control.no_store and not shown.cache_control.private
    assert "Content-Disposition" not in shown.headers
    assert "Set-Cookie" not in shown.headers
    saved = get(client, f"/payments/{payment.reference}/qr.png?download=1")
    assert saved.status_code == 200 and saved.mimetype == "image/png" and saved.data == shown.data
    disposition = saved.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="VietQR-{payment.reference}.png"' in disposition
    assert saved.cache_control.public and saved.cache_control.max_age


# --- SVG ------------------------------------------------------------------------------------------------


def test_every_demo_svg_decodes_to_its_payment(app, client):
    for payment in payable_payments():
        response = get(client, f"/payments/{payment.reference}/qr.svg")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        width, height, modules = svg_modules(response.data)
        assert_right_payload(app, decode_one(rasterise(width, height, modules)), payment)


def test_svg_has_a_quiet_zone_of_exactly_four_modules(client):
    for payment in payable_payments():
        width, height, modules = svg_modules(get(client, f"/payments/{payment.reference}/qr.svg").data)
        assert width == height
        xs, ys = {x for x, _ in modules}, {y for _, y in modules}
        assert (min(xs), min(ys)) == (QUIET_ZONE, QUIET_ZONE)
        assert (max(xs) + 1, max(ys) + 1) == (width - QUIET_ZONE, height - QUIET_ZONE)
        size = width - 2 * QUIET_ZONE
        assert size >= 21 and (size - 21) % 4 == 0, f"{size} modules is not a QR version size"


def test_svg_is_cacheable(client):
    payment = payable_payments()[0]
    response = get(client, f"/payments/{payment.reference}/qr.svg")
    assert response.cache_control.public and response.cache_control.max_age >= 300
    assert not response.cache_control.no_store and not response.cache_control.private
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_lower_case_reference_serves_the_same_code(client, kind):
    payment = payable_payments()[0]
    assert (
        get(client, f"/payments/{payment.reference.lower()}/qr.{kind}").data
        == get(client, f"/payments/{payment.reference}/qr.{kind}").data
    )


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_unknown_or_check_invalid_reference_has_no_qr(client, kind):
    payment = payable_payments()[0]
    last = payment.reference[-1]
    broken = payment.reference[:-1] + ("0" if last != "0" else "1")  # wrong check symbol
    for reference in (broken, "SL000000000X", "nothing"):
        assert get(client, f"/payments/{reference}/qr.{kind}").status_code == 404


def test_json_payload_matches_the_rendered_codes(app, client):
    for payment in payable_payments():
        data = get(client, f"/payments/{payment.reference}.json").get_json()
        png = get(client, f"/payments/{payment.reference}/qr.png").data
        png_text = decode_one(Image.open(io.BytesIO(png)))
        assert data["payload"] == png_text
        assert data["fields"]["reference"] == payment.reference and data["amount"] == payment.amount_vnd


# --- the dossier receipt's QR ---------------------------------------------------------------------------


def test_dossier_receipt_qr_decodes_to_the_tracking_link(app, client, login):
    payment = payable_payments()[0]
    dossier = payment.dossier
    login("receptionist")  # the agency's staff may open the receipt and its QR
    response = get(client, f"/dossiers/{dossier.code}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.cache_control.no_store  # a personal link: never cached
    width, height, modules = svg_modules(response.data)
    assert min(x for x, _ in modules) == QUIET_ZONE and max(x for x, _ in modules) + 1 == width - QUIET_ZONE
    expected = app.config["PORTAL_SETTINGS"].base_url + f"/dossiers/t/{dossier.code}/{secret_token(dossier)}"
    assert decode_one(rasterise(width, height, modules)) == expected


def test_underpaid_page_never_asks_for_more_than_the_rest(client, login):
    [payment] = [p for p in demo_payments() if p.status == "underpaid"]
    rest = payment.amount_vnd - payment.received_vnd
    assert 0 < rest < payment.amount_vnd
    body = get(client, f"/payments/{payment.reference}").get_data(as_text=True)
    for source in re.findall(r'<img class="pay-qr" src="([^"]+)"', body):
        width, height, modules = svg_modules(get(client, source).data)
        assert parse_payload(decode_one(rasterise(width, height, modules))).amount == rest
    for link in re.findall(r'href="([^"]+/qr\.png\?[^"]*download=1)"', body):
        png = get(client, link.replace("&amp;", "&")).data
        assert parse_payload(decode_one(Image.open(io.BytesIO(png)))).amount == rest
    # The desk's counter view shows the underpaid fee's QR: it asks for the rest, not the whole fee again.
    login("receptionist")
    counter = get(client, f"/staff/payments/{payment.reference}/counter").get_data(as_text=True)
    [source] = re.findall(r'<img class="counter-qr" src="([^"]+)"', counter)
    width, height, modules = svg_modules(get(client, source.replace("&amp;", "&")).data)
    assert parse_payload(decode_one(rasterise(width, height, modules))).amount == rest
    bare = decode_one(Image.open(io.BytesIO(get(client, f"/payments/{payment.reference}/qr.png").data)))
    assert parse_payload(bare).amount == rest
