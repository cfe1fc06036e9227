"""The response template form: its title and text, who uses it, whether it is offered. Shape checks here;
the rights and the agency are checked by portal.response_templates.operations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.forms import PortalForm, cleaned, cleaned_multiline


class TemplateForm(PortalForm):
    title = StringField(
        _l("Title"), filters=[cleaned], validators=[DataRequired(_l("Enter a title.")), Length(max=120)]
    )
    body = TextAreaField(
        _l("Text"),
        filters=[cleaned_multiline],
        validators=[DataRequired(_l("Write the text.")), Length(max=10000)],
    )
    # "" = every agency (province-wide); only the province administrator may choose it.
    agency = SelectField(_l("Used by"), choices=[])
    is_active = BooleanField(_l("Active"))
