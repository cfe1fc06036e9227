"""The look-up form: an item's code and the last four digits of the phone it was given with."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from portal.forms import PortalForm


class TrackForm(PortalForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Enter the code from your receipt.")), Length(max=60)],
        render_kw={"autocomplete": "off"},  # a shared phone offers no earlier visitor's code
    )
    phone_digits = StringField(
        _l("Last 4 digits of the phone number"),
        validators=[
            DataRequired(_l("Enter the last 4 digits.")),
            Length(min=4, max=4, message=_l("Enter exactly 4 digits.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 4},
    )
    shared_phone = BooleanField(_l("This is a shared phone: remember nothing after I finish"))
