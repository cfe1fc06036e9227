"""Staff redaction of what the public sees of a report (issue 18 item 3): its title and description, and
which photos are shown. Automatic masking (portal/domain/pii.py) already hides phone numbers, e-mail
addresses, CCCD numbers and licence plates; this is for what no pattern finds (a name, a house, a face).

The citizen's original text and photos are kept: the agency's staff page and the citizen's own status page
show them; every public view (feed, item page, Open311) shows the redacted ones. Each redaction is
recorded in the audit log (not public), with what changed.
"""

from __future__ import annotations

from portal.accounts.models import Account
from portal.domain.text import clean, clean_lines
from portal.events.operations import record
from portal.extensions import db

from .models import Feedback
from .operations import search_keys
from .public_text import public_description, public_title

ACTION = "redacted"


def redact(item: Feedback, actor: Account, title: str, description: str, hidden: set[int]) -> bool:
    """Set the public text and the hidden photos; returns whether anything changed (then recorded)."""
    title, description = clean(title), clean_lines(description)
    changed = []
    if title != public_title(item):
        item.public_title = None if title == item.title else title
        changed.append("title")
    if description != public_description(item):
        item.public_description = None if description == item.description else description
        changed.append("description")
    for photo in item.photos:
        if photo.is_redacted != (photo.id in hidden):
            photo.is_redacted = photo.id in hidden
            changed.append(f"photo {photo.position} {'hidden' if photo.is_redacted else 'shown'}")
    if not changed:
        return False
    item.public_search_key, item.search_key = search_keys(item)
    record("feedback", item.id, ACTION, actor_id=actor.id, note=", ".join(changed), public=False)
    db.session.flush()
    return True
