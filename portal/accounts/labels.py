"""Translated names of what the audit log records about accounts and sign-in (shown in /staff/audit)."""
from flask_babel import lazy_gettext as _l

EVENT = {
    "login": _l("Signed in"),
    "login_failed": _l("Sign-in failed"),
    "account_created": _l("Account created"),
    "account_enabled": _l("Account enabled"),
    "account_disabled": _l("Account disabled"),
    "password_reset": _l("Password reset by an administrator"),
    "password_reset_requested": _l("Password reset link requested"),
    "password_reset_used": _l("Password changed with a reset link"),
    "two_factor_enabled": _l("Two-step sign-in turned on"),
    "two_factor_enrol_failed": _l("Two-step sign-in set-up failed (wrong code)"),
    "two_factor_failed": _l("Wrong second-step code"),
    "recovery_code_used": _l("Recovery code used"),
    "two_factor_reset": _l("Two-step sign-in reset"),
}
# The province's sign-in policy (portal.accounts.two_factor).
POLICY_EVENT = {"two_factor_policy_changed": _l("Two-step sign-in policy changed")}
