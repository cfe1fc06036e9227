"""SMS in tests: the "sms" jobs the portal queued (the SMS contract: portal/sms_queue.py).

The SMS branch registers the "sms" job handler; until it has, `with_sms(app, monkeypatch)` installs a
handler that sends nothing, for this test only, so the routes queue their messages and the tests read the
job rows."""

from __future__ import annotations

import json

from sqlalchemy import select

from portal.extensions import db
from portal.jobs import jobs_of
from portal.jobs.models import OutboxJob


def with_sms(app, monkeypatch) -> None:
    handlers = jobs_of(app).handlers
    if "sms" not in handlers:
        monkeypatch.setitem(handlers, "sms", lambda payload, key: None)


def queued_sms() -> list[dict]:
    """Payloads of the queued "sms" jobs, oldest first: {"to", "text", "purpose"}."""
    rows = db.session.scalars(select(OutboxJob.payload).where(OutboxJob.kind == "sms").order_by(OutboxJob.id))
    return [json.loads(row) for row in rows]
