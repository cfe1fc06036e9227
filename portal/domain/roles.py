"""Who works in the portal: the roles and the named groups of roles every rule and route uses. Pure: stdlib only.

Declared once here; the status machines (dossier_status, feedback_status), the route guards
(portal.auth.access.allow) and the account model's CHECK constraint all read these names.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CITIZEN = "citizen"
    RECEPTIONIST = "receptionist"  # one-stop-shop desk: receives dossiers, returns results, takes payments
    PROCESSOR = "processor"  # chuyên viên: works a case
    LEADER = "leader"  # lãnh đạo: approves results, sees the agency's figures
    AGENCY_ADMIN = "agency_admin"  # keeps the agency's accounts, templates and settings
    ADMIN = "admin"  # province-wide administrator
    FINANCE = "finance"  # kế toán tỉnh: the provincial VietQR account, its statements and unmatched credits
    # A village intermediary (a community digital-team member, a village head, a commune officer): files
    # feedback and dossiers on behalf of villagers for one commune. Not staff: no queue, no staff pages.
    INTERMEDIARY = "intermediary"


def _names(*roles: Role) -> tuple[str, ...]:
    """Plain strings, so that a set prints, compares and binds to SQL as the stored text."""
    return tuple(role.value for role in roles)


R = Role
# Every staff role, in the order the account model's CHECK constraint lists them (the migrations wrote it so).
STAFF_ROLES = _names(R.RECEPTIONIST, R.PROCESSOR, R.LEADER, R.AGENCY_ADMIN, R.ADMIN, R.FINANCE)
ROLES = (R.CITIZEN.value, *STAFF_ROLES, R.INTERMEDIARY.value)
# Province-wide staff, with no agency of their own.
PROVINCE_ROLES = _names(R.ADMIN, R.FINANCE)
# Everyone who has a queue of feedback and dossiers: an agency's staff and the province-wide admin.
# Not finance, whose work is the provincial account, not cases.
QUEUE_ROLES = frozenset(_names(R.RECEPTIONIST, R.PROCESSOR, R.LEADER, R.AGENCY_ADMIN, R.ADMIN))
# Who takes a case into their own hands (take next, claim, release): everyone with a queue except the
# agency administrator, whose work is the agency's set-up.
CASE_WORKERS = frozenset(_names(R.RECEPTIONIST, R.PROCESSOR, R.LEADER, R.ADMIN))
# The counter: receives dossiers, returns results, confirms a payment in cash.
DESK = frozenset(_names(R.RECEPTIONIST, R.LEADER, R.ADMIN))
# Who handles a case's substance: starts it, asks for documents or fees, drafts the answer.
HANDLERS = frozenset(_names(R.PROCESSOR, R.LEADER, R.ADMIN))
# Who may be given a case to work on: the agency's processors and leaders.
ASSIGNEES = frozenset(_names(R.PROCESSOR, R.LEADER))
# The agency's leader and, above every agency, the province admin: they sign off results, stop a dossier,
# reopen a closed item and take a case back from whoever holds it.
LEADERS = frozenset(_names(R.LEADER, R.ADMIN))
# Who watches over an agency's work: the dashboard, reopening a closed item.
SUPERVISORS = frozenset(_names(R.LEADER, R.AGENCY_ADMIN, R.ADMIN))
# Who sees a feedback reporter's contact details besides the officer assigned to the item.
CONTACT_VIEWERS = frozenset(_names(R.LEADER, R.ADMIN))

# The event a filing by an intermediary leaves on the case's timeline (portal/intermediaries), read by the
# staff's report page to name who filed it for a villager without a phone.
FILED_ON_BEHALF = "filed_on_behalf"
