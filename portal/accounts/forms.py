"""Sign-in form."""
from flask_babel import lazy_gettext as _l
from portal.forms import PortalForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from portal.forms import nfc_or_none

from .passwords import MAX_LENGTH


class LoginForm(PortalForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    # NFC first: the same Vietnamese password typed on iOS (NFD) is longer before normalising.
    password = PasswordField(_l("Password"), filters=[nfc_or_none],
                             validators=[DataRequired(_l("Enter your password.")), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})
