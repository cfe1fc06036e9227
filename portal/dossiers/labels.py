"""Translatable labels for dossier statuses, actions and upload errors."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from portal.domain.dossier_status import DossierAction as A
from portal.domain.dossier_status import DossierStatus as S
from portal.events.registry import Registry, Subject
from portal.payments.labels import FEES_PAID
from portal.uploads.serving import DOWNLOAD_ACTION, download_note

from .models import Dossier, DossierTemplate

# Citizen-facing names (VIETNAM.md §4, suggested labels).
STATUS = {
    S.SUBMITTED: _l("Waiting to be received"),
    S.RECEIVED: _l("Received"),
    S.REFUSED: _l("Refused"),
    S.PROCESSING: _l("Being processed"),
    S.SUPPLEMENT_REQUESTED: _l("Waiting for more documents"),
    S.FEE_REQUESTED: _l("Waiting for payment of fees"),
    S.WITHDRAWN: _l("Withdrawn"),
    S.STOPPED: _l("Processing stopped"),
    S.DONE: _l("Result ready"),
    S.RETURNED: _l("Result returned"),
}


def received_forms() -> dict[str, str]:
    """How a document was handed in (form 01, item 1), in the request's language. "Copy" of a document,
    not the copy button's "Copy" (another word in Vietnamese): hence the context."""
    return {
        "original": _("Original"),
        "copy": pgettext("document", "Copy"),
        "electronic": _("Electronic"),
    }


# What a dossier response template is for, and the action whose text it fills in.
TEMPLATE_PURPOSE = {
    "supplement": _l("Request for documents (form 02)"),
    "refusal": _l("Refusal (form 03)"),
    "result": _l("Result note"),
}
TEMPLATE_ACTIONS = {
    "request_supplement": "supplement",
    "refuse": "refusal",
    "approve": "result",
    "finish": "result",
}
TEMPLATE_EVENT = {
    "template_created": _l("Template created"),
    "template_updated": _l("Template changed"),
    "template_activated": _l("Template made active"),
    "template_deactivated": _l("Template made inactive"),
}
ACTION = {
    A.RECEIVE: _l("Receive"),
    A.REFUSE: _l("Refuse (form 03)"),
    A.START: _l("Start processing"),
    A.ASSIGN: _l("Assign"),
    A.REQUEST_SUPPLEMENT: _l("Request documents (form 02)"),
    A.SUPPLEMENT: _l("Documents completed"),
    A.REQUEST_FEE: _l("Request fees"),
    A.CONFIRM_FEE: _l("Confirm fees paid"),
    A.PROPOSE_RESULT: _l("Propose result for approval"),
    A.APPROVE: _l("Approve: result ready"),
    A.FINISH: _l("Result ready"),
    A.STOP: _l("Stop processing"),
    A.RETURN_RESULT: _l("Return result"),
    A.WITHDRAW: _l("Withdraw at the citizen's request"),
    A.APOLOGISE: _l("Apology and new date (form 04)"),
    A.NOTE: _l("Add internal note"),
}
EVENT = {
    "submitted": _l("Dossier submitted online"),
    A.RECEIVE.value: _l("Dossier received by the one-stop desk"),
    A.REFUSE.value: _l("Dossier refused"),
    A.START.value: _l("Processing started"),
    A.ASSIGN.value: _l("Assigned to an officer"),
    A.REQUEST_SUPPLEMENT.value: _l("More documents requested"),
    A.SUPPLEMENT.value: _l("Documents supplemented"),
    A.REQUEST_FEE.value: _l("Fees requested"),
    A.CONFIRM_FEE.value: FEES_PAID,  # the payment's one line, in the payments feature's one wording
    A.PROPOSE_RESULT.value: _l("Result proposed for approval"),
    A.APPROVE.value: _l("Result approved and ready"),
    A.FINISH.value: _l("Result ready"),
    A.STOP.value: _l("Processing stopped"),
    A.RETURN_RESULT.value: _l("Result handed over"),
    A.WITHDRAW.value: _l("Dossier withdrawn"),
    A.APOLOGISE.value: _l("Apology letter issued with a new appointment date"),
    A.NOTE.value: _l("Internal note"),
    # Personal-data requests of the citizen (portal/privacy).
    "contact_corrected": _l("Contact details corrected by the citizen"),
    "restricted": _l("Restricted at the citizen's request: kept only for the archive duty"),
    "restricted_viewed": _l("Restricted dossier opened by an authorised officer"),
    "anonymised": _l("Personal data erased at the citizen's request"),
    "consent_withdrawn": _l("The citizen withdrew a consent"),
    "data_exported": _l("The citizen exported their data"),
    # Audit only (never on a timeline, see portal.events.timeline.AUDIT_ONLY).
    "viewed": _l("Opened by staff"),
    "rate": _l("The applicant rated the service"),
    "file_downloaded": _l("File downloaded"),
}
EMAIL_MESSAGE = {
    A.RECEIVE: _l("Your dossier was received. The processing time runs from now."),
    A.REFUSE: _l("Your dossier was not accepted."),
    A.REQUEST_SUPPLEMENT: _l(
        "The agency needs more documents. The processing time is paused until you send them:"
    ),
    A.REQUEST_FEE: _l("Please pay the fees for your dossier."),
    A.APPROVE: _l("The result of your dossier is ready."),
    A.FINISH: _l("The result of your dossier is ready."),
    A.STOP: _l("Processing of your dossier was stopped."),
    A.APOLOGISE: _l(
        "We apologise: your dossier will not be ready on the appointment date. The new date is below."
    ),
}
# The citizen's rating (portal.domain.dossier_rating): the overall answer and the 9 criteria.
RATING = {
    "very_satisfied": _l("Very satisfied"),
    "satisfied": _l("Satisfied"),
    "unsatisfied": _l("Not satisfied"),
}
CRITERIA = {
    "total_time": _l("Total time compared with the legal time limit"),
    "time_per_agency": _l("Time taken at each agency"),
    "contacts": _l("How many times you had to come or call"),
    "agencies": _l("How many agencies you had to deal with"),
    "one_stop": _l("Handled through the one-stop desk"),
    "publicity": _l("The procedure was publicly posted"),
    "attitude": _l("Staff attitude"),
    "complaints": _l("How your questions or complaints were handled"),
    "online": _l("Progress and quality of the online service"),
}
SCORES = {2: _l("Good (2 points)"), 1: _l("Acceptable (1 point)"), 0: _l("Poor (0 points)")}
TIMELINESS = {
    "early": _l("Ahead of schedule"),
    "on_time": _l("On time"),
    "late": _l("Late"),
    "overdue": _l("Overdue"),
}


