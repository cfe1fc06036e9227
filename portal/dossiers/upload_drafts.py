"""The online dossier form's documents, kept as drafts across its errors as the report form keeps its photos
(portal/uploads/draft_posts.py): each document is checked, re-encoded and stored as soon as it is posted, then
listed under the required document (thành phần hồ sơ) it answers when the form comes back, with a "remove"
button; sending the form gives them to the dossier. Only a browser that was given the form's nonce reads or
changes its drafts. The limits count the drafts: at most `intake.MAX_FILES` documents, `MAX_TOTAL_BYTES` in
all. Used by the citizen's form (routes.py `apply`) and the intermediary's
(portal/intermediaries/routes_dossiers.py), which create the dossier through the same online submission.
"""

from __future__ import annotations

from flask_babel import gettext as _

from portal.catalog.models import Procedure
from portal.extensions import db
from portal.uploads import draft_posts, drafts
from portal.uploads.documents import MAX_TOTAL_BYTES, check_document

from . import intake
from .labels import document_error

REMOVE = "remove_file"  # the name of each kept document's "remove" button (its value: the draft's id)
OTHER = "doc-other"  # the input of documents that answer none of the procedure's list


def form_name(procedure: Procedure) -> str:
    """The online form of one procedure, as its drafts' key names it (its nonce is bound the same way)."""
    return f"dossier-apply:{procedure.code}"


def field_of(document_id: int) -> str:
    """The input of one required document (dossiers/_application.html names them so)."""
    return f"doc-{document_id}"


def fields(procedure: Procedure) -> list[str]:
    """The form's file inputs, in the order of the procedure's list, then the other documents."""
    return [field_of(document.id) for document in procedure.documents] + [OTHER]


def required_document(procedure: Procedure, field: str) -> int | None:
    """The required document an input answers (None: another document, or no input of this procedure)."""
    return next((d.id for d in procedure.documents if field_of(d.id) == field), None)


def posted(procedure: Procedure) -> list[intake.Upload]:
    """This post's documents as uploads, each with the required document it answers (not kept as drafts)."""
    return [
        intake.Upload(file.data, file.filename, required_document(procedure, file.field))
        for file in draft_posts.posted(fields(procedure))
    ]


def count_error(count: int) -> str | None:
    """What is wrong with the number of documents a dossier is sent with (the rule of intake.submit_online)."""
    if not count:
        return _("Attach at least one document.")
    if count > intake.MAX_FILES:
        return _("You can attach at most 10 files.")
    return None


def _document(raw: bytes) -> drafts.Checked:
    return drafts.Checked.document(check_document(raw))


def keep_posted(procedure: Procedure, nonce: str) -> tuple[bool, list[str]]:
    """Keep this post's documents as drafts of the form and remove the one whose "remove" button was
    pressed; commits. The caller has checked `draft_posts.drafting(nonce)`. Returns whether the post was a
    "remove" (the form is shown again, nothing sent) and the documents' errors."""
    limits = draft_posts.Limits(
        intake.MAX_FILES,
        _("You can attach at most 10 files."),
        MAX_TOTAL_BYTES,
        _("The documents may be at most 20 MB in all. Remove one, or attach a smaller scan."),
    )
    files = draft_posts.posted(fields(procedure))
    return draft_posts.keep_posted(
        form_name(procedure), nonce, files, _document, document_error, limits, REMOVE
    )


def kept(procedure: Procedure, nonce: str) -> list[drafts.UploadDraft]:
    """The documents already received with this form, for its page (none for a nonce given elsewhere)."""
    return draft_posts.kept(form_name(procedure), nonce)


def take(procedure: Procedure, nonce: str) -> tuple[list[intake.Kept], list[str]]:
    """The form's drafts for the dossier being created (their rows go in its transaction), and the file
    names of duplicates to delete once committed."""
    files, duplicates = drafts.take(form_name(procedure), nonce)
    documents = [
        intake.Kept(f.stored_name, f.filename, f.mimetype, f.size, required_document(procedure, f.field))
        for f in files
    ]
    return documents, duplicates


def drop(procedure: Procedure, nonce: str) -> None:
    """The drafts of a form already sent (a second post of it kept some): they go, rows and files."""
    names = drafts.purge(drafts.listed(form_name(procedure), nonce))
    if names:
        db.session.commit()
        drafts.delete_files(names)
