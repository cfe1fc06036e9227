"""Signed bank notifications for tests, and the demo payments by applicant."""

import hashlib
import hmac
import json
import time

from sqlalchemy import select

from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.payments.models import Payment

SECRET = "test-webhook-secret-" + "s" * 24  # Settings.for_tests


def signed(body: dict | bytes, secret: str = SECRET, timestamp: int | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = hmac.new(secret.encode(), stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return raw, {
        "X-Portal-Timestamp": stamp,
        "X-Portal-Signature": signature,
        "Content-Type": "application/json",
    }


def payment_of(name: str) -> Payment:
    """The demo payment of the dossier whose applicant has this name."""
    return db.session.scalar(select(Payment).join(Dossier).where(Dossier.applicant_name == name))
