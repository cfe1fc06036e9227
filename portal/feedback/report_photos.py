"""The report form's photo block (issue 18 items 2 and 3): photos kept as drafts across a form error, their
"remove" buttons, and the warning about personal details typed into the title or description.

Drafts (portal/uploads/drafts.py, kept by portal/uploads/draft_posts.py as the dossier forms keep their
documents) are used only for a nonce this browser was given (form_nonce.issued_here): a post with a made-up or
another person's nonce neither reads nor adds drafts, and its photos are handled in the request as before.
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.domain import pii
from portal.uploads import draft_posts, drafts
from portal.uploads.images import process_photo

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
    return draft_posts.drafting(nonce)


def _photo(raw: bytes) -> drafts.Checked:
    return drafts.Checked.photo(process_photo(raw))


def keep_posted(field, nonce: str, rejected_message, form: str = FORM) -> tuple[bool, list[str]]:
    """Store this post's photos as drafts of the form (the report form, or another `form` name such as the
    reply to a request for information), remove the one whose "remove" button was pressed, and commit, so
    they survive whatever the rest of the form says (portal/uploads/draft_posts.py). Returns whether the post
    was a "remove" (the form is shown again, nothing sent), and the photo field's errors."""
    limits = draft_posts.Limits(MAX_PHOTOS, _("You can send at most 5 photos."))
    files = draft_posts.posted([field.name])
    return draft_posts.keep_posted(form, nonce, files, _photo, rejected_message, limits, REMOVE)


def kept(nonce: str, form: str = FORM) -> list[drafts.UploadDraft]:
    return draft_posts.kept(form, nonce)


def personal_details(title: str, description: str) -> list[str]:
    """The kinds of personal detail in the text, as words for the warning ("a phone number", …)."""
    return [str(PII_LABELS[kind]) for kind in pii.kinds(f"{title}\n{description}")]


def needs_warning(title: str, description: str) -> list[str]:
    """The warning's items when it has not been shown yet for this text; [] to go on and send."""
    if request.form.get(ACKNOWLEDGED) == "1":
        return []
    return personal_details(title, description)
