"""Record events. Operations flush; the request commits."""

from flask import has_request_context, request

from portal.extensions import db

from .models import Event


def record(
    subject_type: str,
    subject_id: int,
    action: str,
    *,
    actor_id: int | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str = "",
    public: bool = False,
) -> Event:
    """Append one event about (subject_type, subject_id)."""
    ip = request.remote_addr if has_request_context() else None
    entry = Event(
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        actor_id=actor_id,
        from_status=from_status,
        to_status=to_status,
        note=note,
        is_public=public,
        ip_address=ip,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
