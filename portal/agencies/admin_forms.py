"""The agency form of /staff/admin/agencies. Shape checks live here; the unique code is checked by
portal.agencies.admin_operations and shown on the same field."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.forms import PortalForm, cleaned, upper

# QCVN 102:2016 receiving-unit code, e.g. 000.00.21.H52: letters and digits in dot-separated groups;
# the same shape portal.domain.codes reads back out of a dossier code.
AGENCY_CODE = re.compile(r"[A-Z0-9]+(?:\.[A-Z0-9]+)*")


class AgencyForm(PortalForm):
    name = StringField(
        _l("Name (Vietnamese)"),
        filters=[cleaned],
        validators=[DataRequired(_l("Enter the agency's name.")), Length(max=200)],
    )
    name_en = StringField(
        _l("Name (English)"),
        filters=[cleaned],
        validators=[DataRequired(_l("Enter the English name.")), Length(max=200)],
    )
    code = StringField(
        _l("Receiving-unit code (QCVN 102)"),
        filters=[cleaned, upper],
        validators=[
            DataRequired(_l("Enter the code.")),
            Length(min=3, max=40, message=_l("The code must have 3 to 40 characters.")),
        ],
    )

    # "" = the province (portal.feedback.conduct.above): where complaints about its officials go.
    supervisor = SelectField(_l("Supervising agency (receives complaints about its officials)"), choices=[])

    def validate_code(self, field):
        if not AGENCY_CODE.fullmatch(field.data or ""):
            raise ValidationError(
                _l("Use letters and digits in groups separated by single dots, for example 000.00.21.H52.")
            )
