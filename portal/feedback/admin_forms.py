"""Form of /staff/admin/categories: feedback categories (the response templates' form is
portal.response_templates.forms). Shape checks live here; checks that need the database (the actor's rights,
an active agency) are made by portal.feedback.admin_operations and shown on the same fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.choices import options
from portal.forms import PortalForm, cleaned

# The "is it fixed?" question after an answer given as fixed (portal/domain/fix_check.py FixCheck).
FIX_CHECK_CHOICES = {
    "off": _l("Do not ask"),
    "ask": _l("Ask; no reply counts as fixed"),
    "confirm": _l("Ask for confirmation; no reply reopens the report (once)"),
}
SUBJECTS = {"rule": _l("About a rule or a public service"), "conduct": _l("About the conduct of officials")}


class CategoryForm(PortalForm):
    name = StringField(
        _l("Name (Vietnamese)"),
        filters=[cleaned],
        validators=[DataRequired(_l("Enter the category's name.")), Length(max=120)],
    )
    name_en = StringField(
        _l("Name (English)"),
        filters=[cleaned],
        validators=[DataRequired(_l("Enter the English name.")), Length(max=120)],
    )
    response_days = IntegerField(
        _l("Answer deadline (working days)"),
        validators=[
            InputRequired(_l("Enter the number of working days.")),
            NumberRange(1, 60, message=_l("Enter a number of working days from 1 to 60.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    is_urgent = BooleanField(_l("Urgent (shown first in the queue)"))
    protects_reporter = BooleanField(
        _l("About an official's conduct: route above the named unit and hide the reporter (province only)")
    )
    subject = RadioField(
        _l("The report is"),
        choices=options(SUBJECTS.items()),
        validators=[InputRequired(_l("Choose what the reports are about."))],
    )
    # "" = the People's Committee of the commune where the problem is.
    receiving_agency = SelectField(_l("Agency that receives new reports"), choices=[])
    is_active = BooleanField(_l("Active (citizens can choose it)"))
    after_photo_required = BooleanField(
        _l("A photo of the place after the repair is required to answer as fixed")
    )
    fix_check = RadioField(
        _l('Ask the citizen "Is it fixed?" after an answer given as fixed'),
        choices=options(FIX_CHECK_CHOICES.items()),
        validators=[InputRequired(_l("Choose one answer."))],
    )
    fix_check_days = IntegerField(
        _l("Working days to reply (empty: the portal's default)"),
        validators=[
            Optional(),
            NumberRange(1, 30, message=_l("Enter a number of working days from 1 to 30.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
