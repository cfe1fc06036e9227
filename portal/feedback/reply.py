"""The citizen's reply to a request for information, with photos (issue 18 item 5). Flush, never commit.

The photos are checked, re-encoded (EXIF dropped) and stored encrypted like the report's (they are first
kept as drafts of the reply form: portal/feedback/report_photos.py, portal/uploads/drafts.py, so a form
error never loses them). They become photos of the item, linked to the reply's timeline line
(FeedbackPhoto.reply_event_id): the same serving rules (public once the report is published, unless staff
hid them with the "redact" action), erasure, export and file checks as the report's own photos.
"""

from __future__ import annotations

from collections.abc import Sequence

from portal.events.models import Event
from portal.extensions import db
from portal.uploads.drafts import DraftFile

from . import operations
from .models import Feedback, FeedbackPhoto
from .operations import MAX_PHOTOS

FORM = "feedback-reply"  # the reply form's name in its drafts' key (portal/uploads/drafts.py)


def send(item: Feedback, text: str, photos: Sequence[DraftFile]) -> Event:
    """Answer the request (operations.supply_info: the clock runs again) with these stored photos."""
    if len(photos) > MAX_PHOTOS:
        raise operations.FeedbackError("too_many_photos")
    event = operations.supply_info(item, text)
    first = max((photo.position for photo in item.photos), default=0) + 1
    for position, kept in enumerate(photos, first):
        item.photos.append(
            FeedbackPhoto(
                position=position,
                stored_name=kept.stored_name,
                thumbnail_name=kept.thumbnail_name,
                width=kept.width,
                height=kept.height,
                reply_event_id=event.id,
            )
        )
    db.session.flush()
    return event
