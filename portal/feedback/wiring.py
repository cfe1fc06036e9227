"""What the feedback feature plugs into the lower layers it uses, at app start (create_app calls init_app).

- tracking: /track opens a feedback item by its code (PA-...) and the phone's last four digits;
- uploads: `flask check-files` reconciles the photos and thumbnails with the upload store;
- tracking: the status page's kept part (page_cache) and what changes the item's page version: its row,
  photos, pauses, fixes (after photos, "is it fixed?") and public timeline events (versions).
- fragments: the public pages' reference lists (categories, communes, the catalogue's filters) are
  dropped when a transaction changes their tables (portal/fragments.py; once per process).

Registered explicitly rather than by importing a module, so feedback depends on tracking and uploads and
never the other way round.
"""

from __future__ import annotations

from flask import Flask

from portal import fragments
from portal.domain import pii
from portal.domain.codes import looks_like_feedback_code
from portal.domain.pin import public_position
from portal.events.models import Event
from portal.tracking import lookup, page_cache, versions
from portal.uploads import drafts, reconcile

from . import icons, numbering, public_text, queries
from .models import Feedback, FeedbackFix, FeedbackPause, FeedbackPhoto


def _find(code: str) -> Feedback | None:
    return queries.by_code(code)


def _public_pin(item: Feedback) -> tuple[float, float] | None:
    """The position a public page shows: ~1 km without the reporter's precise-pin consent."""
    return public_position(item.latitude, item.longitude, item.precise_pin)


def init_app(app: Flask) -> None:
    # Public views show a report's text through these (portal/domain/pii.py; staff redaction).
    app.add_template_filter(pii.as_published, "as_published")
    app.add_template_filter(public_text.public_title, "public_title")
    app.add_template_filter(public_text.public_description, "public_description")
    app.add_template_filter(public_text.public_answer, "public_answer")
    app.add_template_filter(_public_pin, "public_pin")
    reconcile.register_source(app, drafts.stored_files)
    lookup.register(
        app, lookup.Kind("feedback", claims=looks_like_feedback_code, find=_find, endpoint="feedback.status")
    )
    reconcile.register_source(app, queries.stored_files)
    page_cache.init_app(app)
    numbering.install_listeners()  # a report written directly is forgotten by a rollback (numbering.py)
    icons.init_app(app)  # category_icon() for the report form's category picker
    versions.track_item(Feedback)
    versions.track_child(FeedbackPhoto, Feedback, versions.parent("feedback", "feedback_id"))
    versions.track_child(FeedbackPause, Feedback, versions.parent("feedback", "feedback_id"))
    versions.track_child(FeedbackFix, Feedback, versions.parent("feedback", "feedback_id"))
    versions.track_child(Event, Feedback, _public_event_of)
    versions.install()
    fragments.install()


def _public_event_of(event: Event) -> int | None:
    """A timeline line the citizen sees (the status page shows public events only)."""
    return event.subject_id if event.subject_type == "feedback" and event.is_public else None
