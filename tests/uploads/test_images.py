"""Photo processing (portal.uploads.images): type sniffing, bomb guard, re-encoding without metadata."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zlib

import pytest
from PIL import Image, ImageFile

from portal.uploads.images import MAX_BYTES, ImageRejected, process_photo
from tests.support.files import jpeg_bytes

GPS_IFD = 0x8825
EXIF_IFD = 0x8769
ORIENTATION = 0x0112


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def reason_for(raw: bytes) -> str:
    with pytest.raises(ImageRejected) as refused:
        process_photo(raw)
    return refused.value.reason


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_declaring(width: int, height: int, idat: bytes | None = None) -> bytes:
    """A 1-bit greyscale PNG built by hand: the header declares width x height, with correct CRCs."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    if idat is None:
        idat = zlib.compress(b"\x00" * (1 + (width + 7) // 8) * 4)  # a few rows; the rest never comes
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


# -------------------------------------------------------------------------------------------------- metadata


def test_exif_and_gps_are_stripped_and_the_jpeg_is_re_encoded():
    raw = jpeg_bytes(exif_gps=True)
    source = Image.open(io.BytesIO(raw))
    assert source.getexif().get_ifd(GPS_IFD), "the fixture must really carry GPS data"
    assert source.getexif()[0x010F] == "PhoneMaker"

    result = process_photo(raw)

    for data in (result.data, result.thumbnail):
        image = opened(data)
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert image.getexif().get_ifd(GPS_IFD) == {}
        assert "exif" not in image.info
        assert b"Exif\x00\x00" not in data and b"PhoneMaker" not in data
    assert result.data != raw  # re-encoded, not passed through
    assert (result.width, result.height) == (800, 600) == opened(result.data).size


def test_orientation_tag_is_applied_then_dropped():
    # 200x100, red on the left, blue on the right, with "rotate 90° clockwise to display" (6).
    image = Image.new("RGB", (200, 100), (255, 0, 0))
    image.paste((0, 0, 255), (100, 0, 200, 100))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    result = process_photo(encode(image, "JPEG", exif=exif, quality=95))

    upright = opened(result.data)
    assert upright.size == (100, 200) == (result.width, result.height)
    top, bottom = upright.getpixel((50, 20)), upright.getpixel((50, 180))
    assert top[0] > 200 and top[2] < 60  # the left (red) side is now on top
    assert bottom[2] > 200 and bottom[0] < 60
    assert ORIENTATION not in upright.getexif()  # a viewer must not rotate it a second time


def test_polyglot_payload_after_the_image_does_not_survive():
    raw = jpeg_bytes() + b"<?php system($_GET['c']); ?>"
    result = process_photo(raw)
    assert b"<?php" not in result.data and b"<?php" not in result.thumbnail


SCRIPT = b"<script>alert(1)</script>"


def jpeg_markers(data: bytes) -> list[int]:
    """The marker bytes of a JPEG's header segments, up to the start of scan."""
    markers, at = [], 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: the entropy-coded data follows
            break
        at += 2 + struct.unpack(">H", data[at + 2 : at + 4])[0]
    return markers


def assert_only_pixels(data: bytes) -> None:
    image = opened(data)
    assert SCRIPT not in data
    assert 0xFE not in jpeg_markers(data)  # no COM segment
    assert not ({0xE1, 0xE2} & set(jpeg_markers(data)))  # no APP1 (EXIF, XMP) nor APP2 (ICC)
    assert not {"comment", "exif", "icc_profile", "xmp"} & set(image.info)


def test_a_jpeg_comment_does_not_survive():
    raw = encode(Image.new("RGB", (64, 48), (0, 128, 0)), "JPEG", comment=SCRIPT)
    assert opened(raw).info["comment"] == SCRIPT, "the fixture must really carry the comment"
    result = process_photo(raw)
    for data in (result.data, result.thumbnail):
        assert_only_pixels(data)


def test_png_text_chunks_icc_and_xmp_do_not_survive():
    from PIL import ImageCms, PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", SCRIPT.decode())
    text.add_itxt("XML:com.adobe.xmp", f"<x:xmpmeta>{SCRIPT.decode()}</x:xmpmeta>")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    raw = encode(Image.new("RGB", (64, 48), (0, 0, 128)), "PNG", pnginfo=text, icc_profile=icc)
    assert SCRIPT in raw and "icc_profile" in opened(raw).info
    result = process_photo(raw)
    for data in (result.data, result.thumbnail):
        assert_only_pixels(data)


def test_jpeg_icc_and_xmp_do_not_survive():
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    raw = encode(
        Image.new("RGB", (64, 48)), "JPEG", icc_profile=icc, xmp=b"<x:xmpmeta>" + SCRIPT + b"</x:xmpmeta>"
    )
    assert SCRIPT in raw
    result = process_photo(raw)
    for data in (result.data, result.thumbnail):
        assert_only_pixels(data)


# ----------------------------------------------------------------------------------------------------- sizes


def test_large_photo_is_scaled_to_2048_and_a_480_thumbnail():
    result = process_photo(jpeg_bytes(size=(4000, 3000)))
    main, thumb = opened(result.data), opened(result.thumbnail)
    assert max(main.size) == 2048 and main.size == (2048, 1536)
    assert (result.width, result.height) == main.size
    assert max(thumb.size) <= 480 and thumb.size == (480, 360)
    assert thumb.format == main.format == "JPEG"


def test_portrait_photo_keeps_its_aspect():
    result = process_photo(jpeg_bytes(size=(1500, 3000)))
    assert opened(result.data).size == (1024, 2048)
    assert opened(result.thumbnail).size == (240, 480)


def test_small_photo_is_not_enlarged():
    result = process_photo(jpeg_bytes(size=(320, 200)))
    assert opened(result.data).size == (320, 200)
    assert opened(result.thumbnail).size == (320, 200)


# -------------------------------------------------------------------------------------------- accepted types


def test_png_with_alpha_is_accepted_and_flattened_on_white():
    image = Image.new("RGBA", (300, 200), (0, 0, 0, 0))  # fully transparent…
    image.paste((0, 0, 255, 255), (0, 0, 150, 200))  # …except an opaque blue left half
    result = process_photo(encode(image, "PNG"))
    out = opened(result.data)
    assert out.format == "JPEG" and out.mode == "RGB" and out.size == (300, 200)
    assert all(channel > 240 for channel in out.getpixel((250, 100)))  # transparent became white
    blue = out.getpixel((50, 100))
    assert blue[2] > 200 and blue[0] < 40


def test_webp_is_accepted_and_becomes_jpeg():
    result = process_photo(encode(Image.new("RGB", (640, 480), (10, 120, 10)), "WEBP"))
    out = opened(result.data)
    assert out.format == "JPEG" and out.size == (640, 480)


@pytest.mark.parametrize("mode", ["L", "LA", "P", "1", "I;16", "CMYK"])
def test_other_pixel_modes_are_converted(mode):
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    out = opened(process_photo(encode(Image.new(mode, (40, 30)), fmt)).data)
    assert out.format == "JPEG" and out.mode in ("RGB", "L") and out.size == (40, 30)


# --------------------------------------------------------------------------------------------------- refused


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param(b"<?php system($_GET['c']); ?>", "not_image", id="php-renamed-jpg"),
        pytest.param(
            b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b"<script>alert(document.cookie)</script></svg>",
            "not_image",
            id="svg-with-script",
        ),
        pytest.param(
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
            "not_image",
            id="svg-xml",
        ),
        pytest.param(
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "not_image", id="pdf"
        ),
        pytest.param(
            b"<!doctype html><html><script>alert(1)</script></html>", "not_image", id="html-renamed-png"
        ),
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "not_image", id="exe"),
        pytest.param(encode(Image.new("RGB", (20, 20), (1, 2, 3)), "GIF"), "not_image", id="gif"),
        pytest.param(encode(Image.new("RGB", (20, 20), (1, 2, 3)), "BMP"), "not_image", id="bmp"),
        pytest.param(encode(Image.new("RGB", (20, 20), (1, 2, 3)), "TIFF"), "not_image", id="tiff"),
        pytest.param(b"", "empty", id="empty"),
    ],
)
def test_refused_with_the_right_reason(raw, reason):
    assert reason_for(raw) == reason


