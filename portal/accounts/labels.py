"""Translated names of the events recorded about an account (sign-in, two-step sign-in, password, access).

Shown on the admin's account page and in the audit log next to the event's code, so an officer reading
either in Vietnamese is not left with `two_factor_failed`.
"""

from flask_babel import lazy_gettext as _l

from portal.events.registry import Actors, Registry, Subject

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
}
# The province's sign-in policy (portal.accounts.two_factor).
POLICY_EVENT = {"two_factor_policy_changed": _l("Two-step sign-in policy changed")}


def register_events(events: Registry) -> None:
    """Accounts and the sign-in policy as subjects of the audit log, and the accounts as its actors."""
    events.acted_by(Actors(Account, Account.id, Account.email, Account.full_name))
    events.subject(
        Subject("account", _l("Account"), Account, Account.email, Account.agency_id, stored=str.lower), EVENT
    )
    events.subject(Subject("sign_in_policy", _l("Sign-in policy")), POLICY_EVENT)
