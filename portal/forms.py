"""Base form: WTForms' built-in messages translated through our own catalog.

WTForms ships no Vietnamese translation, so its validator messages are listed here for extraction
and looked up in the portal's catalog at run time.
"""

from typing import Any, Protocol, TypeVar

from flask import Flask
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import EmailField, StringField
from wtforms import widgets as wtforms_widgets
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import core as wtforms_widgets_core

from portal.domain.phone import InvalidPhone, normalise_mobile
from portal.domain.text import clean, clean_lines, nfc


def ngettext(singular: str, plural: str, n: int) -> str:
    """Extraction marker only: WTForms itself asks for these plural messages at run time."""
    return singular


# Messages WTForms produces itself (kept verbatim so the lookup finds them).
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid float value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid date value."),
    _l("Invalid email address."),
    _l("Invalid input."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("The CSRF token is missing."),
    _l("The CSRF token has expired."),
    _l("The CSRF tokens do not match."),
    _l("The CSRF token is invalid."),
)
WTFORMS_PLURALS = (
    ngettext(
        "Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long.", 1
    ),
    ngettext(
        "Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 1
    ),
    ngettext(
        "Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long.", 1
    ),
)


T_co = TypeVar("T_co", covariant=True)
V = TypeVar("V")


class _Field(Protocol[T_co]):
    """What `required` reads from a WTForms field: its name and its data (None before the form is read)."""

    name: str

    @property
    def data(self) -> T_co | None: ...


def required(field: _Field[V]) -> V:
    """The value of a field that DataRequired or InputRequired guards, read after the form validated.

    WTForms types `.data` as `X | None` for every field, required or not: None here means the form was not
    validated first, a programming error, not a user's mistake."""
    value = field.data
    if value is None:
        raise ValueError(f"{field.name} has no value: read it only after the form validated")
    return value


def nfc_or_none(value):
    """WTForms filter: NFC-normalise text input."""
    return nfc(value) if isinstance(value, str) else value


def cleaned(value):
    """WTForms filter: NFC, trimmed, invisible characters dropped, so validators see what is stored."""
    return clean(value) if isinstance(value, str) else value


def upper(value):
    """WTForms filter: capitals (agency codes, the bank account's name as the bank prints it)."""
    return value.upper() if isinstance(value, str) else value


def lower(value):
    """WTForms filter: lower case (e-mail addresses are stored and compared in lower case)."""
    return value.lower() if isinstance(value, str) else value


def cleaned_multiline(value):
    """Like `cleaned`, keeping the line breaks of a longer text."""
    if not isinstance(value, str):
        return value
    return clean_lines(value)


def valid_mobile(form, field):
    """WTForms validator: a Vietnamese mobile number, stored in E.164 (feedback reporters, applicants), on a
    MobilePhoneField (which shows the number as typed when the form comes back)."""
    try:
        field.data = normalise_mobile(field.data or "")
    except InvalidPhone:
        raise ValidationError(_l("Enter a Vietnamese mobile number, for example 0912 345 678.")) from None


class _CatalogTranslations:
    """What WTForms asks for translations: our catalog in the current locale, unformatted
    (WTForms fills in %(min)d and the like itself)."""

    def gettext(self, string: str) -> str:
        return get_translations().gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ngettext(singular, plural, n)


class PortalForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _CatalogTranslations()


class MobilePhoneField(StringField):
    """A mobile number field (with `valid_mobile`): `data` is the number normalised for storage (E.164), but
    a form that comes back with an error shows what the person typed ("0912 345 678"), not "+84912345678"."""

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return str(self.data) if self.data is not None else ""  # StringField's own, for a form not posted


def mobile_phone_field() -> MobilePhoneField:
    """The citizen's mobile number: required, a Vietnamese mobile (the tracking code's last-four hint)."""
    return MobilePhoneField(
        _l("Mobile phone"),
        validators=[DataRequired(_l("Enter your mobile number.")), valid_mobile],
        render_kw={"autocomplete": "off", "inputmode": "tel"},  # a shared phone offers no one else's number
    )


def updates_email_field() -> EmailField:
    """An optional e-mail address for news of a report or a dossier."""
    return EmailField(
        _l("E-mail (optional, for updates)"),
        validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


def html_params(**kwargs: Any) -> Markup:
    """WTForms' `html_params`, the same output without `Markup.format`: WTForms formats each attribute
    through markupsafe's escaping string.Formatter, which was a sixth of the CPU time of a page with a small
    form (/track). Keys are escaped as Markup.format escapes them; values as WTForms escapes them.
    tests/test_forms_html_params.py compares the two on every kind of value."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = _clean_key(key)
        if value is True:
            params.append(str(escape(key)))
        elif value is not False:
            value = escape(value).replace(Markup('"'), Markup("&quot;"))
            params.append(f'{escape(key)}="{value}"')
    return Markup(" ".join(params))  # noqa: S704 - every part escaped above


ORIGINAL_HTML_PARAMS = wtforms_widgets_core.html_params
# Not in the WTForms stubs (3.2) this project type-checks against: looked up by name.
_clean_key = getattr(wtforms_widgets_core, "clean_key")  # noqa: B009


def init_app(app: Flask) -> None:  # noqa: ARG001 - called by create_app like every other part
    """Install html_params where WTForms' widgets look it up (the module, the package, two classes)."""
    wtforms_widgets_core.html_params = html_params
    wtforms_widgets.html_params = html_params
    for widget in ("Input", "Button"):  # they keep it as a class attribute
        setattr(getattr(wtforms_widgets_core, widget), "html_params", staticmethod(html_params))  # noqa: B010
