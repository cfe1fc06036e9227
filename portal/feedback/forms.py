"""Forms of the feedback feature: citizen submission, rating and reply; staff actions."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from portal.choices import PreparedSelectField, options
from portal.forms import PortalForm, cleaned, cleaned_multiline, mobile_phone_field, updates_email_field

from .labels import REFUSAL_REASONS


class SubmitForm(PortalForm):
    # Their options are prepared once per language and list (the route's `_fill_choices`).
    category = PreparedSelectField(
        _l("Category"), coerce=int, validators=[InputRequired(_l("Choose a category."))]
    )
    title = StringField(
        _l("Title"),
        filters=[cleaned],
        validators=[DataRequired(_l("Give your report a short title.")), Length(max=200)],
    )
    description = TextAreaField(
        _l("What is the problem?"),
        filters=[cleaned_multiline],
        validators=[
            DataRequired(_l("Describe the problem.")),
            Length(min=10, max=5000, message=_l("The description must be between 10 and 5,000 characters.")),
        ],
    )
    commune = PreparedSelectField(
        _l("Commune or ward"), validators=[DataRequired(_l("Choose the commune or ward."))]
    )
    address = StringField(
        _l("Place (village, street, landmark)"), filters=[cleaned], validators=[Optional(), Length(max=300)]
    )
    latitude = FloatField(
        _l("Latitude"), validators=[Optional(), NumberRange(20.5, 22.1)], render_kw={"inputmode": "decimal"}
    )
    longitude = FloatField(
        _l("Longitude"),
        validators=[Optional(), NumberRange(103.2, 105.2)],
        render_kw={"inputmode": "decimal"},
    )
    precise_pin = BooleanField(_l("Show the exact point on the public page of this report (optional)."))
    photos = MultipleFileField(
        _l("Photos (up to 5, JPEG, PNG or WebP)"), render_kw={"accept": "image/jpeg,image/png,image/webp"}
    )
    contact_name = StringField(
        _l("Your name"),
        filters=[cleaned],
        validators=[Optional(), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    phone = mobile_phone_field()
    email = updates_email_field()
    show_name = BooleanField(_l("Show my name publicly with this report (optional)."))
    shared_phone = BooleanField(_l("This is a shared phone: remember nothing after I finish"))
    consent = BooleanField(
        validators=[DataRequired(_l("You must agree to the personal-data notice to send."))]
    )
    # Honeypot: hidden from people by CSS; bots fill every field.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])
    # One-time form nonce (portal/form_nonce.py): the same form sent twice creates one report.
    nonce = HiddenField()


class RateForm(PortalForm):
    satisfied = RadioField(
        _l("Are you satisfied with the answer?"),
        choices=options([("yes", _l("Satisfied")), ("no", _l("Not satisfied"))]),
        validators=[InputRequired(_l("Choose one answer."))],
    )
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=1000)])


class SupplyInfoForm(PortalForm):
    text = TextAreaField(
        _l("Your answer"),
        filters=[cleaned_multiline],
        validators=[DataRequired(_l("Write your answer.")), Length(max=5000)],
    )
    photos = MultipleFileField(
        _l("Photos (optional, up to 5, JPEG, PNG or WebP)"),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    # Set only when the form comes back after an error: the key of the photos already received (drafts).
    nonce = HiddenField()


class RedactForm(PortalForm):
    """Staff hide personal details from the public (issue 18 item 3); the citizen's original stays."""

    public_title = StringField(
        _l("Title as the public sees it"),
        filters=[cleaned],
        validators=[DataRequired(_l("Give your report a short title.")), Length(max=200)],
    )
    public_description = TextAreaField(
        _l("Description as the public sees it"),
        filters=[cleaned_multiline],
        validators=[DataRequired(_l("Describe the problem.")), Length(max=5000)],
    )


class StaffActionForm(PortalForm):
    """One form for every staff action; each action reads the fields it needs."""

    note = TextAreaField(_l("Text"), validators=[Optional(), Length(max=10000)])
    reason = SelectField(
        _l("Reason"), choices=options([("", "")] + list(REFUSAL_REASONS.items())), validators=[Optional()]
    )
    agency = SelectField(
        _l("Agency"),
        coerce=int,
        choices=[],
        validate_choice=False,
        validators=[Optional(), NumberRange(1, 2**31 - 1)],
    )
    assignee = SelectField(
        _l("Officer"),
        coerce=int,
        choices=[],
        validate_choice=False,
        validators=[Optional(), NumberRange(1, 2**31 - 1)],
    )
    duplicate_of = StringField(_l("Code of the original report"), validators=[Optional(), Length(max=20)])


class FixReplyForm(PortalForm):
    """The one-tap "is it fixed?" reply (portal/feedback/closure.py): the pressed button is the answer."""

    answer = RadioField(
        _l("Is it fixed?"),
        choices=options([("yes", _l("Yes, it is fixed")), ("no", _l("No, not fixed"))]),
        validators=[InputRequired(_l("Choose one answer."))],
    )
    comment = TextAreaField(
        _l("Comment (optional)"), filters=[cleaned_multiline], validators=[Optional(), Length(max=1000)]
    )
