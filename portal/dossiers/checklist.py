"""What the desk ticks as handed in when it receives a dossier, and the desk's running register number.

Circular 01/2018/TT-VPCP form 01, item 1 ("Thành phần hồ sơ nộp gồm") lists the documents received and
whether each is an original or a copy; an online dossier's documents arrive electronically. The receipt
lists exactly the rows ticked here (ReceivedDocument), by the name the procedure gave them that day.

"Số thứ tự" in "Vào Sổ theo dõi hồ sơ, Quyển số … Số thứ tự …" is the line of the desk's register: one
book a year per receiving agency, numbered on from 1 (portal/sequences.py keyed by the agency and the
book's first day), not the dossier code's daily counter, which starts again at 1 every day. It is given
when the desk receives the dossier, the moment form 01 is issued (Circular 01/2018/TT-VPCP,
VIETNAM.md §5): an online dossier not yet received has no line and gets a provisional acknowledgement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from portal.calendar.queries import LOCAL_TZ
from portal.catalog.models import Procedure
from portal.sequences import next_value

from .models import RECEIVED_FORMS, Dossier, ReceivedDocument


@dataclass(frozen=True)
class Tick:
    """One document ticked as received: which of the procedure's documents, and in what form."""

    required_document_id: int
    form: str  # "original", "copy" or "electronic"


def field_name(document_id: int) -> str:
    return f"received-{document_id}"


def ticks_from(form: Mapping[str, str], procedure: Procedure) -> list[Tick]:
    """The ticks posted for the procedure's documents (`received-<id>` = original | copy | electronic);
    anything else, and any other id, is ignored (not handed in)."""
    ticks = []
    for document in procedure.documents:
        chosen = form.get(field_name(document.id), "")
        if chosen in RECEIVED_FORMS:
            ticks.append(Tick(document.id, chosen))
    return ticks


def record_received(dossier: Dossier, ticks: list[Tick], officer_id: int | None, now: datetime) -> None:
    """Keep the ticked documents with the dossier, in the procedure's order, by the names it lists now."""
    documents = {document.id: document for document in dossier.procedure.documents}
    for tick in ticks:
        document = documents.get(tick.required_document_id)
        if document is None:
            continue
        dossier.received_documents.append(
            ReceivedDocument(
                required_document_id=document.id,
                position=document.position,
                name=document.name,
                form=tick.form,
                received_by_id=officer_id,
                received_at=now,
            )
        )


def register(dossier: Dossier, now: datetime) -> None:
    """Give the dossier the next line of its agency's register book for the year it is received, and keep
    the appointment just given as the one form 01 prints. Both once: a receipt reprinted later is the same
    receipt (its number and date never change)."""
    if dossier.receipt_appointment_on is None:
        dossier.receipt_appointment_on = dossier.appointment_on
    if dossier.register_number is None:
        year = now.astimezone(LOCAL_TZ).year
        agency_id = dossier.agency_id if dossier.agency_id is not None else dossier.agency.id
        dossier.register_number = next_value(f"register:{agency_id}", date(year, 1, 1))
