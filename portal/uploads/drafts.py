"""Upload drafts: files already uploaded with a form that came back with an error (a photo of a report, a
document of a dossier), kept so the citizen never uploads them twice on a slow link (issue 18 item 2).

- A draft belongs to one served form: its key is `form_nonce.stored("<form>-draft", nonce)`, so the
  database never holds a nonce that could be posted again, and a draft is only ever read or changed for a
  nonce this browser's session was given (`form_nonce.issued_here`, checked by portal.uploads.draft_posts
  and the callers): another person's drafts are unreachable even with their nonce.
- The files are checked, re-encoded and stored like any other upload (portal.uploads.images, documents and
  storage: encrypted at rest). Submitting moves them to the created item (same stored files); removing one
  deletes its row and files after the commit.
- `field` says which part of the form a draft answers (a dossier's required document: the input it was
  posted under); a photo has a thumbnail and a size in pixels, a document neither.
- Drafts are short-lived: the retention job (`flask retention`, rule `photo_drafts_days`, named before
  documents had drafts too) deletes those older than a day, with their files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from portal import form_nonce
from portal.db_types import UTCDateTime, utcnow
from portal.extensions import Model, db

from . import storage
from .backends import StorageUnavailable
from .documents import CheckedDocument
from .images import ProcessedImage
from .reconcile import StoredRow

MAX_AGE = timedelta(hours=24)
FILENAME_LENGTH = 200


class UploadDraft(Model):
    """One file uploaded with a form not yet sent."""

    # Named when only a report's photos had drafts (a table with data keeps its name: the migrations' tests).
    __tablename__ = "photo_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_key: Mapped[str] = mapped_column(String(64), index=True)
    position: Mapped[int] = mapped_column()
    # The form's input it was posted under ("photos", a dossier's "doc-12"): the part of the form it answers.
    field: Mapped[str] = mapped_column(String(40), default="")
    stored_name: Mapped[str] = mapped_column(String(80))
    mimetype: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column()  # bytes as stored (checked, re-encoded), before encryption
    filename: Mapped[str] = mapped_column(String(FILENAME_LENGTH), default="")  # what the citizen chose
    # Photos only: the thumbnail and the size in pixels.
    thumbnail_name: Mapped[str | None] = mapped_column(String(80), default=None)
    width: Mapped[int | None] = mapped_column(default=None)
    height: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Only so that a draft's account is known if ever needed; drafts of anonymous citizens have none.
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), default=None, index=True
    )

    def names(self) -> list[str]:
        """Its stored files: the file, and a photo's thumbnail."""
        return [self.stored_name, *([self.thumbnail_name] if self.thumbnail_name else [])]


@dataclass(frozen=True)
class Checked:
    """A posted file that passed its checks, ready to store: the re-encoded bytes, their type and suffix, and
    for a photo its thumbnail and size in pixels."""

    data: bytes
    mimetype: str
    suffix: str
    thumbnail: bytes | None = None
    width: int | None = None
    height: int | None = None

    @classmethod
    def photo(cls, image: ProcessedImage) -> Checked:
        return cls(image.data, "image/jpeg", ".jpg", image.thumbnail, image.width, image.height)

    @classmethod
    def document(cls, document: CheckedDocument) -> Checked:
        return cls(document.data, document.mimetype, document.suffix)


@dataclass(frozen=True)
class DraftFile:
    """A kept file, ready to become an item's file (its files are already stored)."""

    stored_name: str
    mimetype: str
    size: int
    filename: str
    field: str
    thumbnail_name: str | None
    width: int | None
    height: int | None


def key(form: str, nonce: str) -> str:
    return form_nonce.stored(f"{form}-draft", nonce)


def listed(form: str, nonce: str) -> list[UploadDraft]:
    return list(
        db.session.scalars(
            select(UploadDraft).where(UploadDraft.form_key == key(form, nonce)).order_by(UploadDraft.position)
        )
    )


