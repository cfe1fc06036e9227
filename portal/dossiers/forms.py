"""Dossier forms: online application, counter intake, supplements, withdrawal, staff actions."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from portal.catalog.admin_forms import DongField
from portal.choices import options
from portal.domain import dossier_rating
from portal.forms import PortalForm, cleaned, mobile_phone_field, updates_email_field
from portal.response_templates.forms import TemplateForm

from .labels import CRITERIA, SCORES, TEMPLATE_PURPOSE


class ApplicantFields(PortalForm):
    applicant_name = StringField(
        _l("Full name"),
        filters=[cleaned],
        validators=[DataRequired(_l("Enter the applicant's full name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    id_number = StringField(
        _l("Citizen identity number (CCCD)"),
        filters=[cleaned],
        validators=[
            DataRequired(_l("Enter the 12-digit identity number.")),
            Regexp(r"^\d{12}$", message=_l("The identity number has exactly 12 digits.")),
        ],
        render_kw={"inputmode": "numeric", "maxlength": 12, "autocomplete": "off"},
    )
    birth_date = DateField(_l("Date of birth"), validators=[Optional()])
    phone = mobile_phone_field()
    email = updates_email_field()
    address = StringField(
        _l("Address (house number, street, village)"),
        filters=[cleaned],
        validators=[DataRequired(_l("Enter the address.")), Length(max=300)],
        render_kw={"autocomplete": "street-address"},
    )
    commune = SelectField(_l("Commune or ward"), validators=[DataRequired(_l("Choose the commune or ward."))])
    # One-time form nonce (portal/form_nonce.py): the same form sent twice creates one dossier.
    nonce = HiddenField()


class ApplyForm(ApplicantFields):
    consent = BooleanField(
        validators=[DataRequired(_l("You must agree to the personal-data notice to send."))]
    )


class IntakeForm(ApplicantFields):
    channel = SelectField(
        _l("Received"),
        choices=options([("counter", _l("At the counter")), ("post", _l("By public postal service"))]),
    )
    # Law 91/2025 Art. 9: the citizen signs the desk's printed personal-data notice; the officer says so.
    paper_consent = BooleanField(
        _l("The citizen consented on paper to the processing of their personal data"),
        validators=[DataRequired(_l("Have the citizen sign the personal-data notice, then tick this box."))],
    )


class SupplementForm(PortalForm):
    note = TextAreaField(_l("Message to the agency (optional)"), validators=[Optional(), Length(max=1000)])


class WithdrawForm(PortalForm):
    reason = TextAreaField(
        _l("Why do you withdraw the dossier? (optional)"), validators=[Optional(), Length(max=1000)]
    )


class RatingForm(PortalForm):
    """The applicant's rating: the overall answer (required), a reason (required when not satisfied, checked
    by the rule) and the 9 criteria, each optional."""

    overall = RadioField(
        _l("How satisfied are you with how your dossier was handled?"),
        choices=options(
            [
                ("very_satisfied", _l("Very satisfied")),
                ("satisfied", _l("Satisfied")),
                ("unsatisfied", _l("Not satisfied")),
            ]
        ),
        validators=[DataRequired(_l("Choose one answer."))],
    )
    reason = TextAreaField(
        _l("Why? (required if you are not satisfied)"),
        validators=[Optional(), Length(max=dossier_rating.REASON_MAX)],
    )


def _criterion_field(key: str) -> SelectField:
    return SelectField(
        CRITERIA[key],
        choices=options([("", _l("No answer")), *((str(points), SCORES[points]) for points in (2, 1, 0))]),
        validators=[Optional()],
    )


for _key in dossier_rating.CRITERIA:
    setattr(RatingForm, f"c_{_key}", _criterion_field(_key))


class DossierActionForm(PortalForm):
    note = TextAreaField(_l("Text"), validators=[Optional(), Length(max=10000)])
    assignee = SelectField(
        _l("Officer"),
        coerce=int,
        choices=[],
        validate_choice=False,
        validators=[Optional(), NumberRange(1, 2**31 - 1)],
    )
    new_date = DateField(_l("New appointment date"), validators=[Optional()])
    # Requesting fees for a procedure whose catalogue has no amount: the officer enters it and its basis.
    fee_amount = DongField(_l("Amount to pay, in dong"), render_kw={"inputmode": "numeric"})
    fee_basis = StringField(
        _l("Legal basis of the amount"), filters=[cleaned], validators=[Optional(), Length(max=300)]
    )


class DossierTemplateForm(TemplateForm):
    """A response template for dossiers: also what it is for."""

    purpose = SelectField(_l("Used for"), choices=options(TEMPLATE_PURPOSE.items()))
