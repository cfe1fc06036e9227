"""Forms of /staff/admin/accounts and /staff/admin/security: staff accounts (create, role, password) and the
sign-in policy. Shape checks live here; checks that need the database (a unique e-mail, the actor's rights)
are made by portal.accounts.admin_operations and shown on the same fields."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from portal.domain.roles import Role
from portal.forms import PortalForm, cleaned, lower

from .forms import new_password_field

# The staff roles as an administrator reads them. Passwords follow the reset form's rules (new_password_field).
ROLES: dict[str, LazyString] = {
    Role.RECEPTIONIST: _l("Receptionist (one-stop desk)"),
    Role.PROCESSOR: _l("Processing officer"),
    Role.LEADER: _l("Leader"),
    Role.AGENCY_ADMIN: _l("Agency administrator"),
    Role.ADMIN: _l("Province administrator"),
    Role.FINANCE: _l("Province finance (fee account and bank statements)"),
}


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
    password = new_password_field(_l("Initial password"))


class RoleForm(PortalForm):
    role = SelectField(_l("Role"), choices=[], validators=[DataRequired(_l("Choose a role."))])
    agency = SelectField(_l("Agency"), choices=[])


class PasswordForm(PortalForm):
    password = new_password_field(_l("New password"))


class SignInPolicyForm(PortalForm):
    require_staff_two_factor = BooleanField(_l("Staff must use two-step sign-in (a code from a phone app)"))
