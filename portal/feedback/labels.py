"""Translatable labels for feedback statuses, actions and reasons (the domain stays pure)."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from portal.domain.feedback_status import FeedbackAction as A
from portal.domain.feedback_status import FeedbackStatus as S
from portal.events.registry import Registry, Subject
from portal.uploads.serving import DOWNLOAD_ACTION, download_note

from .admin_forms import FIX_CHECK_CHOICES, SUBJECTS
from .models import Feedback, FeedbackCategory, ResponseTemplate

STATUS = {
    S.NEW: _l("Waiting to be received"),
    S.ACCEPTED: _l("Being handled"),
    S.INFO_REQUESTED: _l("Waiting for more information from you"),
    S.ANSWERED: _l("Answered"),
    S.REFUSED: _l("Not accepted"),
    S.CLOSED: _l("Closed"),
}
# Staff see the same states in their own words.
STAFF_STATUS = {**STATUS, S.INFO_REQUESTED: _l("Waiting for the citizen")}
ACTION = {
    A.ACCEPT: _l("Accept"),
    A.REFUSE: _l("Refuse"),
    A.MARK_DUPLICATE: _l("Mark as duplicate"),
    A.REQUEST_INFO: _l("Request information"),
    A.SUPPLY_INFO: _l("Information supplied"),
    A.FORWARD: _l("Forward to another agency"),
    A.ASSIGN: _l("Assign"),
    A.ANSWER: _l("Answer publicly"),
    A.NOTE: _l("Add internal note"),
    A.CLOSE: _l("Close"),
    A.REOPEN: _l("Reopen"),
    A.RATE_SATISFIED: _l("Rated: satisfied"),
    A.RATE_UNSATISFIED: _l("Rated: not satisfied, reopened"),
    A.RATE_UNSATISFIED_FINAL: _l("Rated: not satisfied"),
    A.FIX_CONFIRMED: _l("Confirmed fixed"),
    A.FIX_DENIED: _l("Not fixed, reopened"),
    A.FIX_DENIED_FINAL: _l("Not fixed"),
    A.FIX_UNANSWERED: _l("No reply: counted as fixed"),
    A.FIX_UNANSWERED_REOPEN: _l("No reply: reopened"),
    A.FIX_UNANSWERED_FINAL: _l("No reply"),
}
# Timeline lines the citizen reads.
EVENT = {
    "submitted": _l("Feedback sent"),
    A.ACCEPT.value: _l("Received by the agency"),
    A.REFUSE.value: _l("Not accepted for handling"),
    A.MARK_DUPLICATE.value: _l("Already reported: handled together with another report"),
    A.REQUEST_INFO.value: _l("The agency asked for more information"),
    A.SUPPLY_INFO.value: _l("More information sent"),
    A.FORWARD.value: _l("Forwarded to the responsible agency"),
    A.ASSIGN.value: _l("Assigned to an officer"),
    A.ANSWER.value: _l("Official answer published"),
    A.NOTE.value: _l("Internal note"),
    A.CLOSE.value: _l("Closed"),
    A.REOPEN.value: _l("Reopened"),
    A.RATE_SATISFIED.value: _l("The citizen was satisfied with the answer"),
    A.RATE_UNSATISFIED.value: _l("The citizen was not satisfied; the report was reopened"),
    A.RATE_UNSATISFIED_FINAL.value: _l("The citizen was not satisfied with the answer"),
    # The "is it fixed?" question (portal/feedback/closure.py).
    "fixed": _l("The agency says the problem is fixed"),
    A.FIX_CONFIRMED.value: _l("The citizen confirmed the problem is fixed"),
    A.FIX_DENIED.value: _l("The citizen says the problem is not fixed; the report was reopened"),
    A.FIX_DENIED_FINAL.value: _l("The citizen says the problem is still not fixed"),
    A.FIX_UNANSWERED.value: _l('No reply to "Is it fixed?": counted as fixed'),
    A.FIX_UNANSWERED_REOPEN.value: _l("No confirmation that the problem is fixed; the report was reopened"),
    A.FIX_UNANSWERED_FINAL.value: _l("No confirmation that the problem is fixed"),
    "redacted": _l("Personal details hidden from the public by the agency"),
    # Personal-data requests of the citizen (portal/privacy).
    "contact_corrected": _l("Contact details corrected by the citizen"),
    "consent_given": _l("The citizen agreed to show their name publicly"),
    "consent_withdrawn": _l("The citizen withdrew a consent"),
    "withdrawn": _l("Withdrawn by the citizen"),
    "anonymised": _l("Personal data erased at the citizen's request"),
    "data_exported": _l("The citizen exported their data"),
    # Audit only (never on a timeline, see portal.events.timeline.AUDIT_ONLY).
    "viewed": _l("Opened by staff"),
    "file_downloaded": _l("Photo downloaded"),
}
REFUSAL_REASONS = {
    "spam": _l("Spam or abusive content"),
    "duplicate": _l("Duplicate of another report"),
    "out_of_scope": _l("Not within the province's authority"),
    "insufficient": _l("Not enough information to handle"),
}

# The first paragraph of the e-mail the citizen receives after each action.
EMAIL_MESSAGE = {
    A.ACCEPT: _l("Your report was received and is being handled."),
    A.REFUSE: _l("Your report was not accepted for handling."),
    A.MARK_DUPLICATE: _l("The same problem was already reported; your report is handled together with it."),
    A.REQUEST_INFO: _l("The agency needs more information from you:"),
    A.FORWARD: _l("Your report was forwarded to the agency responsible for it."),
    A.ANSWER: _l("The agency has answered your report:"),
    A.CLOSE: _l("Your report was closed."),
    A.REOPEN: _l("Your report was reopened and is being handled again."),
}


CATEGORY_EVENT = {"category_updated": _l("Category changed")}

TEMPLATE_EVENT = {
    "template_created": _l("Template created"),
    "template_updated": _l("Template changed"),
    "template_activated": _l("Template made active"),
    "template_deactivated": _l("Template made inactive"),
}
FIELDS = {
    "response_days": _l("Days to answer"),
    "is_urgent": _l("Urgent"),
    "subject": _l("Subject"),
    "default_agency_id": _l("Receiving agency"),
    "after_photo_required": _l("After photo required when answering as fixed"),
    "fix_check": _l('"Is it fixed?" question'),
    "fix_check_days": _l("Working days to reply"),
    "title": _l("Title"),
    "body": _l("Text"),
}


def _staff_page(code: str) -> str:
    return url_for("feedback_staff.item", code=code)


def register_events(events: Registry) -> None:
    """Feedback items, categories (owned by the agency receiving them by default) and response templates
    as subjects of the audit log."""
    events.subject(
        Subject(
            "feedback",
            _l("Feedback"),
            Feedback,
            Feedback.code,
            Feedback.agency_id,
            stored=str.upper,
            link=_staff_page,
            statuses={status.value: label for status, label in STAFF_STATUS.items()},
        ),
        EVENT,
    )
    events.note_reader("feedback", DOWNLOAD_ACTION, download_note({}))
    events.subject(
        Subject(
            "feedback_category",
            _l("Feedback category"),
            FeedbackCategory,
            FeedbackCategory.name,
            FeedbackCategory.default_agency_id,
        ),
        CATEGORY_EVENT,
    )
    events.subject(
        Subject(
            "response_template",
            _l("Response template"),
            ResponseTemplate,
            ResponseTemplate.title,
            ResponseTemplate.agency_id,
        ),
        TEMPLATE_EVENT,
    )
    events.field_labels(FIELDS, {"subject": SUBJECTS, "fix_check": FIX_CHECK_CHOICES})
