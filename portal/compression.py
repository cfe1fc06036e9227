"""Gzip text responses for slow mobile links. A page of ours shrinks to about a fifth.

Done in the app because gunicorn serves directly in the default set-up; behind nginx, its own gzip
makes this a no-op (responses already carrying Content-Encoding are left alone).

Pages are compressed as they are sent, except a page the app keeps and sends again unchanged (a kept status
page, portal/tracking/page_cache.py): it is answered as a `KeptAnswer`, whose gzip is made at the first
request that takes gzip and kept with the page. Whether to compress stays this module's one decision
(`compress`; `accepts_gzip` for the client): a kept gzip only replaces the compressing.

Static files are compressed once, not on every request: at start-up each compressible file under static/
gets a gzip copy in the instance folder (static-gzip/), named after the file's modification time and size.
A file edited while the portal runs gets a new copy on its first request; a copy is never served for a file
it does not match. Workers share the copies, and write each to a temporary name then rename it, so none ever
reads half a copy.
"""

from __future__ import annotations

import gzip
import mimetypes
import os
import re
import tempfile
from pathlib import Path

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

COMPRESSIBLE = (
    "text/html",
    "text/css",
    "text/plain",
    "text/csv",
    "application/json",
    "application/javascript",
    "image/svg+xml",
    "text/javascript",
)
MIN_SIZE = 500
STATIC_GZIP = "static-gzip"  # the copies' folder inside the instance folder
EXTENSION = "portal_static_gzip"


class StaticGzip:
    """gzip copies of the files of `static`, kept in `store`."""

    def __init__(self, static: Path, store: Path) -> None:
        self.static = static
        self.store = store

    def copy_for(self, filename: str) -> Path | None:
        """The gzip copy of static/`filename` as it is now (made if missing); None for a small or absent file."""
        source = safe_join(str(self.static), filename)
        if source is None or not os.path.isfile(source):
            return None
        stat = os.stat(source)
        if stat.st_size < MIN_SIZE:
            return None
        target = self.store / f"{filename}.{stat.st_mtime_ns}-{stat.st_size}.gz"
        if not target.is_file():
            self._write(Path(source), target)
        return target

    def _write(self, source: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        data = gzip.compress(source.read_bytes(), compresslevel=9, mtime=0)
        with tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=".", suffix=".tmp", delete=False
        ) as temporary:
            temporary.write(data)
        os.replace(temporary.name, target)
        # Copies of earlier versions of the same file are no longer served.
        earlier = re.compile(re.escape(source.name) + r"\.[0-9]+-[0-9]+\.gz")
        for old in target.parent.iterdir():
            if old != target and earlier.fullmatch(old.name):
                old.unlink(missing_ok=True)

    def make_all(self) -> None:
        for path in sorted(self.static.rglob("*")):
            if path.is_file() and mimetypes.guess_type(path.name)[0] in COMPRESSIBLE:
                self.copy_for(path.relative_to(self.static).as_posix())


# A browser's Accept-Encoding is about 30 bytes. A longer one is answered without gzip (the identity coding
# is always acceptable) rather than parsed: on every answer, a header of several KB cost milliseconds.
MAX_ACCEPT_ENCODING = 1024


def accepts_gzip() -> bool:
    """Whether the client takes gzip (RFC 9110 12.5.3): the one rule for every answer we gzip. `x-gzip` counts
    as gzip (RFC 9110 8.4.1.3); a weight of 0, or one that is not a number from 0 to 1, refuses it; without a
    gzip entry, the wildcard's weight decides."""
    accepted = request.headers.get("Accept-Encoding", "")
    if not accepted or len(accepted) > MAX_ACCEPT_ENCODING:
        return False
    weights = _weights(accepted)
    for name in ("gzip", "x-gzip", "*"):
        if name in weights:
            return weights[name] > 0
    return False


def _weights(accepted: str) -> dict[str, float]:
    """Each coding's weight in an Accept-Encoding list (its first entry, if named twice)."""
    weights: dict[str, float] = {}
    for element in accepted.split(","):
        name, _, parameters = element.partition(";")
        name = name.strip().lower()
        if not name:
            continue
        weight = 1.0
        for parameter in parameters.split(";") if parameters else ():
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = 0.0
                if not 0.0 <= weight <= 1.0:  # also NaN
                    weight = 0.0
        weights.setdefault(name, weight)
    return weights


