"""Forms of the intermediary pages: a report filed for a villager, and the administrator's grant form."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FileField,
    MultipleFileField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.choices import options
from portal.dossiers.forms import ApplicantFields
from portal.forms import MobilePhoneField, PortalForm, cleaned, cleaned_multiline, lower, valid_mobile

from .models import PAPER, WITNESSED


class ConsentFields(PortalForm):
    """How the villager agreed, after the notice was read aloud: a photo of the paper, or a witnessed tick."""

    consent_method = RadioField(
        _l("How the villager agreed"),
        choices=options(
            [
                (PAPER, _l("Signed or thumb-printed paper (take a photo of it)")),
                (WITNESSED, _l("Agreed aloud, witnessed by me")),
            ]
        ),
        default=PAPER,
        validators=[DataRequired(_l("Choose how the villager agreed."))],
    )
    consent_photo = FileField(_l("Photo of the signed paper"), render_kw={"accept": "image/*"})
    witnessed = BooleanField(_l("I read the notice aloud to the villager and they agreed"))


def villager_phone_field() -> MobilePhoneField:
    """The villager's mobile, optional: many villagers have no phone (the slip's QR then follows the case)."""
    return MobilePhoneField(
        _l("Villager's mobile phone (optional: the code is texted to it)"),
        validators=[Optional(), valid_mobile],
        render_kw={"autocomplete": "off", "inputmode": "tel"},
    )


class FileForVillagerForm(ConsentFields):
    villager_name = StringField(
        _l("Villager's full name"),
        filters=[cleaned],
        validators=[DataRequired(_l("Enter the villager's name.")), Length(max=120)],
        render_kw={"autocomplete": "off"},
    )
    villager_phone = villager_phone_field()
    category = SelectField(_l("Category"), coerce=int, validators=[DataRequired(_l("Choose a category."))])
    commune = SelectField(_l("Commune or ward"), validators=[DataRequired(_l("Choose the commune or ward."))])
    title = StringField(
        _l("Title"),
        filters=[cleaned],
        validators=[DataRequired(_l("Give the report a short title.")), Length(max=200)],
    )
    description = TextAreaField(
        _l("What is the problem?"),
        filters=[cleaned_multiline],
        validators=[DataRequired(_l("Describe the problem.")), Length(min=10, max=5000)],
    )
    address = StringField(
        _l("Place (village, street, landmark)"), filters=[cleaned], validators=[Optional(), Length(max=300)]
    )
    photos = MultipleFileField(_l("Photos of the problem (up to 5)"), render_kw={"accept": "image/*"})


class DossierForVillagerForm(ApplicantFields, ConsentFields):
    """The online application's applicant fields (the villager is the applicant), and the consent. The
    phone, required of a citizen applying for themselves, is optional here."""

    phone = villager_phone_field()


class GrantForm(PortalForm):
    email = StringField(
        _l("E-mail"),
        filters=[cleaned, lower],
        validators=[DataRequired(_l("Enter the e-mail address.")), Email(), Length(max=254)],
    )
    full_name = StringField(
        _l("Full name"),
        filters=[cleaned],
        validators=[DataRequired(_l("Enter the full name.")), Length(max=120)],
    )
    phone = MobilePhoneField(_l("Mobile phone"), validators=[Optional(), valid_mobile])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter a password.")), Length(min=12, max=200)]
    )
