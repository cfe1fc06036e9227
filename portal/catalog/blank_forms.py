"""Blank forms (tờ khai) of a procedure: added, renamed, moved and removed by the administrators who edit the
procedure (portal.catalog.admin_operations.can_edit_procedure), each change an Event on the procedure.
Files are checked (portal.catalog.form_files) and stored encrypted (portal.uploads.storage); a removed
form's file leaves the store only once the removal is committed. Flush, never commit."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.admin.changes import Actor, Forbidden, Invalid
from portal.domain.text import clean, fold
from portal.events.operations import record
from portal.extensions import db
from portal.uploads import storage
from portal.uploads.backends import StorageUnavailable
from portal.uploads.names import with_type_extension

from .admin_operations import can_edit_procedure
from .form_files import MAX_BYTES, FormFileRejected, check_form_file
from .models import BlankForm, Procedure

MAX_FORMS = 10
MAX_READ = MAX_BYTES + 1  # one byte more than allowed: enough to tell a file is too large
MAX_TITLE = 200
FILES_TO_REMOVE = "portal.catalog.blank_forms_to_remove"
REASONS = {
    "empty": _l("The file is empty."),
    "too_large": _l("The file is too large: a blank form is at most 5 MB."),
    "type": _l("Upload a PDF, a Word file (.docx) or an Excel file (.xlsx)."),
    "macro": _l(
        "The file contains macros or embedded programs: save it as a plain .docx or .xlsx, or as PDF."
    ),
    "active_content": _l("The PDF contains content that cannot be removed safely: print it to a new PDF."),
    "encrypted": _l("The file is protected by a password: upload a copy without the password."),
    "corrupt": _l("The file is damaged or cannot be read."),
}


def version(form: BlankForm) -> str:
    """A short fingerprint of what a download answers (file and title): part of its address, so the
    address can be cached for a year and changes when the form is renamed."""
    return hashlib.sha256(f"{form.stored_name}\n{form.title}".encode()).hexdigest()[:12]


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f;]+')
_NOT_ASCII_NAME = re.compile(r"[^a-z0-9._-]+")


def disposition(form: BlankForm) -> str:
    """`Content-Disposition` of a download: an attachment named after the title with the extension of the
    stored type, in Vietnamese (RFC 5987 `filename*`) and as plain ASCII for old browsers
    ("Tờ khai đăng ký.pdf" and "to-khai-dang-ky.pdf"); no character a file system or the header refuses."""
    name = with_type_extension(_UNSAFE.sub(" ", form.title).strip() or "to-khai", form.content_type)
    plain = _NOT_ASCII_NAME.sub("-", fold(name)).strip("-.") or "to-khai"
    plain = with_type_extension(plain, form.content_type)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def _title(text: str) -> str:
    title = clean(text)
    if not title:
        raise Invalid("title", _l("Enter the form's title."))
    if len(title) > MAX_TITLE:
        raise Invalid("title", _l("The title is at most 200 characters long."))
    return title


def add_blank_form(procedure: Procedure, actor: Actor, title: str, file_name: str, raw: bytes) -> BlankForm:
    if not can_edit_procedure(actor, procedure):
        raise Forbidden
    cleaned = _title(title)
    if len(procedure.blank_forms) >= MAX_FORMS:
        raise Invalid("file", _l("A procedure has at most 10 blank forms."))
    try:
        checked = check_form_file(raw)
    except FormFileRejected as rejected:
        raise Invalid("file", REASONS[rejected.reason]) from None
    form = BlankForm(
        position=len(procedure.blank_forms) + 1,
        title=cleaned,
        original_name=clean(file_name)[:MAX_TITLE] or "form",
        content_type=checked.content_type,
        size_bytes=len(checked.data),
        stored_name=storage.store(checked.data, checked.suffix),
        uploaded_by_id=actor.id,
    )
    procedure.blank_forms.append(form)
    db.session.flush()
    record(
        "procedure",
        procedure.id,
        "blank_form_added",
        actor_id=actor.id,
        note=f"#{form.id} {form.title} ({form.original_name}, {form.size_bytes} B)",
    )
    return form


def rename_blank_form(form: BlankForm, actor: Actor, title: str) -> bool:
    if not can_edit_procedure(actor, form.procedure):
        raise Forbidden
    cleaned = _title(title)
    if cleaned == form.title:
        return False
    before, form.title = form.title, cleaned
    record(
        "procedure",
        form.procedure_id,
        "blank_form_renamed",
        actor_id=actor.id,
        note=f"#{form.id} {before} → {cleaned}",
    )
    return True


def move_blank_form(form: BlankForm, actor: Actor, step: int) -> bool:
    """Up (-1) or down (+1) one place; False at the top or the bottom."""
    if not can_edit_procedure(actor, form.procedure):
        raise Forbidden
    forms = list(form.procedure.blank_forms)
    index = forms.index(form)
    other = index + step
    if step not in (-1, 1) or not 0 <= other < len(forms):
        return False
    forms[index], forms[other] = forms[other], forms[index]
    for position, row in enumerate(forms, start=1):
        row.position = position
    record(
        "procedure",
        form.procedure_id,
        "blank_form_moved",
        actor_id=actor.id,
        note=f"#{form.id} {form.title}: {index + 1} → {other + 1}",
    )
    return True


def remove_blank_form(form: BlankForm, actor: Actor) -> None:
    procedure = form.procedure
    if not can_edit_procedure(actor, procedure):
        raise Forbidden
    record(
        "procedure",
        procedure.id,
        "blank_form_removed",
        actor_id=actor.id,
        note=f"#{form.id} {form.title} ({form.original_name})",
    )
    db.session.info.setdefault(FILES_TO_REMOVE, []).append(form.stored_name)
    procedure.blank_forms.remove(form)
    for position, row in enumerate(procedure.blank_forms, start=1):
        row.position = position
    db.session.flush()


def _remove_files(session: Session) -> None:
    for name in session.info.pop(FILES_TO_REMOVE, []):
        try:
            storage.backend().delete(name)
        except (
            StorageUnavailable
        ) as failure:  # check-files lists it as an orphan; --delete-orphans removes it
            current_app.logger.error("removed blank form's file %s not deleted: %s", name, failure)


def _forget_files(session: Session) -> None:
    session.info.pop(FILES_TO_REMOVE, None)


def install_listeners() -> None:
    """Once per process: a committed removal deletes the file, a rolled-back one keeps it."""
    if not event.contains(Session, "after_commit", _remove_files):
        event.listen(Session, "after_commit", _remove_files)
    if not event.contains(Session, "after_rollback", _forget_files):
        event.listen(Session, "after_rollback", _forget_files)
