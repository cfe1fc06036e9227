"""What a form's post does with its files before anything else is checked, so that an error elsewhere never
loses them (portal.uploads.drafts): each file is checked and kept as a draft of the form, the draft whose
"remove" button was pressed goes, and all of it is committed at once. The form then comes back listing what
was received; sending it takes the drafts. Used by the report form and the reply to a request for
information (portal/feedback/report_photos.py) and by the dossier forms (portal/dossiers/upload_drafts.py).

Only for a nonce this browser's session was given (`drafting`, `kept`): a post with a made-up or another
person's nonce neither reads, adds nor removes drafts, and its files are handled in the request as before.
The limits hold with the drafts counted: at most `Limits.files` kept files, and at most
`Limits.total_bytes` of them together; a file chosen again after the error (already kept) counts once.
A form's limits bound one served form, not a session that asks for fresh forms: every file checked (and so
re-encoded) is also counted per client address (`FILES_PER_ADDRESS_HOUR`), whatever the form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import request
from flask_babel import ngettext
from flask_login import current_user

from portal import form_nonce, throttle
from portal.domain.errors import ReasonedError
from portal.domain.ids import parse_id
from portal.extensions import db

from . import drafts

# Files checked (re-encoded) for any form's drafts, per client address (IPv6 by its /64) an hour, whether
# kept or refused. Generous: the send limits let one address send 10 online dossiers of up to 10 documents
# (100 files) and 5 reports of up to 5 photos an hour, and a mobile network's shared address or a commune
# office's Wi-Fi (an intermediary filing villagers' dossiers) stands for many people; 120 leaves room for
# files chosen again after errors, and still bounds the re-encoding one address can ask for to a few minutes
# of a processor an hour instead of no bound at all.
FILES_PER_ADDRESS_HOUR = 120
HOUR = 3600


@dataclass(frozen=True)
class Posted:
    """One file of the post: the input it came in (`field`), the name the citizen's device gave it, its bytes."""

    field: str
    filename: str
    data: bytes


@dataclass(frozen=True)
class Limits:
    """How many files the form keeps, and their stored bytes together (0: no limit), with the messages that
    say so (translated for this request)."""

    files: int
    too_many: str
    total_bytes: int = 0
    too_large: str = ""


def posted(fields: Iterable[str]) -> list[Posted]:
    """The files chosen in these inputs, in order (an input left empty sends a nameless empty part: skipped)."""
    return [
        Posted(name, upload.filename or "", upload.read())
        for name in fields
        for upload in request.files.getlist(name)
        if upload and upload.filename
    ]


def drafting(nonce: str) -> bool:
    """Whether this post keeps its files as drafts: a POST with a nonce this browser was given."""
    return request.method == "POST" and form_nonce.issued_here(nonce)


def kept(form: str, nonce: str) -> list[drafts.UploadDraft]:
    """The form's drafts, for the page: only for a nonce this browser was given."""
    return drafts.listed(form, nonce) if form_nonce.issued_here(nonce) else []


def keep_posted(
    form: str,
    nonce: str,
    files: list[Posted],
    check: Callable[[bytes], drafts.Checked],
    refused: Callable[[str], str],
    limits: Limits,
    remove_button: str,
) -> tuple[bool, list[str]]:
    """Keep `files` as drafts of `form` once `check` accepted them (a refusal's reason becomes an error by
    `refused`), remove the draft whose `remove_button` was pressed, and commit, so they survive whatever the
    rest of the form says. Returns whether the post was a "remove" (the form is shown again, nothing sent),
    and the errors about the files (the last one found). The caller has checked `drafting(nonce)`."""
    errors: list[str] = []
    removed: list[str] = []
    asked = parse_id(request.form.get(remove_button, ""))
    if asked is not None:
        removed = drafts.remove(form, nonce, asked)
    if len(files) > limits.files:  # more than the form may hold, even all chosen again: no more checked
        errors = [limits.too_many]
        files = files[: limits.files]
    wait = _over_address_limit(len(files))
    if wait:  # none of this post's files is checked or kept (a "remove" press in it is still done)
        errors, files = [_address_limit_error(wait)], []
    present = drafts.listed(form, nonce)
    total = sum(d.size for d in present)
    account = current_user.id if current_user.is_authenticated else None
    for file in files:
        try:
            checked = check(file.data)
        except ReasonedError as rejected:
            errors = [refused(rejected.reason)]
            continue
        if drafts.same_as(present, checked, file.field) is not None:
            continue  # chosen again after the error: kept already, and counted once
        if len(present) >= limits.files:
            errors = [limits.too_many]
            continue
        if limits.total_bytes and total + len(checked.data) > limits.total_bytes:
            errors = [limits.too_large]
            continue
        draft = drafts.keep(form, nonce, checked, file.filename, account, file.field)
        present.append(draft)
        total += draft.size
    db.session.commit()
    drafts.delete_files(removed)
    return bool(asked), errors


def _over_address_limit(count: int) -> int:
    """Count this post's `count` files against the client address's hour, all or none: 0 when they fit,
    else (none counted) the seconds until that hour's window ends."""
    if not count:
        return 0
    return throttle.reserve(
        f"upload-drafts:ip:{throttle.client_source()}", count, FILES_PER_ADDRESS_HOUR, HOUR
    )


def _address_limit_error(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return ngettext(
        "Too many files were sent from your connection in the last hour, so these were not received. Please "
        "choose them again in %(num)d minute. What you typed and the files already received are kept.",
        "Too many files were sent from your connection in the last hour, so these were not received. Please "
        "choose them again in %(num)d minutes. What you typed and the files already received are kept.",
        minutes,
    )
