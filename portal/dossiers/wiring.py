"""What the dossiers feature plugs into the lower layers it uses, at app start (create_app calls init_app).

- payments: dossiers is the FeeOwner of every payment (a settled fee moves a dossier from status 6 to 4;
  a payment's agency and receipt visibility are its dossier's), see portal/payments/fees.py;
- tracking: /track opens a dossier by its code and the phone's last four digits;
- uploads: `flask check-files` reconciles the dossier files with the upload store;
- tracking: the status page's kept part (page_cache) and what changes the dossier's page version: its row,
  files, pauses, apology letters, the citizen's rating, payments and public timeline events (versions).

Registered explicitly here rather than by importing a module, so the dependency runs one way (dossiers ->
payments, tracking, uploads) and an app without this call fails loudly instead of silently.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from portal.domain.codes import looks_like_feedback_code
from portal.events.models import Event
from portal.payments import fees
from portal.payments.models import Payment
from portal.tracking import lookup, page_cache, versions
from portal.uploads import reconcile

from . import operations, queries
from .models import Dossier, DossierApology, DossierFile, DossierPause, DossierRating
from .policy import can_view


def _dossier_of(payment: Payment) -> Dossier:
    """The dossier a payment is for: payments types `Payment.dossier` by what it reads itself (FeeItem),
    the relationship maps this class."""
    dossier = payment.dossier
    assert isinstance(dossier, Dossier)
    return dossier


def _payments_of_agency(agency_id: int):
    return Payment.dossier_id.in_(select(Dossier.id).where(Dossier.agency_id == agency_id))


def _find(code: str) -> Dossier | None:
    return queries.by_code(code)


def init_app(app: Flask) -> None:
    fees.register(
        app,
        fees.FeeOwner(
            settled=operations.fee_settled,
            agency_of=lambda payment: _dossier_of(payment).agency_id,
            of_agency=_payments_of_agency,
            may_view=lambda payment: can_view(_dossier_of(payment)),
        ),
    )
    # Every code that is not a feedback code (PA-...) is looked up as a dossier's.
    lookup.register(
        app,
        lookup.Kind(
            "dossier",
            claims=lambda code: not looks_like_feedback_code(code),
            find=_find,
            endpoint="dossiers.status",
        ),
    )
    reconcile.register_source(app, queries.stored_files)
    page_cache.init_app(app)
    versions.track_item(Dossier)
    for model in (DossierFile, DossierPause, DossierApology, DossierRating, Payment):
        versions.track_child(model, Dossier, versions.parent("dossier", "dossier_id"))
    versions.track_child(Event, Dossier, _public_event_of)
    versions.install()


def _public_event_of(event: Event) -> int | None:
    """A timeline line the citizen sees (the status page shows public events only)."""
    return event.subject_id if event.subject_type == "dossier" and event.is_public else None
