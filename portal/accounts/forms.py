"""Sign-in, second-factor, enrolment and password-reset forms; the password rules' translated messages."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from portal.choices import options
from portal.forms import PortalForm, nfc_or_none

from .passwords import MAX_LENGTH, WeakPassword, check_password_rules

PASSWORD_MESSAGES = {
    "short": _l("The password must have at least 8 characters."),
    "long": _l("The password may have at most 256 characters."),
    "common": _l("This password is too common. Choose a longer, less predictable one."),
}


def password_rules(form, field):
    try:
        check_password_rules(field.data or "")
    except WeakPassword as error:
        raise ValidationError(PASSWORD_MESSAGES[error.reason]) from None


def new_password_field(label):
    """A new password, checked against the same rules everywhere (ASVS: length and common list only)."""
    return PasswordField(
        label,
        filters=[nfc_or_none],
        validators=[DataRequired(_l("Enter a password.")), Length(max=MAX_LENGTH), password_rules],
        render_kw={"autocomplete": "new-password"},
    )


def _email_field():
    return EmailField(
        _l("E-mail"),
        render_kw={"autocomplete": "username"},
        validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)],
    )


class LoginForm(PortalForm):
    # An e-mail address or the mobile number a citizen signed up with (portal.accounts.operations).
    email = StringField(
        _l("E-mail or mobile phone"),
        render_kw={"autocomplete": "username"},
        validators=[DataRequired(_l("Enter your e-mail address or mobile phone number.")), Length(max=254)],
    )
    # NFC first: the same Vietnamese password typed on iOS (NFD) is longer before normalising.
    password = PasswordField(
        _l("Password"),
        filters=[nfc_or_none],
        validators=[DataRequired(_l("Enter your password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


def _code_field(label, required: bool = True):
    return StringField(
        label,
        validators=[
            DataRequired(_l("Enter the 6-digit code from your authenticator app."))
            if required
            else Optional(),
            Length(max=20),
        ],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "pattern": "[0-9 ]*",
            "maxlength": "7",
        },
    )


class SecondFactorForm(PortalForm):
    """A code from the app, or (under "Use a recovery code") one of the ten recovery codes."""

    code = _code_field(_l("6-digit code"), required=False)
    recovery_code = StringField(
        _l("Recovery code"),
        validators=[Optional(), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not (self.code.data or "").strip() and not (self.recovery_code.data or "").strip():
            self.code.errors = [_l("Enter the 6-digit code from your authenticator app.")]
            return False
        return True

    def given(self) -> str:
        return (self.code.data or "").strip() or (self.recovery_code.data or "").strip()


class EnrolForm(PortalForm):
    code = _code_field(_l("6-digit code shown by the app"))


class ForgotPasswordForm(PortalForm):
    # An e-mail address (a link is e-mailed) or a proven mobile number (a code is texted).
    email = StringField(
        _l("E-mail or mobile phone"),
        render_kw={"autocomplete": "username"},
        validators=[DataRequired(_l("Enter your e-mail address or mobile phone number.")), Length(max=254)],
    )


def code_field() -> StringField:
    """The 6-digit code that was e-mailed or texted (sign-up and reset by phone)."""
    return StringField(
        _l("6-digit code"),
        validators=[DataRequired(_l("Enter the 6-digit code we sent you.")), Length(max=10)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "7"},
    )


class ResetPasswordForm(PortalForm):
    password = new_password_field(_l("New password"))
    confirm = PasswordField(
        _l("New password again"),
        filters=[nfc_or_none],
        validators=[
            DataRequired(_l("Enter the new password again.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class PhoneResetForm(ResetPasswordForm):
    """The code texted to the phone, and the new password."""

    code = code_field()


class SignUpForm(PortalForm):
    """Citizen sign-up, step 1: who they are and where the code goes (an e-mail address or, for the many
    villagers without one, a mobile phone)."""

    channel = RadioField(
        _l("Send the code by"),
        choices=options([("email", _l("E-mail")), ("phone", _l("Text message (SMS) to my mobile phone"))]),
        default="email",
    )
    full_name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("E-mail"),
        validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    phone = StringField(
        _l("Mobile phone"),
        validators=[Optional(), Length(max=20)],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.channel.data == "phone" and not (self.phone.data or "").strip():
            self.phone.errors = [*self.phone.errors, _l("Enter your mobile phone number.")]
            return False
        if self.channel.data != "phone" and not (self.email.data or "").strip():
            self.email.errors = [*self.email.errors, _l("Enter your e-mail address.")]
            return False
        return valid


class SignUpVerifyForm(PortalForm):
    """Step 2: the code that was sent, and the password."""

    code = code_field()
    password = new_password_field(_l("Choose a password"))
    confirm = PasswordField(
        _l("Password again"),
        filters=[nfc_or_none],
        validators=[
            DataRequired(_l("Enter the password again.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