def _gzip(data: bytes) -> bytes:
    """A page's gzip; no timestamp, so the same page always gives the same bytes."""
    return gzip.compress(data, compresslevel=6, mtime=0)


class KeptBody:
    """The body of a page kept and sent again unchanged to every viewer, and its gzip once a request took gzip
    (made then, not when the page is kept: a client without gzip never pays for it, and a kept page nobody
    asks gzip for holds no copy). Two requests that ask at once may both compress it (the same bytes): no
    lock, as in portal.lru."""

    __slots__ = ("data", "_gzipped")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._gzipped: bytes | None = None

    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = _gzip(self.data)
        return self._gzipped

    def answer(self, status: int, headers: dict[str, str]) -> KeptAnswer:
        """The answer of the page, built as Flask builds one from a view's (body, status, headers)."""
        return KeptAnswer(self, status, headers)


class KeptAnswer(Response):
    """An answer carrying a KeptBody: `compress` sends its kept gzip instead of compressing the body."""

    def __init__(self, kept: KeptBody, status: int, headers: dict[str, str]) -> None:
        super().__init__(kept.data, status=status, headers=headers)
        self.kept = kept


def _close(source: object) -> None:
    # A file response holds its file open: close it now, not only when the server closes the response
    # (a dropped connection would otherwise leave it open).
    close = getattr(source, "close", None)
    if close is not None:
        close()


def _gzipped(response: Response, data: bytes) -> None:
    """`response` now carries `data`, the gzip of its body."""
    response.set_data(data)
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(etag + "-gzip", weak=bool(weak))
        response.make_conditional(request)  # a cached copy's ETag still earns a 304


def _static(response: Response) -> Response:
    """A static file: its gzip copy when the client takes gzip, the file itself otherwise."""
    if response.status_code != 200 or (response.content_length or 0) < MIN_SIZE:
        return response
    response.vary.add("Accept-Encoding")  # either way: a cache must not give one client's variant to another
    if not accepts_gzip():
        return response
    filename = (request.view_args or {}).get("filename", "")
    try:
        copy = current_app.extensions[EXTENSION].copy_for(filename)
        data = copy.read_bytes() if copy is not None else None
    except OSError as error:  # an instance folder that cannot be written: the file goes out uncompressed
        current_app.logger.warning("no gzip copy of static/%s: %s", filename, error)
        return response
    if data is not None:
        _close(response.response)
        response.direct_passthrough = False
        _gzipped(response, data)
    return response


def _left_alone(response: Response) -> bool:
    return (
        response.status_code < 200
        or response.status_code in (204, 206, 304)
        or "Content-Encoding" in response.headers
        or response.mimetype not in COMPRESSIBLE
        or response.is_streamed
        and not response.direct_passthrough
    )


def compress(response: Response) -> Response:
    if request.endpoint == "static":
        return response if _left_alone(response) else _static(response)
    # A client that takes no gzip (wrk, curl, most monitoring) costs one header look-up, nothing more.
    if not accepts_gzip() or _left_alone(response):
        return response
    response.direct_passthrough = False  # a file response: read it so it can be compressed
    source = response.response
    data = response.get_data()
    _close(source)
    if len(data) < MIN_SIZE:
        return response
    _gzipped(response, _gzip_of(response, data))
    return response


def _gzip_of(response: Response, data: bytes) -> bytes:
    """`data`, the response's body, gzipped: a kept page's kept gzip, any other body compressed now."""
    # The comparison is an identity check when the body is the kept bytes (the usual case); a hook that
    # changed the body after the view gets it compressed as any page.
    if isinstance(response, KeptAnswer) and data == response.kept.data:
        return response.kept.gzipped()
    return _gzip(data)


def init_app(app: Flask) -> None:
    assert app.static_folder is not None
    copies = StaticGzip(Path(app.static_folder), Path(app.instance_path) / STATIC_GZIP)
    app.extensions[EXTENSION] = copies
    try:
        copies.make_all()
    except OSError as error:  # a read-only instance folder: static files go out uncompressed
        app.logger.warning("static files are not precompressed: %s", error)
    app.after_request(compress)
