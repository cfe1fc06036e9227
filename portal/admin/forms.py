"""Form pieces shared by the administration pages (each feature keeps its own forms in admin_forms.py):
the on/off toggle and the upper/lower filters. (The audit log's filter form lives with it in portal.events.)"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.validators import InputRequired

from portal.choices import options
from portal.forms import PortalForm


def upper(value):
    return value.upper() if isinstance(value, str) else value


def lower(value):
    return value.lower() if isinstance(value, str) else value


class ToggleForm(PortalForm):
    """Activate/deactivate, enable/disable: the wanted state as 1 or 0."""

    active = RadioField(
        choices=options([("1", _l("On")), ("0", _l("Off"))]),
        validators=[InputRequired(_l("Choose on or off."))],
    )
