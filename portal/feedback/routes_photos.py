"""/feedback/photos/<name>: a report's photos, public once the report is published (and the photo not
redacted), otherwise only for its citizen and the agency's staff, audited (a view of the feedback
blueprint, split from routes.py)."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from portal.extensions import db
from portal.uploads import serving

from . import policy
from .models import FeedbackPhoto
from .routes import bp


@bp.get("/photos/<name>")
def photo(name: str):
    """Photos of published items are public; others only for their citizen and the agency's staff."""
    record = db.session.scalar(
        select(FeedbackPhoto).where(
            (FeedbackPhoto.stored_name == name) | (FeedbackPhoto.thumbnail_name == name)
        )
    )
    if record is None:
        abort(404)
    item = record.feedback
    if not policy.can_see_photo_file(item, record.is_redacted):
        abort(404)
    handle = serving.open_stored(name)
    if handle is None:
        return serving.missing_file_page()
    label = f"{item.code}-{record.position}{'-thumb' if name == record.thumbnail_name else ''}.jpg"
    public = item.is_published and not record.is_redacted
    if not public:  # a published item's photos are public, like its answer: not audited
        serving.audit_download("feedback", item.id, label)
        db.session.commit()
    return serving.attachment(handle, name, "image/jpeg", label, public=public)
