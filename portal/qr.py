"""QR codes rendered on our server (no third-party QR service ever sees a personal link).

`svg` and `png` render every time: for a text that must not stay in memory (a second-factor secret).
`image` renders a text once and keeps the result in a bounded in-process LRU (`CACHE_SIZE` entries, keyed by
the exact text, the format and the size), with a strong ETag: the same payment reference asked for again
costs a dictionary look-up instead of the encoder. The image is a pure function of its key and of
`RENDERER` (this module's settings and the versions of the libraries that draw it), so an entry is never
stale: a different payload is a different key.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M

from portal.lru import BoundedLRU

# Anything that changes the bytes for the same text changes this, and so every ETag and version: our
# settings (error correction M, 4-module quiet zone, SVG path), qrcode's encoder, Pillow's PNG writer.
RENDERER = f"portal-qr-1/qrcode-{version('qrcode')}/pillow-{version('pillow')}"
CACHE_SIZE = 512
PNG_BOX = 8  # pixels per module of the PNG


def _qr(text: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=10)
    code.add_data(text)
    code.make(fit=True)
    return code


def svg(text: str) -> bytes:
    """A compact SVG path (a few kB); scales sharply on any screen or printer."""
    image = _qr(text).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def png(text: str, box_size: int = PNG_BOX) -> bytes:
    code = _qr(text)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


@lru_cache(maxsize=CACHE_SIZE)
def version_of(text: str) -> str:
    """A short, stable name of what `text`'s images show (16 hex digits): pages add it to the image's
    address (`?v=`), so the address changes whenever the image would."""
    return hashlib.sha256(f"{RENDERER}\0{text}".encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Image:
    body: bytes
    mimetype: str
    etag: str  # strong, unquoted: the same for the same text, format and size on every node
    gzipped: bytes | None = None  # the body gzipped, for a text format (SVG)


MIMETYPES = {"png": "image/png", "svg": "image/svg+xml"}


def _render(kind: str, text: str, box_size: int) -> Image:
    digest = hashlib.sha256(f"{RENDERER}\0{kind}\0{box_size}\0{text}".encode()).hexdigest()[:32]
    if kind == "svg":
        body = svg(text)
        return Image(body, MIMETYPES[kind], f"{digest}-svg", gzip.compress(body, compresslevel=9, mtime=0))
    return Image(png(text, box_size), MIMETYPES[kind], f"{digest}-png{box_size}")


class _Cache(BoundedLRU[tuple[str, int, str], Image]):
    """The rendered images by (format, size, text), with hit and miss counts for the benchmarks."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.hits = self.misses = 0

    def image(self, kind: str, text: str, box_size: int) -> Image:
        key = (kind, box_size, text)
        found = super().get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        made = _render(kind, text, box_size)
        self.put(key, made)
        return made

    def clear(self) -> None:
        super().clear()
        self.hits = self.misses = 0


_cache = _Cache(CACHE_SIZE)


def image(kind: str, text: str, box_size: int = PNG_BOX) -> Image:
    """The `kind` ("png" or "svg") image of `text`, rendered once per text, format and size."""
    if kind not in MIMETYPES:
        raise ValueError(kind)
    return _cache.image(kind, text, box_size if kind == "png" else 0)


def clear_cache() -> None:
    _cache.clear()
