"""Form pieces shared by the administration pages (each feature keeps its own forms in admin_forms.py):
the on/off toggle. The upper/lower filters are in portal.forms; the audit log's filter form is in
portal.events."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.validators import InputRequired

from portal.choices import options
from portal.forms import PortalForm


class ToggleForm(PortalForm):
    """Activate/deactivate, enable/disable: the wanted state as 1 or 0."""

    active = RadioField(
        choices=options([("1", _l("On")), ("0", _l("Off"))]),
        validators=[InputRequired(_l("Choose on or off."))],
    )