def test_truncated_jpeg_is_refused_as_corrupt():
    raw = jpeg_bytes(size=(800, 600))
    assert reason_for(raw[: len(raw) // 2]) == "corrupt"


def test_more_than_10_mb_is_refused_even_if_it_is_a_real_jpeg():
    raw = jpeg_bytes()
    padded = raw + b"\x00" * (MAX_BYTES + 1 - len(raw))
    assert len(padded) == MAX_BYTES + 1
    assert reason_for(padded) == "too_large"
    exactly = raw + b"\x00" * (MAX_BYTES - len(raw))  # the limit itself is allowed
    assert process_photo(exactly).width == 800


def test_over_40_megapixels_is_refused_from_the_header():
    assert reason_for(png_declaring(7000, 7000)) == "too_many_pixels"  # 49 MP
    assert reason_for(jpeg_bytes(size=(6400, 6400))) == "too_many_pixels"  # a real 41 MP JPEG


@pytest.mark.parametrize(("width", "height"), [(10000, 10000), (20000, 20000)])
def test_huge_declared_size_is_refused_as_too_many_pixels(width, height):
    assert reason_for(png_declaring(width, height)) == "too_many_pixels"


def test_20000x20000_bomb_is_refused_quickly_without_decoding(monkeypatch):
    # A genuine 1-bit 20000x20000 PNG: 400 million pixels that compress to about 50 kB.
    row = b"\x00" + b"\x00" * (20000 // 8)
    bomb = png_declaring(20000, 20000, zlib.compress(row * 20000, 9))
    assert len(bomb) < 200_000
    decoded = []
    original_load = ImageFile.ImageFile.load

    def spy_load(self):
        decoded.append(self.size)
        return original_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy_load)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ImageRejected):
            process_photo(bomb)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0
    assert decoded == []  # no pixel was decoded
    assert peak < 20 * 1024 * 1024  # decoding would need about 400 MB
