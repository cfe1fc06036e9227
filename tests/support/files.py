"""Upload bodies the portal accepts: JPEG and PNG images, a minimal PDF, as form file tuples."""

from __future__ import annotations

import io

from PIL import Image

# A minimal one-page PDF (pikepdf must be able to open what the portal accepts: a page tree with a page).
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def jpeg_bytes(size=(800, 600), color=(200, 30, 30), exif_gps: bool = False) -> bytes:
    image = Image.new("RGB", size, color)
    buffer = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2], gps[3], gps[4] = "N", (21.0, 19.0, 30.0), "E", (103.0, 54.0, 12.0)
        image.save(buffer, format="JPEG", exif=exif)
    else:
        image.save(buffer, format="JPEG")
    return buffer.getvalue()


def png_bytes(size=(64, 48), mode="RGBA", color=(0, 128, 0, 128)) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def photo_file(data: bytes | None = None, name: str = "road.jpg"):
    return (io.BytesIO(jpeg_bytes() if data is None else data), name)


def pdf_file(name="to-khai.pdf"):
    return (io.BytesIO(PDF), name)


def jpeg_file(name="cccd.jpg"):
    return (io.BytesIO(jpeg_bytes()), name)
