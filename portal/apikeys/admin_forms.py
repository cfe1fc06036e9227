"""The form that issues an API key at /staff/admin/api-keys."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from portal.forms import PortalForm, cleaned


class IssueForm(PortalForm):
    name = StringField(
        _l("Who holds the key"),
        filters=[cleaned],
        validators=[DataRequired(_l("Name the app or system that will use the key.")), Length(max=120)],
    )
    agency = SelectField(_l("Scope"), coerce=int, choices=[], validators=[InputRequired()])
    writes_per_hour = IntegerField(
        _l("Reports per hour"), default=100, validators=[InputRequired(), NumberRange(1, 100_000)]
    )
    reads_per_hour = IntegerField(
        _l("Reads per hour"), default=3600, validators=[InputRequired(), NumberRange(1, 1_000_000)]
    )


class RevokeForm(PortalForm):
    """A revoke button: its CSRF token only."""
