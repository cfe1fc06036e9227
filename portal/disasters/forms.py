"""The forms of the disaster clock."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.choices import options
from portal.forms import PortalForm

from .labels import KINDS, LOCATE_BY


class DeclareForm(PortalForm):
    kind = SelectField(_l("Kind of event"), choices=options(KINDS.items()), validators=[DataRequired()])
    communes = SelectMultipleField(_l("Communes"), choices=[], validators=[DataRequired()])
    starts_on = DateField(_l("First day"), validators=[DataRequired()])
    ends_on = DateField(_l("Last day"), validators=[DataRequired()])
    locate_by = SelectField(
        _l("Items placed by"), choices=options(LOCATE_BY.items()), validators=[DataRequired()]
    )
    legal_basis = StringField(_l("Legal basis (force majeure)"), validators=[DataRequired(), Length(max=500)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])


class ChangeForm(PortalForm):
    ends_on = DateField(_l("Last day"), validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])


class BulkForm(PortalForm):
    """Draft or issue the letters: a button only (and the CSRF token)."""
