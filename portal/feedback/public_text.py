"""What the public sees of a report's text and of staff's text about it (every public page, the feed, the
Open311 API): personal details masked (portal/domain/pii.py), staff's redacted text where they gave one."""

from __future__ import annotations

from portal.domain import pii

from .models import Feedback


def public_title(item: Feedback) -> str:
    """The title as every public view shows it: staff's redacted text, or the citizen's with personal
    details masked (portal/domain/pii.py)."""
    return pii.as_published(item.title, item.public_title)


def public_description(item: Feedback) -> str:
    return pii.as_published(item.description, item.public_description)


def public_answer(item: Feedback) -> str:
    """The agency's answer as every public view shows it (`public_text`)."""
    return public_text(item, item.answer or "")


def public_text(item: Feedback, text: str) -> str:
    """Staff's text about `item` (its answer, the answer's timeline line) as the public sees it: personal details
    masked as in the report's text, and the sender's full name too unless they chose to show it (an officer's
    reply often thanks them by name and quotes their phone)."""
    shown = pii.mask(text)
    return shown if item.show_name else pii.mask_name(shown, item.contact_name)
