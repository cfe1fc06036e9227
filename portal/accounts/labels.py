"""Translated names of the events recorded about an account (sign-in, two-step sign-in, password, access).

Shown on the admin's account page and in the audit log next to the event's code, so an officer reading
either in Vietnamese is not left with `two_factor_failed`.
"""

import json
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.domain.roles import Role
from portal.events.registry import Actors, Registry, Subject

from .admin_forms import ROLES
from .models import Account

EVENT = {
    "login": _l("Signed in"),
    "login_failed": _l("Wrong password"),
    "two_factor_enabled": _l("Two-step sign-in set up"),
    "two_factor_enrol_failed": _l("Wrong code while setting up two-step sign-in"),
    "two_factor_failed": _l("Wrong two-step sign-in code"),
    "two_factor_reset": _l("Two-step sign-in reset"),
    "recovery_code_used": _l("Signed in with a recovery code"),
    "password_reset_requested": _l("New password link asked for"),
    "password_reset_used": _l("Password changed with an e-mailed link"),
    "password_reset": _l("Password set by an administrator"),
    "account_created": _l("Account created"),
    "account_enabled": _l("Account enabled"),
    "account_disabled": _l("Account disabled"),
    "account_role_changed": _l("Role or agency changed"),
    "two_factor_enrol_refused": _l("Two-step sign-in set-up refused"),
}
# The province's sign-in policy (portal.accounts.two_factor).
POLICY_EVENT = {"two_factor_policy_changed": _l("Two-step sign-in policy changed")}
# Every role by name (the staff ones as the account forms name them), for notes that hold one.
ROLE_NAMES = {Role.CITIZEN.value: _l("Citizen"), **{str(role): label for role, label in ROLES.items()}}
FIELDS = {
    "email": _l("E-mail"),
    "full_name": _l("Full name"),
    "role": _l("Role"),
    "is_enabled": _l("Enabled"),
    "session_version": _l("Sign-in sessions (ended when it changes)"),
    "require_staff_two_factor": _l("Two-step sign-in required for staff"),
}
POLICY_SOURCES = {
    "database": _l("the portal's settings page"),
    "environment": _l("the server's configuration"),
}
RECOVERY_LEFT = re.compile(r"^(\d+) left$")


def _created(note: str) -> str:
    """account_created: the role alone (accounts made by a command or the demo) or a change note."""
    if note in ROLE_NAMES:
        return str(ROLE_NAMES[note])
    from portal.events.describe import note_text

    return note_text("account", "", note)


def _recovery(note: str) -> str:
    match = RECOVERY_LEFT.match(note)
    return _("%(count)s recovery codes left", count=match[1]) if match else note


def _two_factor_reset(note: str) -> str:
    try:
        by = json.loads(note).get("by")
    except (ValueError, AttributeError):
        return note
    return {
        "administrator": _("Reset by an administrator"),
        "command line": _("Reset from the command line"),
    }.get(by, note)


FIXED_NOTES = {
    ("login_failed", "unknown e-mail"): _l("No account has this e-mail address"),
    ("password_reset_requested", "unknown or disabled e-mail"): _l(
        "No enabled account has this e-mail address"
    ),
    ("password_reset_requested", "unknown or disabled phone"): _l(
        "No enabled account has this mobile phone number"
    ),
    ("password_reset_requested", "by text message"): _l("A code by text message, not a link"),
    ("password_reset_used", "by text message"): _l("With a code texted to the phone, not an e-mailed link"),
    ("two_factor_enrol_refused", "password alone, from a browser the account never signed in from"): _l(
        "Password alone, from a browser the account never signed in from"
    ),
}


def _fixed(action: str):
    def read(note: str) -> str:
        found = FIXED_NOTES.get((action, note))
        return str(found) if found is not None else note

    return read


def register_events(events: Registry) -> None:
    """Accounts and the sign-in policy as subjects of the audit log, and the accounts as its actors."""
    events.acted_by(Actors(Account, Account.id, Account.email, Account.full_name))
    events.subject(
        Subject("account", _l("Account"), Account, Account.email, Account.agency_id, stored=str.lower), EVENT
    )
    events.subject(Subject("sign_in_policy", _l("Sign-in policy")), POLICY_EVENT)
    events.field_labels(FIELDS, {"role": ROLE_NAMES, "source": POLICY_SOURCES})
    events.note_reader("account", "account_created", _created)
    events.note_reader("account", "recovery_code_used", _recovery)
    events.note_reader("account", "two_factor_reset", _two_factor_reset)
    fixed = ("login_failed", "password_reset_requested", "password_reset_used", "two_factor_enrol_refused")
    for action in fixed:
        events.note_reader("account", action, _fixed(action))
