"""Photos: sniff the real type, refuse bombs, re-encode without metadata, make a thumbnail.

Only the pixels survive: Pillow decodes the image and writes a fresh JPEG with no EXIF (so no GPS), ICC
profile, XMP or comment (a JPEG COM marker, a PNG text chunk), after rotating it upright. Anything Pillow
cannot open as JPEG, PNG or WebP is refused, whatever its name or declared type — a PHP or SVG file renamed
.jpg never gets this far.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from portal.domain.errors import ReasonedError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # SECURITY.md D16: a 20000x20000 image is refused from its header alone
MAX_SIDE = 2048
THUMB_SIDE = 480


class ImageRejected(ReasonedError):
    """`reason` is one of 'empty', 'too_large', 'not_image', 'too_many_pixels', 'corrupt'."""


@dataclass(frozen=True)
class ProcessedImage:
    data: bytes
    thumbnail: bytes
    width: int
    height: int


def _encode(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # No exif, icc_profile or xmp given, and comment=b"": Pillow writes the source's JPEG comment (COM) by
    # default, so a polyglot's `<script>` in a comment would be stored and served in the photo.
    image.save(buffer, format="JPEG", quality=82, optimize=True, progressive=True, comment=b"")
    return buffer.getvalue()


def process_photo(
    raw: bytes, max_side: int = MAX_SIDE, formats: tuple[str, ...] = ACCEPTED_FORMATS
) -> ProcessedImage:
    if not raw:
        raise ImageRejected("empty")
    if len(raw) > MAX_BYTES:
        raise ImageRejected("too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(raw), formats=formats)
            # The header gives the size before any pixel is decoded: refuse bombs here.
            if image.width * image.height > MAX_PIXELS:
                raise ImageRejected("too_many_pixels")
            image.load()
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own guard fires inside open() for very large declared sizes: same verdict as ours.
        raise ImageRejected("too_many_pixels") from None
    except UnidentifiedImageError:
        raise ImageRejected("not_image") from None
    except (OSError, ValueError, SyntaxError):
        raise ImageRejected("corrupt") from None
    image = ImageOps.exif_transpose(image)  # upright first, then the EXIF is dropped with the rest
    # Nothing of the source's metadata is carried (EXIF, ICC, XMP, comments, PNG text chunks): the copies
    # made below (thumbnail) start from this empty info too.
    image.info = {}
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    data = _encode(image)
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return ProcessedImage(data=data, thumbnail=_encode(thumb), width=image.width, height=image.height)
