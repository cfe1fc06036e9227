"""Keep the queue's sort key in step with each item, on every flush.

`queue_due` is the due date of an open item (a far-future date while it is paused) and NULL once the
item has left the queue; a feedback item's `queue_rank` (0 urgent, 1 not) is likewise NULL once it has
left. Stored, not computed in the query, so one plain index serves both the order and the "open" filter,
and page 500 costs what page 1 costs.

The listener (and queue_cache's, which drops an agency's cached counts when its queue changes) is installed
by `init_app`, which create_app calls: importing this module registers nothing.
"""

from datetime import date

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.domain import dossier_status, feedback_status
from portal.domain.timeliness import FAR_FUTURE
from portal.dossiers.models import Dossier
from portal.feedback.models import Feedback, FeedbackCategory, queue_rank

from . import queue_cache, queue_rows

FEEDBACK_OPEN = feedback_status.OPEN
DOSSIER_OPEN = dossier_status.OPEN


def queue_due(item) -> date | None:
    if isinstance(item, Feedback):
        return (item.due_on or FAR_FUTURE) if item.status in FEEDBACK_OPEN else None
    return (item.appointment_on or FAR_FUTURE) if item.status in DOSSIER_OPEN else None


def _refresh_queue_keys(session, flush_context, instances) -> None:
    for item in (*session.new, *session.dirty):
        if isinstance(item, Feedback | Dossier):
            key = queue_due(item)
            if item.queue_due != key:
                item.queue_due = key
            if isinstance(item, Feedback):
                _refresh_rank(session, item, key)


def _refresh_rank(session, item: Feedback, key: date | None) -> None:
    """An open item's rank (urgent first), NULL once it leaves the queue; read from its category only when
    it enters the queue (submitted with none, or reopened)."""
    if key is None:
        if item.queue_rank is not None:
            item.queue_rank = None
    elif item.queue_rank is None:
        # An item made with only category_id set has no category object before its first flush.
        with session.no_autoflush:
            category = item.category or session.get(FeedbackCategory, item.category_id)
        item.queue_rank = queue_rank(bool(category and category.is_urgent))


def init_app(app: Flask) -> None:
    """Keep the sort key current on every flush (once per process: the listener is on the Session class)."""
    if not event.contains(Session, "before_flush", _refresh_queue_keys):
        event.listen(Session, "before_flush", _refresh_queue_keys)
    queue_cache.install()  # after the listener above: it sees the key just set
    queue_rows.init_app(app)  # the officer's session stamped after a change to an item
