"""The form of /staff/admin/bank: the VietQR fee account (bank BIN, account number and name)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError

from portal.forms import PortalForm, cleaned, upper

BANK_BIN = re.compile(r"[0-9]{6}")
ACCOUNT_NUMBER = re.compile(r"[0-9A-Za-z]{1,19}")
ACCOUNT_NAME = re.compile(r"[A-Z0-9 .,-]{1,50}")


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
