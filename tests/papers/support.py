"""Helpers of the papers tests: decode a QR image the server drew, set when each event happened."""

from __future__ import annotations

import re
from datetime import datetime

from portal.events.models import Event

SQUARE = re.compile(r"M(\d+),(\d+)H(\d+)V(\d+)H(\d+)z")


def decode_svg_qr(svg: bytes) -> str:
    """Rasterise the qrcode SVG path (unit squares "Mx,yH..V..H..z" in a viewBox of modules) and decode it
    with zxing-cpp, as a phone's camera would read the printed code."""
    import zxingcpp
    from PIL import Image, ImageDraw

    text = svg.decode()
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', text)[1])
    scale = 8
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, x2, y2, _ in SQUARE.findall(text):
        draw.rectangle((int(x) * scale, int(y) * scale, int(x2) * scale - 1, int(y2) * scale - 1), fill=0)
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1, f"{len(results)} barcodes decoded"
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    return results[0].text


def qr_source(html: str, css_class: str = "qr") -> str:
    found = re.search(rf'<img class="{css_class}" src="([^"]+)"', html)
    assert found, f"no img.{css_class} in the page"
    return found[1].replace("&amp;", "&")


class EventClock:
    """Events are stamped with the real clock and are append-only (no UPDATE): while `at` is set, the events
    recorded are stamped with it instead, so that a test's papers show hand-chosen times."""

    def __init__(self, monkeypatch) -> None:
        from portal.events import operations

        self.at: datetime | None = None

        def stamped(**columns):
            if self.at is not None:
                columns.setdefault("occurred_at", self.at)
            return Event(**columns)

        monkeypatch.setattr(operations, "Event", stamped)
