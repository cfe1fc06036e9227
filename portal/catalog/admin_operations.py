"""Administration of procedures: fees, processing time, online level, approval, active or not. The province
administrator edits every procedure, an agency administrator those their agency decides. Audited through
portal.admin.changes; flush, never commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import column, select, table, update

from portal.admin.changes import (
    Actor,
    Forbidden,
    Invalid,
    administers,
    is_province_admin,
    note,
    record_change,
)
from portal.domain.fees import online_charge_allowed
from portal.domain.text import clean, fold
from portal.events.operations import record
from portal.extensions import db

from .models import Procedure, RequiredDocument, Synonym

MAX_DOCUMENTS = 40
# Dossier files name the document they were uploaded for; the catalogue does not import the dossiers
# package (it depends on this one), so it unlinks them through the bare table when a document goes.
_DOSSIER_FILES = table("dossier_files", column("required_document_id"))


def can_edit_procedure(actor: Actor, procedure: Procedure) -> bool:
    return administers(actor, procedure.agency_id)


def update_procedure(
    procedure: Procedure,
    actor: Actor,
    *,
    charge_vnd: int | None,
    fee_vnd: int | None,
    online_charge_vnd: int | None,
    processing_days: int,
    same_day: bool,
    afternoon_cutoff: bool,
    online_level: str,
    needs_approval: bool,
    is_active: bool,
) -> bool:
    if not can_edit_procedure(actor, procedure):
        raise Forbidden
    amounts = (("charge_vnd", charge_vnd), ("fee_vnd", fee_vnd), ("online_charge_vnd", online_charge_vnd))
    for field, amount in amounts:
        if amount is not None and amount < 0:
            raise Invalid(field, _l("The amount cannot be negative."))
    if not online_charge_allowed(charge_vnd, online_charge_vnd):
        raise Invalid(
            "online_charge_vnd", _l("The charge when submitted online cannot be more than at the counter.")
        )
    if processing_days < 0:
        raise Invalid("processing_days", _l("Enter a number of working days from 0 to 365."))
    if same_day != (processing_days == 0):
        raise Invalid("same_day", _l("A same-day procedure takes 0 working days."))
    if online_level not in ("full", "partial", "none"):
        raise Invalid("online_level", _l("Choose the online level."))
    return record_change(
        "procedure",
        procedure,
        {
            "charge_vnd": charge_vnd,
            "fee_vnd": fee_vnd,
            "online_charge_vnd": online_charge_vnd,
            "processing_days": processing_days,
            "same_day": same_day,
            "afternoon_cutoff": afternoon_cutoff,
            "online_level": online_level,
            "needs_approval": needs_approval,
            "is_active": is_active,
        },
        "procedure_updated",
        actor,
    )


def document_lines(text: str) -> list[str]:
    """The documents as the administrator typed them: one per non-empty line, spaces tidied."""
    return [line for line in (clean(raw) for raw in text.splitlines()) if line]


def update_documents(procedure: Procedure, actor: Actor, names: list[str]) -> bool:
    """Set the procedure's documents to `names`, in order (issue 16 item 9). A line kept in place keeps its
    row (dossiers already received keep naming it); a removed line's row goes, its uploaded files stay with
    their dossiers under their own names, and the desk's checklist rows keep the name they were received
    under. One Event with the old and new lists; False when nothing changed."""
    if not can_edit_procedure(actor, procedure):
        raise Forbidden
    if len(names) > MAX_DOCUMENTS:
        raise Invalid("documents", _l("List at most 40 documents."))
    if any(len(name) > 1000 for name in names):
        raise Invalid("documents", _l("A document's name is at most 1000 characters long."))
    before = [document.name for document in procedure.documents]
    if before == names:
        return False
    kept = list(procedure.documents)
    for position, name in enumerate(names, start=1):
        if position <= len(kept):
            kept[position - 1].name, kept[position - 1].position = name, position
        else:
            procedure.documents.append(RequiredDocument(position=position, name=name))
    for gone in kept[len(names) :]:
        db.session.execute(
            update(_DOSSIER_FILES)
            .where(_DOSSIER_FILES.c.required_document_id == gone.id)
            .values(required_document_id=None)
        )
        procedure.documents.remove(gone)
    record(
        "procedure",
        procedure.id,
        "procedure_documents_updated",
        actor_id=actor.id,
        note=note({"documents": before}, {"documents": names}),
    )
    return True


def _clean_terms(terms: str) -> str:
    """The catalogue words, folded, one space between words and " | " between alternatives."""
    alternatives = [" ".join(fold(part).split()) for part in terms.split("|")]
    return " | ".join(alt for alt in alternatives if alt)


def save_synonym(actor: Actor, phrase: str, terms: str, synonym: Synonym | None = None) -> Synonym:
    """Add an everyday expression, or change one (province administrator; audited)."""
    if not is_province_admin(actor):
        raise Forbidden
    key, cleaned_terms = " ".join(fold(phrase).split()), _clean_terms(terms)
    if not key:
        raise Invalid("phrase", _l("Enter the expression people use."))
    if not cleaned_terms:
        raise Invalid("search_terms", _l("Enter the words of the catalogue it stands for."))
    clash = db.session.scalar(select(Synonym).where(Synonym.phrase_key == key))
    if clash is not None and clash is not synonym:
        raise Invalid("phrase", _l("This expression is already in the list."))
    if synonym is None:
        synonym = Synonym(phrase=clean(phrase)[:120], phrase_key=key[:120], search_terms=cleaned_terms[:300])
        db.session.add(synonym)
        db.session.flush()
        record("synonym", synonym.id, "synonym_added", actor_id=actor.id, note=f"{key} → {cleaned_terms}")
        return synonym
    record_change(
        "synonym",
        synonym,
        {"phrase": clean(phrase)[:120], "phrase_key": key[:120], "search_terms": cleaned_terms[:300]},
        "synonym_changed",
        actor,
    )
    return synonym


def remove_synonym(actor: Actor, synonym: Synonym) -> None:
    if not is_province_admin(actor):
        raise Forbidden
    record("synonym", synonym.id, "synonym_removed", actor_id=actor.id, note=synonym.phrase_key)
    db.session.delete(synonym)
    db.session.flush()
