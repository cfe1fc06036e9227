"""Forms of /staff/admin/calendar: announce a day off or a make-up working day, remove one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.choices import options
from portal.forms import PortalForm, cleaned

KINDS = {"off": _l("Day off"), "workday": _l("Make-up working day")}


class CalendarDayForm(PortalForm):
    day = DateField(_l("Date"), validators=[InputRequired(_l("Enter the date."))])
    kind = RadioField(
        _l("Kind"), choices=options(KINDS.items()), validators=[InputRequired(_l("Choose the kind."))]
    )
    reason = StringField(
        _l("Reason"), filters=[cleaned], validators=[DataRequired(_l("Enter the reason.")), Length(max=200)]
    )
    legal_reference = StringField(
        _l("Legal reference (document number and date)"),
        filters=[cleaned],
        validators=[Optional(), Length(max=200)],
    )


class CalendarRemoveForm(PortalForm):
    day = DateField(validators=[InputRequired(_l("Enter the date."))])