def document_error(reason: str) -> str:
    messages = {
        "empty": _("An attached file is empty."),
        "too_large": _("A file is larger than 10 MB."),
        "type": _("Only PDF, JPEG or PNG files can be attached."),
        "active_content": _(
            "A PDF contains scripts, actions, attached files, a fillable form or "
            "multimedia and cannot be accepted. Print it to a new PDF or scan it."
        ),
        "encrypted": _(
            "A PDF is protected by a password or encryption. Remove the protection (or print "
            "it to a new PDF) and attach it again."
        ),
        "too_many_pixels": _("An image has too many pixels (more than 40 megapixels)."),
    }
    return messages.get(reason, _("A file could not be read; it may be damaged."))


# How a dossier reached the agency: the note of a counter intake's "receive" event (intake.counter_intake).
CHANNEL = {"online": _l("Online"), "counter": _l("At the counter"), "post": _l("By public postal service")}


def _receive_note(note: str) -> str:
    return str(CHANNEL[note]) if note in CHANNEL else note


FILE_KINDS = {"submitted": _l("submitted"), "supplement": _l("supplement"), "result": _l("result")}


def _staff_page(code: str) -> str:
    return url_for("dossiers_staff.item", code=code)


def register_events(events: Registry) -> None:
    """Dossiers as subjects of the audit log: found by code (stored in capitals), owned by their agency."""
    events.subject(
        Subject(
            "dossier",
            _l("Dossier"),
            Dossier,
            Dossier.code,
            Dossier.agency_id,
            stored=str.upper,
            link=_staff_page,
            statuses={str(int(status)): label for status, label in STATUS.items()},
        ),
        EVENT,
    )
    events.subject(
        Subject(
            "dossier_template",
            _l("Dossier response template"),
            DossierTemplate,
            DossierTemplate.title,
            DossierTemplate.agency_id,
        ),
        TEMPLATE_EVENT,
    )
    events.field_labels({"purpose": _l("Used for")}, {"purpose": TEMPLATE_PURPOSE})
    events.note_reader("dossier", DOWNLOAD_ACTION, download_note(FILE_KINDS))
    events.note_reader("dossier", A.RECEIVE.value, _receive_note)
