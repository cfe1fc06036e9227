"""The report form's photo block (issue 18 items 2 and 3): photos kept as drafts across a form error, their
"remove" buttons, and the warning about personal details typed into the title or description.

Drafts (portal/uploads/drafts.py) are used only for a nonce this browser was given (form_nonce.issued_here):
a post with a made-up or another person's nonce neither reads nor adds drafts, and its photos are handled
in the request as before.
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import form_nonce
from portal.domain import pii
from portal.extensions import db
from portal.uploads import drafts
from portal.uploads.images import ImageRejected, process_photo

from .operations import FORM, MAX_PHOTOS

REMOVE = "remove_photo"  # the name of each kept photo's "remove" button (its value: the draft's id)
ACKNOWLEDGED = "pii_ack"  # posted back once the citizen has seen the personal-details warning
PII_LABELS = {
    "phone": _l("a phone number"),
    "email": _l("an e-mail address"),
    "cccd": _l("an identity card (CCCD) number"),
    "plate": _l("a licence plate"),
}


def drafting(nonce: str) -> bool:
    return request.method == "POST" and form_nonce.issued_here(nonce)


def keep_posted(field, nonce: str, rejected_message, form: str = FORM) -> tuple[bool, list[str]]:
    """Store this post's photos as drafts of the form (the report form, or another `form` name such as the
    reply to a request for information), remove the one whose "remove" button was pressed, and commit, so
    they survive whatever the rest of the form says. Returns whether the post was a "remove" (the form is
    shown again, nothing sent), and the photo field's errors."""
    errors: list[str] = []
    removed: list[str] = []
    asked = request.form.get(REMOVE, "")
    if asked.isdigit():
        removed = drafts.remove(form, nonce, int(asked))
    uploads = [f for f in request.files.getlist(field.name) if f and f.filename]
    room = MAX_PHOTOS - len(drafts.listed(form, nonce))
    if len(uploads) > room:
        errors = [_("You can send at most 5 photos.")]
        uploads = uploads[: max(room, 0)]
    account = current_user.id if current_user.is_authenticated else None
    for upload in uploads:
        try:
            image = process_photo(upload.read())
        except ImageRejected as rejected:
            errors = [rejected_message(rejected.reason)]
            continue
        drafts.keep(form, nonce, image, upload.filename or "", account)
    db.session.commit()
    drafts.delete_files(removed)
    return bool(asked), errors


def kept(nonce: str, form: str = FORM) -> list[drafts.PhotoDraft]:
    return drafts.listed(form, nonce) if form_nonce.issued_here(nonce) else []


def personal_details(title: str, description: str) -> list[str]:
    """The kinds of personal detail in the text, as words for the warning ("a phone number", …)."""
    return [str(PII_LABELS[kind]) for kind in pii.kinds(f"{title}\n{description}")]


def needs_warning(title: str, description: str) -> list[str]:
    """The warning's items when it has not been shown yet for this text; [] to go on and send."""
    if request.form.get(ACKNOWLEDGED) == "1":
        return []
    return personal_details(title, description)
