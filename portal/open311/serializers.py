"""What the API shows: an explicit allowlist, field by field. Nothing else of an item ever leaves.

A request shows what the public page of a published report shows (/feedback/<code>) and no more: never the
phone, e-mail, CCCD, account, the address typed by the citizen (it may hold a house number), internal
notes, the officer's name, an unpublished item, or the exact pin without its consent. The position is
rounded to 0.01° (about 1 km: the village, not the house) unless the reporter gave the "precise map pin"
consent (then to about 1 m, as on the public page; portal/domain/pin.py); `address` is the commune's name.
The reporter's name appears only when they chose to publish it with their report (as on the public page),
and only with `extensions=true`.
tests/open311/test_privacy.py checks every endpoint for every personal field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from flask import current_app, url_for
from flask_babel import gettext as _

from portal.domain import open311_status
from portal.domain.pin import public_position
from portal.domain.text import fold
from portal.domain.working_days import LOCAL_TZ
from portal.events.models import Event
from portal.feedback.labels import EVENT, STATUS
from portal.feedback.models import Feedback, FeedbackCategory
from portal.feedback.public_text import public_answer, public_description, public_text, public_title
from portal.i18n import locale_code

from .formats import w3c

PROVINCE = "Sơn La"
# The request fields of GeoReport v2 (OPEN311.md §2.4), in the spec's order: the allowlist.
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)
EXTENDED_FIELDS = ("title", "extended_attributes")
# GeoReport's two statuses, as the portal's states they cover.
STATES_OF = {
    "open": frozenset(open311_status.OPEN_STATES),
    "closed": frozenset({"answered", "refused", "closed"}),
}
UPDATE_FIELDS = ("update_id", "service_request_id", "status", "updated_datetime", "description", "media_url")


def _english() -> bool:
    return locale_code() == "en"


def _absolute(endpoint: str, **values) -> str:
    return current_app.config["PORTAL_SETTINGS"].base_url + url_for(endpoint, **values)


def service(category: FeedbackCategory) -> dict:
    name = category.name_en if _english() else category.name
    return {
        "service_code": category.slug,
        "service_name": name,
        "description": _("Answered within %(days)d working days.", days=category.response_days),
        "metadata": True,  # the commune and the consent are required attributes
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys([category.name, fold(category.name), category.name_en])),
        "group": _("Conduct of officials")
        if category.subject == "conduct"
        else _("Rules and public services"),
    }


def service_definition(category: FeedbackCategory, communes) -> dict:
    attributes = [
        {
            "variable": True,
            "code": "commune",
            "datatype": "singlevaluelist",
            "required": True,
            "datatype_description": _("The code of the commune or ward (or send it as address_id)."),
            "order": 1,
            "description": _("Commune or ward"),
            "values": [{"key": code, "name": name} for code, name in communes],
        },
        {
            "variable": True,
            "code": "consent",
            "datatype": "singlevaluelist",
            "required": True,
            "datatype_description": _("The reporter agreed to the personal-data notice of the portal."),
            "order": 2,
            "description": _("Consent to the personal-data notice"),
            "values": [{"key": "yes", "name": _("I agree")}],
        },
        {
            "variable": True,
            "code": "title",
            "datatype": "string",
            "required": False,
            "datatype_description": _("At most 200 characters; by default the description's first line."),
            "order": 3,
            "description": _("Title"),
            "values": [],
        },
        {
            "variable": True,
            "code": "show_name",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("Publish the reporter's name with the report."),
            "order": 4,
            "description": _("Show my name publicly with this report (optional)."),
            "values": [{"key": "yes", "name": _("Yes")}, {"key": "no", "name": _("No")}],
        },
        {
            "variable": True,
            "code": "client_reference",
            "datatype": "string",
            "required": False,
            "datatype_description": _(
                "Your system's id for this report: sending it again creates nothing new."
            ),
            "order": 5,
            "description": _("Your reference"),
            "values": [],
        },
    ]
    return {"service_code": category.slug, "attributes": attributes}


@dataclass(frozen=True)
class Context:
    """What one page of requests needs besides the items: the last public change of each open item."""

    last_change: dict[int, datetime]
    extensions: bool = False


def _updated(item: Feedback, context: Context) -> datetime | None:
    """The close time when closed (answered counts as closed), else the last public change."""
    if item.status == "answered":
        return item.answered_at
    if item.status in ("closed", "refused"):
        return item.closed_at or item.answered_at
    return context.last_change.get(item.id, item.submitted_at)


def _expected(item: Feedback) -> str | None:
    """The answer deadline (the deadline engine's due day, at the office's closing time) while open."""
    if item.due_on is None or open311_status.open_or_closed(item.status) == "closed":
        return None
    closing: time = current_app.config["PORTAL_SETTINGS"].office_closing
    return w3c(datetime.combine(item.due_on, closing, LOCAL_TZ))


def photo_urls(item: Feedback) -> list[str]:
    if not item.is_published:
        return []
    return [
        _absolute("feedback.photo", name=photo.stored_name) for photo in item.photos if not photo.is_redacted
    ]


def request(item: Feedback, context: Context, *, own: bool = False) -> dict:
    """One published item, through the allowlist; or, with `own`, an unpublished one read back by the API
    key that created it (the same fields, without photo or page addresses: those are public only once the
    item is published)."""
    assert item.is_published or own, "an unpublished item must never reach the serializer"
    english = _english()
    status = open311_status.open_or_closed(item.status)
    photos = photo_urls(item) if item.is_published else []
    position = public_position(item.latitude, item.longitude, item.precise_pin)
    # The answer as the public page shows it (personal details masked); the key that sent the report reads
    # it back whole, as the sender's own browser does.
    notes = (item.answer if own else public_answer(item)) if item.answer else str(STATUS[item.status_enum])
    shown: dict[str, object] = {
        "service_request_id": item.code,
        "status": status,
        "status_notes": notes,
        "service_name": item.category.name_en if english else item.category.name,
        "service_code": item.category.slug,
        "description": public_description(item),
        "agency_responsible": item.agency.name_en if english else item.agency.name,
        "service_notice": None,
        "requested_datetime": w3c(item.submitted_at),
        "updated_datetime": w3c(_updated(item, context)),
        "expected_datetime": _expected(item),
        "address": f"{item.admin_unit.name}, {PROVINCE}",
        "address_id": item.admin_unit_code,
        "zipcode": None,
        "lat": position[0] if position else None,
        "long": position[1] if position else None,
        "media_url": photos[0] if photos else None,
    }
    if context.extensions:
        shown["title"] = public_title(item)
        shown["extended_attributes"] = {
            "portal_status": item.status,
            "extended_status": open311_status.extended(item.status, item.refusal_reason),
            "status_label": str(STATUS[item.status_enum]),
            "reporter_name": item.contact_name if item.show_name and item.contact_name else None,
            "public_url": _absolute("feedback.public_item", code=item.code) if item.is_published else None,
            "photos": photos,
        }
    assert tuple(shown) == REQUEST_FIELDS + (EXTENDED_FIELDS if context.extensions else ())
    return shown


def update(event: Event, item: Feedback) -> dict:
    """One public timeline line of a published item: its label (the official answer's text for the answer,
    which the public page shows too); never an officer's name or an internal note."""
    description = str(EVENT.get(event.action, event.action))
    if event.action == "answer" and event.note:
        description = f"{description}: {public_text(item, event.note)}"
    photos = photo_urls(item) if event.action == "submitted" else []
    return {
        "update_id": str(event.id),
        "service_request_id": item.code,
        "status": open311_status.extended_of_update(event.action, event.to_status, item.refusal_reason),
        "updated_datetime": w3c(event.occurred_at),
        "description": description,
        "media_url": photos[0] if photos else None,
    }
