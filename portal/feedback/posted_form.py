"""A report form's POST read without building the WTForms form, when it certainly validates (routes.py `submit`).

Building SubmitForm (18 fields bound, processed and filtered) and validating it was a tenth of a POST's CPU,
though a report that is sent only needs its values. `read` gives them for a plain post that the form would
accept (every rule of forms.py SubmitForm, as WTForms applies them: the same filters, the same first value
of each field), and None for anything else: then the route builds the real form as before, so every error,
message and page is WTForms' own. Whatever goes back to a page after reading (the personal-details warning,
a refused category or commune) is shown through `real()`, the real form made from the same post.
tests/feedback/test_posted_form.py compares the two on many posts, valid and not.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request
from wtforms.validators import Length

from portal.choices import PreparedChoices
from portal.domain.phone import InvalidPhone, normalise_mobile
from portal.domain.text import clean, clean_lines

from . import form_page
from .forms import SubmitForm

# The fields of SubmitForm (tests/feedback/test_posted_form.py checks the list), and the other names the form's
# page may post that the route reads itself (the no-JavaScript commune search box, the personal-details
# warning's acknowledgement). Any other name (a help button, a photo's "remove" button) is left to the form.
_NAMES = (
    "category",
    "title",
    "description",
    "commune",
    "address",
    "latitude",
    "longitude",
    "precise_pin",
    "photos",
    "contact_name",
    "phone",
    "email",
    "show_name",
    "shared_phone",
    "consent",
    "website",
    "nonce",
)
_ALSO = frozenset({"csrf_token", "commune_search", "pii_ack"})


def _length(name: str) -> tuple[int, int]:
    """The (min, max) of the field's Length validator in forms.py (-1: no bound), read from the form so that
    its limits are stated once; tests/feedback/test_posted_form.py checks that every validator of the form
    is one this module knows."""
    for validator in getattr(SubmitForm, name).kwargs.get("validators", ()):
        if isinstance(validator, Length):
            return validator.min, validator.max
    raise LookupError(f"SubmitForm.{name} has no Length validator")


_LIMITS = {name: _length(name) for name in ("title", "description", "address", "contact_name")}


def _fits(name: str, text: str) -> bool:
    shortest, longest = _LIMITS[name]
    return (shortest < 0 or len(text) >= shortest) and (longest < 0 or len(text) <= longest)


class Value:
    """What the route reads of a field: its name, data and errors."""

    def __init__(self, name: str, data: Any) -> None:
        self.name, self.data = name, data
        self.errors: list[str] = []


class PostedReport:
    """The post's values, as the validated form would hold them."""

    category: Value
    title: Value
    description: Value
    commune: Value
    address: Value
    latitude: Value
    longitude: Value
    precise_pin: Value
    photos: Value
    contact_name: Value
    phone: Value
    email: Value
    show_name: Value
    shared_phone: Value
    consent: Value
    website: Value
    nonce: Value

    def __init__(self, values: dict[str, Any], choices: tuple[PreparedChoices, PreparedChoices]) -> None:
        for name in _NAMES:
            setattr(self, name, Value(name, values.get(name)))
        self._choices = choices

    def validate_on_submit(self) -> bool:
        return True  # read only when it validates

    def real(self) -> SubmitForm:
        """The WTForms form of the same post, validated (it passes: `read` took only such posts), with what
        the route has changed since: the nonce it prepared, the errors it set."""
        form = SubmitForm()
        form_page.fill_choices(form, self._choices)
        form.validate()
        form.nonce.data = self.nonce.data
        for name in ("category", "commune", "photos"):
            errors = getattr(self, name).errors
            if errors:
                getattr(form, name).errors = errors
        return form


def _first(name: str) -> str | None:
    found = request.form.getlist(name)
    return found[0] if found else None


def _boolean(raw: str | None) -> bool:
    return raw not in (None, "false", "")  # BooleanField: absent or one of its false values


def read(choices: tuple[PreparedChoices, PreparedChoices]) -> PostedReport | None:
    """The post's values if SubmitForm certainly accepts them, else None (build the form)."""
    if request.method != "POST" or request.is_json or not request.form:
        return None
    if current_app.config.get("WTF_CSRF_ENABLED", True) and not g.get("csrf_valid", False):
        return None  # the form would check the token itself
    if any(key != "photos" or upload.filename for key, upload in request.files.items(multi=True)):
        return None
    if any(name not in _ALSO and name not in _NAMES for name in request.form):
        return None
    if any(len(request.form.getlist(name)) > 1 for name in _NAMES):
        return None
    raw = {name: _first(name) for name in _NAMES}
    category_choices, commune_choices = choices
    values: dict[str, Any] = {}
    # category: InputRequired, coerced to int, one of the choices (the "Choose…" -1 left to the form).
    if not raw["category"]:
        return None
    try:
        values["category"] = int(raw["category"])
    except ValueError:
        return None
    if values["category"] <= 0 or not category_choices.chosen(values["category"]):
        return None
    # commune: DataRequired, one of the choices.
    commune = raw["commune"]
    if commune is None or not commune.strip() or not commune_choices.chosen(commune):
        return None
    values["commune"] = commune
    # title, description: filtered, DataRequired, Length.
    if raw["title"] is None or raw["description"] is None:
        return None
    values["title"], values["description"] = clean(raw["title"]), clean_lines(raw["description"])
    if not values["title"] or not _fits("title", values["title"]):
        return None
    if not values["description"] or not _fits("description", values["description"]):
        return None
    # address, contact_name: filtered, Optional, Length.
    for name in ("address", "contact_name"):
        given = raw[name]
        values[name] = clean(given) if given is not None else None
        if given is not None and given.strip() and not _fits(name, values[name]):
            return None
    # latitude, longitude: only left blank here (a position is left to the form: FloatField, NumberRange).
    for name in ("latitude", "longitude"):
        position = raw[name]
        if position is not None and position.strip():
            return None
        values[name] = None
    # phone: DataRequired, then normalised (valid_mobile).
    phone = raw["phone"]
    if not phone or not phone.strip():
        return None
    try:
        values["phone"] = normalise_mobile(phone)
    except InvalidPhone:
        return None
    # email: only left blank here (an address is left to the form: Email, Length); Optional.
    if raw["email"] is not None and raw["email"].strip():
        return None
    values["email"] = raw["email"]
    # website (the honeypot): only empty here; the form answers a filled one.
    if raw["website"]:
        return None
    values["website"] = raw["website"]
    for name in ("precise_pin", "show_name", "shared_phone", "consent"):
        values[name] = _boolean(raw[name])
    if not values["consent"]:  # DataRequired
        return None
    values["nonce"] = raw["nonce"]
    values["photos"] = []
    return PostedReport(values, choices)