def keep(
    form: str, nonce: str, checked: Checked, filename: str, account_id: int | None, field: str = ""
) -> UploadDraft:
    """Store a checked file as a draft of this form (flushes; the caller commits)."""
    present = listed(form, nonce)
    same = same_as(present, checked, field)
    if same is not None:  # the same file chosen again after an error: kept once
        return same
    draft = UploadDraft(
        form_key=key(form, nonce),
        position=max((d.position for d in present), default=0) + 1,
        field=field[:40],
        stored_name=storage.store(checked.data, checked.suffix),
        mimetype=checked.mimetype,
        size=len(checked.data),
        filename=filename[:FILENAME_LENGTH],
        thumbnail_name=storage.store(checked.thumbnail, ".jpg") if checked.thumbnail is not None else None,
        width=checked.width,
        height=checked.height,
        account_id=account_id,
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def same_as(present: list[UploadDraft], checked: Checked, field: str) -> UploadDraft | None:
    """The draft among `present` that holds the same file for the same input, if any."""
    content = _content(storage.name_for(checked.data))
    return next((d for d in present if d.field == field and _content(d.stored_name) == content), None)


def remove(form: str, nonce: str, draft_id: int) -> list[str]:
    """Delete one draft of this form (nothing if the id is another form's); returns the file names to
    delete once committed."""
    draft = db.session.scalar(
        select(UploadDraft).where(UploadDraft.id == draft_id, UploadDraft.form_key == key(form, nonce))
    )
    if draft is None:
        return []
    db.session.delete(draft)
    db.session.flush()
    return draft.names()


def _content(name: str) -> str:
    return name.split("-", 1)[0]  # stored names start with the content's hash (storage.store)


def take(form: str, nonce: str) -> tuple[list[DraftFile], list[str]]:
    """The form's drafts as files for the item being created, and the file names of duplicates to delete
    once committed (a double tap keeps the same file twice); all their rows go, in the same transaction
    as the item (a bulk DELETE: a concurrent post of the same form may have taken them first, and then
    its item, not this one, is the one that commits)."""
    drafts = listed(form, nonce)
    files: list[DraftFile] = []
    seen: set[tuple[str, str]] = set()
    duplicates: list[str] = []
    for d in drafts:
        if (d.field, _content(d.stored_name)) in seen:
            duplicates += d.names()
            continue
        seen.add((d.field, _content(d.stored_name)))
        files.append(
            DraftFile(
                d.stored_name, d.mimetype, d.size, d.filename, d.field, d.thumbnail_name, d.width, d.height
            )
        )
    if drafts:
        db.session.execute(delete(UploadDraft).where(UploadDraft.id.in_([d.id for d in drafts])))
    return files, duplicates


def delete_files(names: list[str]) -> None:
    """After the commit: the files of removed drafts (one that fails is an orphan check-files lists)."""
    for name in names:
        try:
            storage.backend().delete(name)
        except StorageUnavailable:
            pass


def expired_before(cutoff: datetime) -> list[UploadDraft]:
    return list(db.session.scalars(select(UploadDraft).where(UploadDraft.created_at < cutoff)))


def purge(drafts: list[UploadDraft]) -> list[str]:
    """Delete these drafts' rows (flushes); returns their file names to delete once committed."""
    names = [name for d in drafts for name in d.names()]
    if drafts:
        db.session.execute(delete(UploadDraft).where(UploadDraft.id.in_([d.id for d in drafts])))
    return names


def stored_files():
    """The drafts' files (registered with `flask check-files`: not orphans while their draft lives)."""
    for row in db.session.execute(
        select(UploadDraft.id, UploadDraft.stored_name, UploadDraft.thumbnail_name)
    ):
        for name in (row.stored_name, row.thumbnail_name):
            if name:
                yield StoredRow("photo_drafts", row.id, "draft", name)
