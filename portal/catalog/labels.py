"""Translatable labels of the procedure catalogue: procedures as subjects of the audit log."""

from flask_babel import lazy_gettext as _l

from portal.events.registry import Registry, Subject

from .models import Procedure, Synonym

EVENT = {
    "procedure_updated": _l("Procedure changed"),
    "procedure_documents_updated": _l("Procedure's documents changed"),
    "blank_form_added": _l("Blank form added"),
    "blank_form_renamed": _l("Blank form renamed"),
    "blank_form_moved": _l("Blank form moved"),
    "blank_form_removed": _l("Blank form removed"),
}
# The kinds of file a blank form can be (portal.catalog.form_files), as the procedure page names them.
FILE_KINDS = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (.docx)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (.xlsx)",
}
SYNONYM_EVENT = {
    "synonym_added": _l("Everyday expression added"),
    "synonym_changed": _l("Everyday expression changed"),
    "synonym_removed": _l("Everyday expression removed"),
}
FIELDS = {
    "charge_vnd": _l("Charge"),
    "fee_vnd": _l("Fee"),
    "online_charge_vnd": _l("Charge when submitted online"),
    "processing_days": _l("Processing time (working days)"),
    "same_day": _l("Same day"),
    "online_level": _l("Online level"),
    "needs_approval": _l("Needs a leader's approval"),
}
ONLINE_LEVELS = {"full": _l("Fully online"), "partial": _l("Partly online"), "none": _l("At the office only")}


def register_events(events: Registry) -> None:
    """Procedures: found by code (stored in capitals), owned by their agency (none: province-wide)."""
    events.subject(
        Subject(
            "procedure", _l("Procedure"), Procedure, Procedure.code, Procedure.agency_id, stored=str.upper
        ),
        EVENT,
    )
    events.subject(Subject("synonym", _l("Everyday expression"), Synonym, Synonym.phrase_key), SYNONYM_EVENT)
    events.field_labels(FIELDS, {"online_level": ONLINE_LEVELS})
