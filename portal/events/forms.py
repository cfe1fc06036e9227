"""The audit log's filter form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from portal.forms import PortalForm, cleaned, lower


class AuditFilterForm(PortalForm):
    """The audit log's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta(PortalForm.Meta):
        csrf = False

    actor = StringField(
        _l("Actor's e-mail"), filters=[cleaned, lower], validators=[Optional(), Length(max=254)]
    )
    subject_type = SelectField(_l("Subject"), choices=[], validators=[Optional()])
    subject = StringField(
        _l("Code, e-mail, date or number"), filters=[cleaned], validators=[Optional(), Length(max=60)]
    )
    action = StringField(_l("Action"), filters=[cleaned, lower], validators=[Optional(), Length(max=40)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

    def validate_subject(self, field):
        if field.data and not self.subject_type.data:
            raise ValidationError(_l("Choose what kind of subject this is."))

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))
