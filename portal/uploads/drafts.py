"""Photo drafts: photos already uploaded with a form that came back with an error, kept so the citizen never
uploads them twice (issue 18 item 2).

- A draft belongs to one served form: its key is `form_nonce.stored("<form>-draft", nonce)`, so the
  database never holds a nonce that could be posted again, and a draft is only ever read or changed for a
  nonce this browser's session was given (`form_nonce.issued_here`, checked by the caller): another
  person's drafts are unreachable even with their nonce.
- The photos are checked, re-encoded and stored like any other upload (portal.uploads.images and
  storage: encrypted at rest). Submitting moves them to the created item's photos (same stored files);
  removing one deletes its row and files after the commit.
- Drafts are short-lived: the retention job (`flask retention`, rule `photo_drafts_hours`) deletes those
  older than a day, with their files.
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
from .images import ProcessedImage
from .reconcile import StoredRow

MAX_AGE = timedelta(hours=24)


class PhotoDraft(Model):
    """One photo uploaded with a form not yet sent."""

    __tablename__ = "photo_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_key: Mapped[str] = mapped_column(String(64), index=True)
    position: Mapped[int] = mapped_column()
    stored_name: Mapped[str] = mapped_column(String(80))
    thumbnail_name: Mapped[str] = mapped_column(String(80))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    filename: Mapped[str] = mapped_column(String(120), default="")  # what the citizen chose, for the list
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Only so that a draft's account is known if ever needed; drafts of anonymous citizens have none.
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), default=None, index=True
    )


@dataclass(frozen=True)
class DraftFile:
    """A kept photo, ready to become an item's photo (its files are already stored)."""

    stored_name: str
    thumbnail_name: str
    width: int
    height: int


def key(form: str, nonce: str) -> str:
    return form_nonce.stored(f"{form}-draft", nonce)


def listed(form: str, nonce: str) -> list[PhotoDraft]:
    return list(
        db.session.scalars(
            select(PhotoDraft).where(PhotoDraft.form_key == key(form, nonce)).order_by(PhotoDraft.position)
        )
    )


def keep(form: str, nonce: str, image: ProcessedImage, filename: str, account_id: int | None) -> PhotoDraft:
    """Store a checked photo as a draft of this form (flushes; the caller commits)."""
    present = listed(form, nonce)
    same = next(
        (d for d in present if _content(d.stored_name) == _content(storage.name_for(image.data))), None
    )
    if same is not None:  # the same photo chosen again after an error: kept once
        return same
    draft = PhotoDraft(
        form_key=key(form, nonce),
        position=max((d.position for d in present), default=0) + 1,
        stored_name=storage.store(image.data, ".jpg"),
        thumbnail_name=storage.store(image.thumbnail, ".jpg"),
        width=image.width,
        height=image.height,
        filename=filename[:120],
        account_id=account_id,
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def remove(form: str, nonce: str, draft_id: int) -> list[str]:
    """Delete one draft of this form (nothing if the id is another form's); returns the file names to
    delete once committed."""
    draft = db.session.scalar(
        select(PhotoDraft).where(PhotoDraft.id == draft_id, PhotoDraft.form_key == key(form, nonce))
    )
    if draft is None:
        return []
    db.session.delete(draft)
    db.session.flush()
    return [draft.stored_name, draft.thumbnail_name]


def _content(name: str) -> str:
    return name.split("-", 1)[0]  # stored names start with the content's hash (storage.store)


def take(form: str, nonce: str) -> tuple[list[DraftFile], list[str]]:
    """The form's drafts as files for the item being created, and the file names of duplicates to delete
    once committed (a double tap keeps the same photo twice); all their rows go, in the same transaction
    as the item (a bulk DELETE: a concurrent post of the same form may have taken them first, and then
    its item, not this one, is the one that commits)."""
    drafts = listed(form, nonce)
    files: list[DraftFile] = []
    seen: set[str] = set()
    duplicates: list[str] = []
    for d in drafts:
        if _content(d.stored_name) in seen:
            duplicates += [d.stored_name, d.thumbnail_name]
            continue
        seen.add(_content(d.stored_name))
        files.append(DraftFile(d.stored_name, d.thumbnail_name, d.width, d.height))
    if drafts:
        db.session.execute(delete(PhotoDraft).where(PhotoDraft.id.in_([d.id for d in drafts])))
    return files, duplicates


def delete_files(names: list[str]) -> None:
    """After the commit: the files of removed drafts (one that fails is an orphan check-files lists)."""
    for name in names:
        try:
            storage.backend().delete(name)
        except StorageUnavailable:
            pass


def expired_before(cutoff: datetime) -> list[PhotoDraft]:
    return list(db.session.scalars(select(PhotoDraft).where(PhotoDraft.created_at < cutoff)))


def purge(drafts: list[PhotoDraft]) -> list[str]:
    """Delete these drafts' rows (flushes); returns their file names to delete once committed."""
    names = [name for d in drafts for name in (d.stored_name, d.thumbnail_name)]
    if drafts:
        db.session.execute(delete(PhotoDraft).where(PhotoDraft.id.in_([d.id for d in drafts])))
    return names


def stored_files():
    """The drafts' files (registered with `flask check-files`: not orphans while their draft lives)."""
    for row in db.session.execute(select(PhotoDraft.id, PhotoDraft.stored_name, PhotoDraft.thumbnail_name)):
        yield StoredRow("photo_drafts", row.id, "draft", row.stored_name)
        yield StoredRow("photo_drafts", row.id, "draft", row.thumbnail_name)
