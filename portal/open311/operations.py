"""POST requests: a report from an API client becomes feedback through the web form's own operation.

`portal.feedback.operations.submit` makes the item (code, deadline, routing, search keys, timeline), and
`portal.feedback.receipt.queue_receipt` queues the same receipt e-mail through the jobs outbox. The web
form's rules hold too:
- one report per form: the client's `attribute[client_reference]` (or FixMyStreet's
  `attribute[fixmystreet_id]`), else the report's own content, makes the form nonce (per key), so the same
  report sent twice creates one item and the second answer names the first;
- the per-phone limit is the web form's own counter (a phone has one budget whichever way it reports); the
  per-address limit becomes the key's hourly write limit (an app posts for many people from one address).
Operations flush; the route commits.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from flask import current_app
from werkzeug.datastructures import MultiDict

from portal import form_nonce, throttle
from portal.apikeys import operations as keys
from portal.apikeys.models import ApiKey
from portal.domain.digests import keyed_digest, sha256_hex
from portal.domain.phone import InvalidPhone, normalise_mobile
from portal.domain.text import clean, clean_lines
from portal.extensions import db
from portal.feedback import operations as feedback
from portal.feedback import queries as feedback_queries
from portal.feedback.alerts import alert_leaders
from portal.feedback.models import Feedback, FeedbackCategory
from portal.feedback.receipt import queue_receipt
from portal.feedback.routes import REPORTS_PER_PHONE_DAY
from portal.i18n import locale_code
from portal.places.models import AdminUnit

from .formats import Open311Error
from .models import ApiSubmission

MAX_DESCRIPTION = 4000  # GeoReport v2
MIN_DESCRIPTION = 10  # the web form's
# The web form's bounds of a position in Sơn La (portal/feedback/forms.py).
LATITUDE, LONGITUDE = (20.5, 22.1), (103.2, 105.2)
_HTML = re.compile(r"<\s*[a-zA-Z/!?]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_REFERENCE = re.compile(r"^[\w.:-]{1,64}$")


@dataclass(frozen=True)
class Created:
    item: Feedback
    new: bool  # False: the same report was sent before; this is its item


def _attribute(form: MultiDict, code: str) -> str:
    return (form.get(f"attribute[{code}]") or "").strip()


def _location(form: MultiDict) -> tuple[float | None, float | None, str]:
    """lat+long (both), address_string or address_id: at least one complete; an incomplete pair is an error."""
    lat, lon = (form.get("lat") or "").strip(), (form.get("long") or "").strip()
    address = clean(form.get("address_string") or "")[:300]
    if bool(lat) != bool(lon):
        raise Open311Error(400, "lat and long must be sent together.")
    if not (lat or address or (form.get("address_id") or "").strip()):
        raise Open311Error(400, "A location is required: lat and long, address_string or address_id.")
    if not lat:
        return None, None, address
    try:
        latitude, longitude = float(lat), float(lon)
    except ValueError:
        raise Open311Error(400, "lat and long must be decimal degrees (WGS84).") from None
    if not (LATITUDE[0] <= latitude <= LATITUDE[1] and LONGITUDE[0] <= longitude <= LONGITUDE[1]):
        raise Open311Error(400, "The position is outside Son La province.")
    return latitude, longitude, address


def _commune(form: MultiDict) -> AdminUnit:
    code = _attribute(form, "commune") or (form.get("address_id") or "").strip()
    if not code:
        raise Open311Error(400, "attribute[commune] (or address_id) is required: see the service definition.")
    unit = db.session.get(AdminUnit, code) if re.fullmatch(r"\d{5}", code) else None
    if unit is None:
        raise Open311Error(400, "Unknown commune or ward code.")
    return unit


def _description(form: MultiDict) -> str:
    text = clean_lines(form.get("description") or "")
    if len(text) < MIN_DESCRIPTION or len(text) > MAX_DESCRIPTION:
        raise Open311Error(400, "description is required, 10 to 4,000 characters.")
    if _HTML.search(text):
        raise Open311Error(400, "description must be plain text, without HTML.")
    return text


def _contact(form: MultiDict) -> tuple[str, str, str]:
    try:
        phone = normalise_mobile(form.get("phone") or "")
    except InvalidPhone:
        raise Open311Error(400, "phone is required: the reporter's Vietnamese mobile number.") from None
    email = (form.get("email") or "").strip().lower()
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        raise Open311Error(400, "email is not a valid e-mail address.")
    name = clean(" ".join(part for part in (form.get("first_name"), form.get("last_name")) if part))
    return phone, email, name[:120]


def _nonce(key: ApiKey, form: MultiDict, reference: str, parts: tuple) -> str:
    """The form nonce of this report for this key: from the client's reference, else from its content."""
    what = f"ref:{reference}" if reference else "content:" + sha256_hex(repr(parts))
    digest = keyed_digest(current_app.config["SECRET_KEY"], f"open311:{key.id}:{what}")[:24]
    return base64.urlsafe_b64encode(digest).decode()


