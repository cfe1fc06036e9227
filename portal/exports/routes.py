"""/exports/v1/dossiers.{json,csv} for a system holding an API key (header X-API-Key, never in the URL),
and /staff/exports/dossiers.{json,csv} for an agency's leaders and administrators. Both are scoped to an
agency (or the province), paged by id (`after`), incremental by `updated_since`, and audited."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user

from portal.apikeys import operations as keys
from portal.auth.access import agency_scope, allow, protect
from portal.calendar.queries import local_now
from portal.domain.roles import Role
from portal.domain.w3c import parse_w3c
from portal.events.operations import record
from portal.extensions import csrf, db

from . import dossiers, statistics

bp = Blueprint("exports", __name__, url_prefix="/exports/v1")
csrf.exempt(bp)
staff = protect(Blueprint("exports_staff", __name__, url_prefix="/staff/exports"))
FORMATS = ("json", "csv")


class Refused(Exception):
    def __init__(self, status: int, error: str, retry_after: int = 0) -> None:
        super().__init__(error)
        self.status, self.error, self.retry_after = status, error, retry_after


def _refused(error: Refused):
    db.session.rollback()
    response = jsonify(error=error.error)
    response.status_code = error.status
    if error.retry_after:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


bp.register_error_handler(Refused, _refused)
staff.register_error_handler(Refused, _refused)


def _export(fmt: str, agency_id: int | None) -> tuple[Response, int]:
    if fmt not in FORMATS:
        raise Refused(404, "unknown format: use .json or .csv")
    since_text = (request.args.get("updated_since") or "").strip()
    after_text = (request.args.get("after") or "").strip()
    try:
        since = parse_w3c(since_text) if since_text else None
    except ValueError:
        raise Refused(400, "updated_since must be a W3C datetime") from None
    if after_text and not (after_text.isdigit() and len(after_text) < 12):
        raise Refused(400, "after must be a whole number")
    rows = dossiers.changed(agency_id, since, int(after_text or 0))
    records = [dossiers.record(dossier, moment) for dossier, moment in rows]
    next_after = rows[-1][0].id if len(rows) == dossiers.LIMIT else None
    headers = {"X-Export-Version": dossiers.EXPORT_VERSION, "Cache-Control": "no-store"}
    if next_after is not None:
        headers["X-Next-After"] = str(next_after)
    if fmt == "csv":
        response = Response(dossiers.as_csv(records), content_type="text/csv; charset=utf-8", headers=headers)
    else:
        response = jsonify(version=dossiers.EXPORT_VERSION, records=records, next_after=next_after)
        response.headers.update(headers)
    return response, len(records)


@bp.get("/dossiers.<fmt>")
def dossiers_for_key(fmt: str):
    key = keys.find(request.headers.get("X-API-Key", ""))
    if key is None:
        raise Refused(403, "X-API-Key header missing, wrong or revoked")
    wait = keys.over_read_limit(key)
    if wait:
        raise Refused(429, "over this key's hourly read limit", wait)
    response, count = _export(fmt, key.agency_id)
    record("api_key", key.id, "exported", note=f"dossiers: {count}")
    db.session.commit()
    return response


@bp.get("/statistics.json")
def statistics_for_key():
    """Decision 766 figures per agency for one local day (`day=YYYY-MM-DD`, by default yesterday)."""
    key = keys.find(request.headers.get("X-API-Key", ""))
    if key is None:
        raise Refused(403, "X-API-Key header missing, wrong or revoked")
    wait = keys.over_read_limit(key)
    if wait:
        raise Refused(429, "over this key's hourly read limit", wait)
    text = (request.args.get("day") or "").strip()
    try:
        day = date.fromisoformat(text) if text else local_now().date() - timedelta(days=1)
    except ValueError:
        raise Refused(400, "day must be YYYY-MM-DD") from None
    if not date(2000, 1, 1) <= day <= local_now().date():
        raise Refused(400, "day must be a past or present day")
    response = jsonify(statistics.feed(day, key.agency_id))
    response.headers["Cache-Control"] = "no-store"
    return response


@staff.get("/dossiers.<fmt>")
@allow(Role.LEADER, Role.AGENCY_ADMIN, Role.ADMIN)
def dossiers_for_staff(fmt: str):
    response, count = _export(fmt, agency_scope())
    record(
        "account", current_user.id, "exported_dossiers", actor_id=current_user.id, note=f"dossiers: {count}"
    )
    db.session.commit()
    return response
