"""Forms of the administration pages. Shape checks live here; checks that need the database (a unique
code, the actor's rights) are made by portal.admin.operations and shown on the same fields."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.accounts.forms import new_password_field
from portal.choices import options
from portal.forms import PortalForm, cleaned, cleaned_multiline

# QCVN 102:2016 receiving-unit code, e.g. 000.00.21.H52: letters and digits in dot-separated groups;
# the same shape portal.domain.codes reads back out of a dossier code.
AGENCY_CODE = re.compile(r"[A-Z0-9]+(?:\.[A-Z0-9]+)*")
BANK_BIN = re.compile(r"[0-9]{6}")
ACCOUNT_NUMBER = re.compile(r"[0-9A-Za-z]{1,19}")
ACCOUNT_NAME = re.compile(r"[A-Z0-9 .,-]{1,50}")
# Whole dong, optionally grouped by thousands as people write them: 50000, 50.000, 50,000, 50 000.
DONG = re.compile(r"[0-9]{1,13}|[0-9]{1,3}(?:([., ])[0-9]{3})(?:\1[0-9]{3})*")
MAX_DONG = 1_000_000_000
ONLINE_LEVELS = {
    "full": _l("Fully online"),
    "partial": _l("Partly online"),
    "none": _l("At the counter only"),
}
SUBJECTS = {"rule": _l("About a rule or a public service"), "conduct": _l("About the conduct of officials")}
KINDS = {"off": _l("Day off"), "workday": _l("Make-up working day")}
ROLES = {
    "receptionist": _l("Receptionist (one-stop desk)"),
    "processor": _l("Processing officer"),
    "leader": _l("Leader"),
    "agency_admin": _l("Agency administrator"),
    "admin": _l("Province administrator"),
    "finance": _l("Province finance (fee account and bank statements)"),
}


def upper(value):
    return value.upper() if isinstance(value, str) else value


def lower(value):
    return value.lower() if isinstance(value, str) else value


class DongField(StringField):
    """An amount in whole dong, or empty (None): 'set by the provincial People's Council'."""

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


class ToggleForm(PortalForm):
    """Activate/deactivate, enable/disable: the wanted state as 1 or 0."""

    active = RadioField(
        choices=options([("1", _l("On")), ("0", _l("Off"))]),
        validators=[InputRequired(_l("Choose on or off."))],
    )


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

    def validate_code(self, field):
        if not AGENCY_CODE.fullmatch(field.data or ""):
            raise ValidationError(
                _l("Use letters and digits in groups separated by single dots, for example 000.00.21.H52.")
            )


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
    subject = RadioField(
        _l("The report is"),
        choices=options(SUBJECTS.items()),
        validators=[InputRequired(_l("Choose what the reports are about."))],
    )
    # "" = the People's Committee of the commune where the problem is.
    receiving_agency = SelectField(_l("Agency that receives new reports"), choices=[])
    is_active = BooleanField(_l("Active (citizens can choose it)"))


class ProcedureForm(PortalForm):
    charge_vnd = DongField(_l("Charge (lệ phí), in dong"), render_kw={"inputmode": "numeric"})
    fee_vnd = DongField(_l("Fee (phí), in dong"), render_kw={"inputmode": "numeric"})
    processing_days = IntegerField(
        _l("Processing time (working days)"),
        validators=[
            InputRequired(_l("Enter the number of working days (0 for the same day).")),
            NumberRange(0, 365, message=_l("Enter a number of working days from 0 to 365.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    same_day = BooleanField(_l("Result the same working day (received before 15:00)"))
    online_level = RadioField(
        _l("Online service"),
        choices=options(ONLINE_LEVELS.items()),
        validators=[InputRequired(_l("Choose the online level."))],
    )
    needs_approval = BooleanField(_l("A leader approves the result"))
    is_active = BooleanField(_l("Active (shown in the catalogue)"))

    def validate_same_day(self, field):
        if field.data and self.processing_days.data not in (None, 0):
            raise ValidationError(_l("A same-day procedure takes 0 working days."))
        if not field.data and self.processing_days.data == 0:
            raise ValidationError(_l("0 working days means the same day: tick this box, or enter the days."))


_password_field = new_password_field  # the same rules as the reset form (portal.accounts.forms)


class AccountCreateForm(PortalForm):
    email = EmailField(
        _l("E-mail"),
        filters=[cleaned, lower],
        validators=[
            DataRequired(_l("Enter the e-mail address.")),
            Email(_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "off"},
    )
    full_name = StringField(
        _l("Full name"),
        filters=[cleaned],
        validators=[DataRequired(_l("Enter the full name.")), Length(max=120)],
    )
    role = SelectField(_l("Role"), choices=[], validators=[DataRequired(_l("Choose a role."))])
    agency = SelectField(_l("Agency"), choices=[])
    password = _password_field(_l("Initial password"))


class RoleForm(PortalForm):
    role = SelectField(_l("Role"), choices=[], validators=[DataRequired(_l("Choose a role."))])
    agency = SelectField(_l("Agency"), choices=[])


class PasswordForm(PortalForm):
    password = _password_field(_l("New password"))


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


class BankForm(PortalForm):
    bank_bin = StringField(
        _l("Bank BIN (6 digits)"),
        filters=[cleaned],
        validators=[DataRequired(_l("Enter the bank's BIN."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    account_number = StringField(
        _l("Account number"),
        filters=[cleaned],
        validators=[DataRequired(_l("Enter the account number."))],
        render_kw={"autocomplete": "off"},
    )
    account_name = StringField(
        _l("Account name, as the bank prints it"),
        filters=[cleaned, upper],
        validators=[DataRequired(_l("Enter the account name."))],
        render_kw={"autocomplete": "off"},
    )

    def validate_bank_bin(self, field):
        if not BANK_BIN.fullmatch(field.data or ""):
            raise ValidationError(_l("The BIN has exactly 6 digits, for example 970415."))

    def validate_account_number(self, field):
        if not ACCOUNT_NUMBER.fullmatch(field.data or ""):
            raise ValidationError(_l("Use 1 to 19 letters or digits, without spaces."))

    def validate_account_name(self, field):
        if not ACCOUNT_NAME.fullmatch(field.data or ""):
            raise ValidationError(
                _l("Use at most 50 capital letters without accents, digits, spaces, dots, commas or hyphens.")
            )


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


class SignInPolicyForm(PortalForm):
    require_staff_two_factor = BooleanField(_l("Staff must use two-step sign-in (a code from a phone app)"))