def _in_scope(key: ApiKey, category: FeedbackCategory, unit: AdminUnit) -> bool:
    """A province key writes anywhere; an agency's key only reports that its agency will handle, by the
    routing the item itself gets (feedback.routed): a conduct complaint goes above the unit it names, so
    a commune's key may not file one about its own commune (it would land in another agency's queue), and
    the key of the agency above may."""
    if key.agency_id is None:
        return True
    try:
        handling, _named = feedback.routed(category, unit.code)
    except feedback.FeedbackError:  # the commune has no agency: nobody's scope
        return False
    return handling == key.agency_id


def create(form: MultiDict, key: ApiKey, category: FeedbackCategory) -> Created:
    """Check the post like the web form, then submit it through the web form's operation."""
    latitude, longitude, address = _location(form)
    unit = _commune(form)
    if _attribute(form, "consent") != "yes":
        raise Open311Error(400, "attribute[consent]=yes is required: the reporter's consent to the notice.")
    description = _description(form)
    phone, email, name = _contact(form)
    reference = _attribute(form, "client_reference") or _attribute(form, "fixmystreet_id")
    if reference and not _REFERENCE.match(reference):
        raise Open311Error(400, "attribute[client_reference]: 1 to 64 letters, digits, '.', ':', '_' or '-'.")
    title = clean(_attribute(form, "title") or description.splitlines()[0])[:200]
    if not _in_scope(key, category, unit):
        raise Open311Error(403, "This API key may only report to its own agency.")
    parts = (category.slug, unit.code, description, phone, latitude, longitude, address)
    nonce = _nonce(key, form, reference, parts)
    first = feedback_queries.by_form_nonce(form_nonce.stored(feedback.FORM, nonce))
    if first is not None:
        return Created(first, new=False)
    wait = keys.over_write_limit(key)
    if wait:
        raise Open311Error(429, "Too many reports with this API key; try again later.", retry_after=wait)
    try:
        throttle.enforce(f"feedback:phone:{phone}", REPORTS_PER_PHONE_DAY, 86400)
    except throttle.Throttled as limited:
        wait = limited.retry_after if isinstance(limited.retry_after, int) else 3600
        raise Open311Error(429, "Too many reports from this phone number today.", retry_after=wait) from None
    submission = feedback.Submission(
        category_id=category.id,
        title=title or description[:200],
        description=description,
        admin_unit_code=unit.code,
        address=address,
        latitude=latitude,
        longitude=longitude,
        contact_name=name,
        phone=phone,
        email=email,
        show_name=_attribute(form, "show_name") == "yes",
        locale=locale_code(),
        nonce=nonce,
    )
    try:
        item, token = feedback.submit(submission, None)
    except feedback.FeedbackError as refused:
        raise Open311Error(400, f"The report was refused ({refused.reason}).") from None
    db.session.add(ApiSubmission(api_key_id=key.id, feedback_id=item.id, client_reference=reference))
    db.session.flush()
    queue_receipt(item, token)
    alert_leaders(item)  # an urgent category: the agency's leaders, as the web form does
    return Created(item, new=True)


def find_sent(key: ApiKey, form: MultiDict, category: FeedbackCategory) -> Feedback | None:
    """After losing a race on the nonce: the item the same report made first."""
    try:
        latitude, longitude, address = _location(form)
        unit = _commune(form)
        phone, _email, _name = _contact(form)
        description = _description(form)
    except Open311Error:
        return None
    reference = _attribute(form, "client_reference") or _attribute(form, "fixmystreet_id")
    parts = (category.slug, unit.code, description, phone, latitude, longitude, address)
    return feedback_queries.by_form_nonce(
        form_nonce.stored(feedback.FORM, _nonce(key, form, reference, parts))
    )
