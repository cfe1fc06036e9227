"""/open311/v2/: GeoReport v2 (OPEN311.md §7), XML and JSON by the file suffix.

Every GET is public and shows published items only, through the allowlist of serializers.py. Only POST
requests takes an `api_key` (missing or wrong: 403); GET requests/<id> also takes one, so that a client can
read back a report it created before the agency publishes it (privately: `no-store`). Errors are the
spec's list of {code, description}; their descriptions are in English, the language of the specification
and of the clients' developers (service names, statuses and notes follow `?lang=`, Vietnamese by default).
CSRF does not apply here: a write needs the key, never a cookie.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, request
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from portal import form_nonce, http_cache
from portal.apikeys import operations as keys
from portal.extensions import csrf, db
from portal.places import queries as places

from . import operations, queries, serializers
from .formats import FORMATS, Open311Error, error_response, parse_w3c, respond, w3c

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
csrf.exempt(bp)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = datetime(2026, 12, 6, tzinfo=UTC)  # when this interface last changed
MAX_DAYS = 90
MAX_PAGE_SIZE = 1000
MAX_CODES = 1000


def jurisdiction() -> str:
    """This endpoint's only jurisdiction: the portal's host name without www (the spec's suggestion)."""
    host = urlsplit(current_app.config["PORTAL_SETTINGS"].base_url).hostname or ""
    return host.removeprefix("www.")


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Open311Error(404, "Unknown format: use .xml or .json.")
    return fmt


@bp.before_request
def _check_jurisdiction():
    """One jurisdiction: jurisdiction_id may be left out; any other value than ours does not exist."""
    given = (request.values.get("jurisdiction_id") or "").strip()
    if given and given != jurisdiction():
        raise Open311Error(404, "Unknown jurisdiction_id.")


def _fmt_of_request() -> str:
    fmt = (request.view_args or {}).get("fmt", "") or request.path.rsplit(".", 1)[-1]
    return fmt if fmt in FORMATS else "xml"


@bp.errorhandler(Open311Error)
def _open311_error(error: Open311Error):
    db.session.rollback()
    return error_response(_fmt_of_request(), error)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    db.session.rollback()
    status = error.code or 500
    return error_response(_fmt_of_request(), Open311Error(status, error.name))


def _param(name: str) -> str:
    """An optional parameter; empty is the same as missing (§1)."""
    return (request.values.get(name) or "").strip()


def _listed(name: str, limit: int = MAX_CODES) -> tuple[str, ...]:
    values = tuple(dict.fromkeys(part.strip() for part in _param(name).split(",") if part.strip()))
    if len(values) > limit:
        raise Open311Error(400, f"At most {limit} values in {name}.")
    return values


def _number(name: str, default: int, largest: int) -> int:
    text = _param(name)
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= largest:
        raise Open311Error(400, f"{name} must be a whole number from 1 to {largest}.")
    return int(text)


def _date(name: str) -> datetime | None:
    text = _param(name)
    if not text:
        return None
    try:
        return parse_w3c(text)
    except ValueError:
        raise Open311Error(400, f"{name} must be a W3C datetime, e.g. 2026-12-01T00:00:00+07:00.") from None


def _window() -> tuple[datetime, datetime]:
    """start_date..end_date, at most 90 days; by default the last 90 days (§2.4)."""
    start, end = _date("start_date"), _date("end_date")
    span = timedelta(days=MAX_DAYS)
    if start is None and end is None:
        end = datetime.now(UTC)
    if start is None:
        assert end is not None
        start = end - span
    if end is None:
        end = start + span
    if end < start:
        raise Open311Error(400, "end_date is before start_date.")
    if end - start > span:
        raise Open311Error(400, "start_date to end_date may span at most 90 days.")
    return start, end


@bp.get("/discovery.<fmt>")
@http_cache.sessionless
def discovery(fmt: str):
    fmt = _format(fmt)
    settings = current_app.config["PORTAL_SETTINGS"]
    endpoint = {
        "specification": SPECIFICATION,
        "url": settings.base_url + "/open311/v2",
        "changeset": w3c(CHANGESET),
        "type": "production" if settings.production else "test",
        "formats": ["text/xml", "application/json"],
    }
    body = {
        "changeset": w3c(CHANGESET),
        "contact": f"Son La provincial citizen portal, {settings.base_url}/ (jurisdiction_id {jurisdiction()})",
        "key_service": "API keys are issued by the province administrator (see /api).",
        "endpoints": [endpoint],
    }
    return respond(fmt, "discovery", body)


@bp.get("/services.<fmt>")
@http_cache.sessionless
def services(fmt: str):
    fmt = _format(fmt)
    return respond(fmt, "services", [serializers.service(category) for category in queries.services()])


@bp.get("/services/<code>.<fmt>")
@http_cache.sessionless
def service_definition(code: str, fmt: str):
    fmt = _format(fmt)
    found = queries.services(code)
    if not found:
        raise Open311Error(404, "Unknown service_code.")
    return respond(fmt, "service_definition", serializers.service_definition(found[0], places.choices()))


@bp.get("/requests.<fmt>")
@http_cache.sessionless
def requests_list(fmt: str):
    fmt = _format(fmt)
    page, page_size = _number("page", 1, 100_000), _number("page_size", MAX_PAGE_SIZE, MAX_PAGE_SIZE)
    codes = tuple(code.upper() for code in _listed("service_request_id"))
    if codes:  # overrides every other filter (§2.4)
        criteria = queries.RequestFilter(codes=codes, page=page, page_size=page_size)
    else:
        wanted = _listed("status", 2)
        if any(value not in ("open", "closed") for value in wanted):
            raise Open311Error(400, "status must be open, closed or both (comma-separated).")
        states = frozenset(state for value in wanted for state in serializers.STATES_OF[value])
        start, end = _window()
        criteria = queries.RequestFilter(
            services=_listed("service_code"),
            states=states,
            start=start,
            end=end,
            page=page,
            page_size=page_size,
        )
    items = queries.requests(criteria)
    context = queries.context(items, _param("extensions") == "true")
    return respond(fmt, "service_requests", [serializers.request(item, context) for item in items])


@bp.get("/requests/<code>.<fmt>")
@http_cache.sessionless
def request_detail(code: str, fmt: str):
    fmt = _format(fmt)
    if len(code) > 40:
        raise Open311Error(404, "Unknown service_request_id.")
    item = queries.published(code)
    private = False
    if item is None and request.args.get("api_key"):
        key = keys.find(request.args["api_key"])
        item = queries.submitted_with(key, code) if key is not None else None
        private = item is not None
    if item is None:  # unpublished, hidden, another client's and missing look alike
        raise Open311Error(404, "Unknown service_request_id.")
    context = queries.context([item], _param("extensions") == "true")
    headers = {"Cache-Control": "private, no-store"} if private else None
    shown = serializers.request(item, context, own=private)
    return respond(fmt, "service_requests", [shown], headers=headers)


@bp.post("/requests.<fmt>")
def create_request(fmt: str):
    fmt = _format(fmt)
    key = keys.find(request.form.get("api_key", ""))
    if key is None:
        raise Open311Error(403, "api_key is missing, wrong or revoked.")
    code = (request.form.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code is required.")
    found = queries.services(code)
    if not found:
        raise Open311Error(404, "Unknown service_code.")
    try:
        created = operations.create(request.form, key, found[0])
        item = created.item
        answer = {
            "service_request_id": item.code,
            "service_notice": _("Answer due by: %(date)s", date=format_date(item.due_on))
            if item.due_on
            else None,
            "account_id": None,
        }
        key.last_used_at = datetime.now(UTC)
        db.session.commit()  # the receipt e-mail leaves with the report, or not at all
    except IntegrityError as error:  # the same report, sent at the same moment, was stored first
        item = form_nonce.lost_race(error, lambda: operations.find_sent(key, request.form, found[0]))
        answer = {"service_request_id": item.code, "service_notice": None, "account_id": None}
        created = operations.Created(item, new=False)
    return respond(fmt, "service_requests", [answer], 201 if created.new else 200)


@bp.get("/tokens/<token>.<fmt>")
@http_cache.sessionless
def token(token: str, fmt: str):
    """Our requests are `realtime` (the id comes back at once): no token ever exists."""
    _format(fmt)
    raise Open311Error(404, "Unknown token.")


@bp.get("/servicerequestupdates.<fmt>")
@http_cache.sessionless
def updates(fmt: str):
    """mySociety's updates extension: the public timeline lines of published items."""
    fmt = _format(fmt)
    page, page_size = _number("page", 1, 100_000), _number("page_size", MAX_PAGE_SIZE, MAX_PAGE_SIZE)
    code = _param("service_request_id")
    if code:
        if len(code) > 40 or queries.published(code) is None:
            raise Open311Error(404, "Unknown service_request_id.")
        criteria = queries.UpdateFilter(code=code, page=page, page_size=page_size)
    else:
        start, end = _window()
        criteria = queries.UpdateFilter(start=start, end=end, page=page, page_size=page_size)
    rows = queries.updates(criteria)
    return respond(fmt, "service_request_updates", [serializers.update(event, item) for event, item in rows])


@bp.get("/<path:rest>")
def unknown(rest: str):
    raise Open311Error(404, "No such resource.")
