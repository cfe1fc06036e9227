"""The forms of /staff/admin/procedures: fees, processing time, online level, approval; blank forms. Shape checks
live here; the actor's rights are checked by portal.catalog.admin_operations."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, FileField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import TextInput

from portal.choices import options
from portal.forms import PortalForm, cleaned

# Whole dong, optionally grouped by thousands as people write them: 50000, 50.000, 50,000, 50 000.
DONG = re.compile(r"[0-9]{1,13}|[0-9]{1,3}(?:([., ])[0-9]{3})(?:\1[0-9]{3})*")
MAX_DONG = 1_000_000_000

ONLINE_LEVELS = {
    "full": _l("Fully online"),
    "partial": _l("Partly online"),
    "none": _l("At the counter only"),
}


class DongField(Field):
    """An amount in whole dong, or empty (None): 'set by the provincial People's Council'. A text input
    (as a StringField) whose data is the amount, not the text."""

    widget = TextInput()
    data: int | None

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            return
        text = cleaned(valuelist[0]) or ""
        self.raw_text = text
        if not text:
            return
        if not DONG.fullmatch(text):
            raise ValueError(
                _l("Enter a whole number of dong, for example 50000 or 50.000, or leave it empty.")
            )
        amount = int(re.sub(r"[., ]", "", text))
        if amount > MAX_DONG:
            raise ValueError(_l("The amount is too large."))
        self.data = amount

    def _value(self):
        return "" if self.data is None else str(self.data)


class ProcedureForm(PortalForm):
    charge_vnd = DongField(_l("Charge (lệ phí), in dong"), render_kw={"inputmode": "numeric"})
    fee_vnd = DongField(_l("Fee (phí), in dong"), render_kw={"inputmode": "numeric"})
    # Empty: a dossier submitted online owes the same charge as at the counter (portal.domain.fees).
    online_charge_vnd = DongField(
        _l("Charge (lệ phí) when submitted online, in dong"), render_kw={"inputmode": "numeric"}
    )
    processing_days = IntegerField(
        _l("Processing time (working days)"),
        validators=[
            InputRequired(_l("Enter the number of working days (0 for the same day).")),
            NumberRange(0, 365, message=_l("Enter a number of working days from 0 to 365.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    same_day = BooleanField(_l("Result the same working day (received before 15:00)"))
    afternoon_cutoff = BooleanField(
        _l(
            "Dossiers received from 15:00 onwards count from the next working day (for example Decree 63/2024)"
        )
    )
    online_level = RadioField(
        _l("Online service"),
        choices=options(ONLINE_LEVELS.items()),
        validators=[InputRequired(_l("Choose the online level."))],
    )
    needs_approval = BooleanField(_l("A leader approves the result"))
    is_active = BooleanField(_l("Active (shown in the catalogue)"))
    # The documents a dossier must contain, one per line, in order: the desk's intake checklist and form 01.
    documents = TextAreaField(
        _l("Documents of the dossier (one per line)"),
        validators=[Optional(), Length(max=20000)],
        render_kw={"rows": 8},
    )

    def validate_same_day(self, field):
        if field.data and self.processing_days.data not in (None, 0):
            raise ValidationError(_l("A same-day procedure takes 0 working days."))
        if not field.data and self.processing_days.data == 0:
            raise ValidationError(_l("0 working days means the same day: tick this box, or enter the days."))


class SynonymForm(PortalForm):
    """An everyday expression and the catalogue's words it stands for ("|" between alternatives)."""

    phrase = StringField(
        _l("What people say"),
        filters=[cleaned],
        validators=[DataRequired(_l("Enter the expression people use.")), Length(max=120)],
    )
    search_terms = StringField(
        _l("Words of the catalogue it stands for"),
        filters=[cleaned],
        validators=[DataRequired(_l("Enter the words of the catalogue it stands for.")), Length(max=300)],
    )


class BlankFormUploadForm(PortalForm):
    """A blank form (tờ khai) added to a procedure: its title and the file (checked by form_files)."""

    title = StringField(_l("Form title"), validators=[InputRequired(), Length(max=200)], filters=[cleaned])
    file = FileField(
        _l("File (PDF, Word .docx or Excel .xlsx, at most 5 MB)"),
        render_kw={"accept": ".pdf,.docx,.xlsx"},
    )


class BlankFormEditForm(PortalForm):
    """One blank form's row: rename, move up or down, remove (the button pressed says which)."""

    title = StringField(_l("Form title"), validators=[Optional(), Length(max=200)], filters=[cleaned])
    action = StringField(validators=[AnyOf(("rename", "up", "down", "remove"))])
