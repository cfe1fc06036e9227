"""The online dossier form's documents, kept as drafts across its errors as the report form keeps its photos
(portal/uploads/draft_posts.py): each document is checked, re-encoded and stored as soon as it is posted, then
listed under the required document (thành phần hồ sơ) it answers when the form comes back, with a "remove"
button; sending the form gives them to the dossier. Only a browser that was given the form's nonce reads or
changes its drafts. The limits count the drafts: at most `intake.MAX_FILES` documents, `MAX_TOTAL_BYTES` in
all. Used by the citizen's form (routes.py `apply`) and the intermediary's
(portal/intermediaries/routes_dossiers.py), which create the dossier through the same online submission and
take its documents through one step (`sending`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from portal.catalog.models import Procedure
from portal.extensions import db
from portal.uploads import draft_posts, drafts
from portal.uploads.documents import MAX_TOTAL_BYTES, check_document

from . import intake
from .labels import document_error
from .models import Dossier

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


@dataclass(frozen=True)
class Sending:
    """What a post of an online dossier form sends the dossier with: the form's drafts (`kept`) or, for a post
    that keeps none, its own files (`uploads`); the file names of duplicate drafts to delete once committed.
    Or why it sends nothing: `error` (what is wrong with the number of documents), or `first`, the dossier
    another post of the same form was sent with meanwhile."""

    kept: list[intake.Kept]
    uploads: list[intake.Upload]
    duplicates: list[str]
    error: str | None = None
    first: Dossier | None = None


def sending(procedure: Procedure, nonce: str, drafted: bool, sent: Callable[[], Dossier | None]) -> Sending:
    """The documents this post sends the dossier with (`drafted`: it keeps drafts, `draft_posts.drafting`),
    the drafts taken in the session's transaction, for both forms that submit online (the citizen's and the
    intermediary's). On an error the session is rolled back (the drafts taken are the form's again). `sent`
    looks the form up ("already sent?"): a post that passed that look-up while another post of the same form
    was running, and whose drafts (the same files as the other's) that post then took, finds no document; it
    looks again, and the caller shows the first post's dossier rather than "Attach at least one document."."""
    kept, duplicates = take(procedure, nonce) if drafted else ([], [])
    uploads = [] if drafted else posted(procedure)
    error = count_error(len(kept) + len(uploads))
    if error is None:
        return Sending(kept, uploads, duplicates)
    db.session.rollback()
    first = sent() if drafted else None
    return Sending([], [], [], None if first is not None else error, first)


def drop(procedure: Procedure, nonce: str) -> None:
    """The drafts of a form already sent (a second post of it kept some): they go, rows and files."""
    names = drafts.purge(drafts.listed(form_name(procedure), nonce))
    if names:
        db.session.commit()
        drafts.delete_files(names)
