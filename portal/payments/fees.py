"""What payments asks of the feature whose fees it collects, through a port that feature registers.

Payments knows a payment is owed for some item (`Payment.dossier_id`), never what the item is or who may
see it. The dossiers feature registers a `FeeOwner` at app start (portal/dossiers/wiring.py, called by
create_app), so the dependency runs one way: dossiers -> payments. Nothing is registered by importing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from flask import Flask, current_app

if TYPE_CHECKING:  # pragma: no cover
    from .models import Payment

EXTENSION = "portal.payments.fee_owner"


class FeeItem(Protocol):
    """What payments reads from the item a fee is for (a dossier, mapped by the dossiers feature as
    `Payment.dossier`): payments never imports its class, and its owner narrows back to it where needed."""

    @property
    def id(self) -> int: ...

    @property
    def code(self) -> str: ...

    @property
    def applicant_name(self) -> str: ...

    @property
    def fee_vnd(self) -> int: ...


@dataclass(frozen=True)
class FeeOwner:
    # The payment was settled (bank credit or counter confirmation) at this moment, by this officer (None: the
    # bank): move its item on if it waits for it, recording the move with this note (the payment's one line).
    # True when it did; else payments records the line itself.
    settled: Callable[[Payment, datetime, int | None, str], bool]
    # The agency whose desk sees this payment (None: no agency's).
    agency_of: Callable[[Payment], int | None]
    # SQL condition on Payment: the payments of one agency's items.
    of_agency: Callable[[int], Any]
    # Whether this browser may see who paid (the e-receipt names the payer): the item's own visibility.
    may_view: Callable[[Payment], bool]


def register(app: Flask, owner: FeeOwner) -> None:
    app.extensions[EXTENSION] = owner


def owner() -> FeeOwner:
    try:
        return current_app.extensions[EXTENSION]
    except KeyError:
        raise RuntimeError(
            "no fee owner registered: create_app calls portal.dossiers.wiring.init_app"
        ) from None
