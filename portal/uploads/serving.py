"""Sending stored files from the private upload store, for every route that serves one.

Always a download (`Content-Disposition: attachment`, under a name with the extension of the stored type),
with the stored type as Content-Type, in a sandbox; a file missing from the store is logged and answered
with a translated 404 page, never a 500 (`flask --app portal check-files` lists such rows); a store that
cannot be reached raises StorageUnavailable, a translated 503 (storage.init_app). The file is streamed from
the store in chunks and decrypted a segment at a time (portal.uploads.encryption), never read whole into
memory. Downloads of personal files are audited by the routes
with `audit_download()`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app, send_file
from flask_babel import gettext as _
from flask_login import current_user

from portal.errors import render_error
from portal.events.operations import record

from . import storage
from .backends import Missing, StoredFile
from .names import served_type, with_type_extension

DOWNLOAD_ACTION = "file_downloaded"  # the audit event of a download, for every kind of stored file


def open_stored(name: str) -> StoredFile | None:
    """The stored file opened for reading, or None (logged) if the store does not hold it."""
    try:
        return storage.open_decrypted(name)
    except Missing:
        current_app.logger.error("stored file missing: %r (run `flask --app portal check-files`)", name)
        return None


def missing_file_page():
    return render_error(
        404,
        _("File not found"),
        _(
            "This file is no longer available on the portal. Please contact the agency that "
            "handles this item."
        ),
    )


def attachment(handle: StoredFile, name: str, mimetype: str, display_name: str, *, public: bool = False):
    """`handle` (opened by open_stored(name)) as a download; cached only when the file is public."""
    response = send_file(
        # Decrypted as the response goes out, a segment at a time, from the store's own stream (a local file,
        # or an S3 body read from the connection).
        handle.stream,
        mimetype=served_type(mimetype),
        as_attachment=True,
        download_name=with_type_extension(display_name, mimetype),
        max_age=3600 if public else 0,
        # Stored names are unique (keyed content digest and a random part): the name is the file's version.
        conditional=public,
        etag=name if public else False,
        last_modified=handle.modified if public else None,
    )
    if response.status_code == 200:  # not a 304 or a range: the whole file follows
        response.content_length = handle.size
    response.headers["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


DOWNLOAD_NOTE = re.compile(r"^(?P<what>.*?)(?: \((?P<kind>[a-z_]+)\))? · (?P<via>staff|account|session)$")


def download_note(kinds: Mapping[str, Any]) -> Callable[[str], str]:
    """A reader of the note `audit_download` writes ("#12 to-khai.pdf (submitted) · staff"), in words:
    the file's kind by `kinds` and how the person got access translated."""

    def read(note: str) -> str:
        match = DOWNLOAD_NOTE.match(note)
        if match is None:
            return note
        via = {
            "staff": _("by staff"),
            "account": _("from the citizen's account"),
            "session": _("from a browser opened with the tracking code or the private link"),
        }[match["via"]]
        kind = match["kind"]
        what = f"{match['what']} ({kinds[kind]})" if kind and kind in kinds else match["what"]
        return f"{what} · {via}"

    return read


def audit_download(subject_type: str, subject_id: int, what: str) -> None:
    """Who downloaded which file of which item: the account (staff or citizen), or for a citizen's browser
    without an account, the address the event records. Flushes; the route commits."""
    actor = current_user.id if current_user.is_authenticated else None
    # How the person got access: a staff role, a citizen account, or a browser session opened by tracking
    # (code and phone digits) or by the private link.
    via = "staff" if actor and current_user.is_staff else "account" if actor else "session"
    record(subject_type, subject_id, DOWNLOAD_ACTION, actor_id=actor, note=f"{what} · {via}")
