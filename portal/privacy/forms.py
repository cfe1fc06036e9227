from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from portal.forms import MobilePhoneField, PortalForm, cleaned, lower, valid_mobile


class CorrectForm(PortalForm):
    name = StringField(
        _l("Your name"),
        filters=[cleaned],
        validators=[Optional(), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("E-mail"),
        filters=[lower],
        validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    phone = MobilePhoneField(
        _l("Mobile phone"),
        validators=[Optional(), valid_mobile],
        render_kw={"autocomplete": "off", "inputmode": "tel"},  # a shared phone offers no one else's number
    )


class CodeForm(PortalForm):
    code = StringField(
        _l("Code from the e-mail"),
        validators=[
            DataRequired(_l("Enter the code.")),
            Regexp(r"^\s*\d{6}\s*$", message=_l("Enter the 6 digits.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )


class EraseForm(PortalForm):
    confirm = BooleanField(
        _l("I understand that this cannot be undone."),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )
