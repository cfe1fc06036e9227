"""Who may see and do what on a payment: the one place every payment route asks.

Ownership (issue 9, decided by the lead):

- The VietQR receiving account is ONE provincial account (`bank_account.VietQRAccount`, a single row). The
  account, its bank statements and the credits that name no known reference ("unmatched") belong to the
  province: the `finance` role (Kế toán / Tài chính tỉnh) and the province `admin`. Only they import
  statements and see or attach unmatched credits. They have no agency.
- A payment belongs to the agency of its dossier. That agency's desk sees it in the flagged list, shows its
  QR at the counter and confirms cash; the province admin may do so everywhere. For every other officer a
  payment of another agency does not exist: 404, the same answer as an unknown reference.
- The bank itself pays whatever reference it names: a signed notification, or a statement line that the
  province's finance officer uploads, settles that reference whatever the agency (that is the bank speaking).
- Public pages are reached by the reference alone. The reference is a bearer secret (45 random bits and a
  check symbol), so they show only what a banking app needs to pay: the amount, the bank account, the
  reference and whether it is paid. Never a name, a dossier code or anything else about the applicant.
  The e-receipt names the payer and the dossier: only the dossier's citizen and its agency's staff see it.
- Payments never imports dossiers: a payment's agency and who may see its receipt are asked of the FeeOwner
  that the dossiers feature registers at app start (portal/payments/fees.py, portal/dossiers/wiring.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import bindparam, false, select, true

from portal.accounts.models import Account
from portal.domain import roles
from portal.domain.payment_reference import is_valid
from portal.domain.roles import Role
from portal.extensions import db
from portal.settings import BankAccount

from . import fees, payable_cache
from .bank_account import SINGLE_ROW_ID, VietQRAccount
from .models import PAYABLE, Payment, amount_due

ACCOUNT_OWNERS = (
    Role.FINANCE.value,
    Role.ADMIN.value,
)  # the provincial account: statements and unmatched credits
DESK = tuple(roles.DESK)  # confirm a payment at the counter
COUNTER_VIEW = (*DESK, Role.PROCESSOR.value)  # show the QR large at the desk
# /staff/payments: the flagged list (scoped), and the account's work for finance
LIST = (*DESK, Role.FINANCE.value)
REFUND = LIST  # record the refund of an overpayment (may_refund narrows it per payment)


def owns_account(user: Account) -> bool:
    """Statements and unmatched credits: the province's finance officers and the administrator."""
    return user.is_authenticated and user.role in ACCOUNT_OWNERS


def sees_payment(user: Account, payment: Payment) -> bool:
    """An agency's desk sees its own agency's payments; the province admin every payment."""
    if not user.is_authenticated or user.role not in COUNTER_VIEW:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.agency_id is not None and fees.owner().agency_of(payment) == user.agency_id


def may_confirm(user: Account, payment: Payment) -> bool:
    return user.role in DESK and sees_payment(user, payment)


def may_refund(user: Account, payment: Payment) -> bool:
    """Recording that an overpayment went back to the payer: the agency's desk (cash at the counter) and the
    province's finance officers (a transfer from the provincial account), and the admin."""
    return owns_account(user) or may_confirm(user, payment)


def refundable_payment(reference: str) -> Payment:
    """For the refund form: 404 unless the signed-in officer may record this payment's refund."""
    payment = find(reference)
    if payment is None or not may_refund(current_user, payment):
        abort(404)
    return payment


def listed_payments(user: Account):
    """SQL condition on Payment for the flagged list: the officer's agency; the whole province for the
    province roles (finance reconciles the one account, and needs the references it may attach credits to)."""
    if user.role in ACCOUNT_OWNERS:
        return true()
    if user.role in DESK and user.agency_id is not None:
        return fees.owner().of_agency(user.agency_id)
    return false()


def may_see_dossier(payment: Payment) -> bool:
    """What the fee is for (procedure, dossier code) on the payment page: the dossier's citizen and staff only;
    a visitor holding nothing but the reference sees neither."""
    return fees.owner().may_view(payment)


def may_see_receipt(payment: Payment) -> bool:
    """The e-receipt names the payer: the dossier's citizen (account or secret link), its agency's staff."""
    return payment.paid_at is not None and fees.owner().may_view(payment)


def find(reference: str) -> Payment | None:
    reference = reference.strip().upper()
    if not is_valid(reference):
        return None
    return db.session.scalar(select(Payment).where(Payment.reference == reference))


def public_payment(reference: str) -> Payment:
    """For the public pages: anyone holding the reference (see the module's docstring for what they show)."""
    return find(reference) or abort(404)


def staff_payment(reference: str) -> Payment:
    """For the staff pages: 404 unless the signed-in officer sees this payment (never 403: no leak)."""
    payment = find(reference)
    if payment is None or not sees_payment(current_user, payment):
        abort(404)
    return payment


def attachable_payment(reference: str) -> Payment | None:
    """The payment an unmatched credit may be attached to: any reference in the province, for its owners."""
    return find(reference) if owns_account(current_user) else None


@dataclass(frozen=True, slots=True)
class Payable:
    """What a payment's QR encodes: its reference, the amount still due and the fee account in force."""

    reference: str
    amount_vnd: int
    bank: BankAccount


# One statement for the QR images: the payment if it is still to pay, and the saved fee account if any
# (bank_account.bank_in_force decides the same way: the saved row, else the environment's settings). Built
# once, on the tables' columns: run on the session's connection it skips the ORM (no entity, no joined
# dossier), a third of the image's cost otherwise.
_payments, _accounts = Payment.__table__.c, VietQRAccount.__table__.c
_PAYABLE = (
    select(
        _payments.reference,
        _payments.status,
        _payments.amount_vnd,
        _payments.received_vnd,
        _accounts.bank_bin,
        _accounts.account_number,
        _accounts.account_name,
    )
    .select_from(Payment.__table__.outerjoin(VietQRAccount.__table__, _accounts.id == SINGLE_ROW_ID))
    .where(_payments.reference == bindparam("reference"), _payments.status.in_(PAYABLE))
)


def payable(reference: str) -> Payable | None:
    """For the QR images (public, by the reference alone, like the payment page): None for an unknown
    reference, and for a payment no longer to pay (paid, overpaid, cancelled), whose page shows no QR.

    Answered from this process's short memory when it can (payable_cache: at most 5 s old, forgotten at once
    when this process changes a payment or the fee account), so the same image asked again runs no SQL."""
    reference = reference.strip().upper()
    if not is_valid(reference):
        return None
    return payable_cache.memory().get(reference, _payable_now)


def _payable_now(reference: str) -> Payable | None:
    """`payable` read from the database (`reference` valid and normalised)."""
    row = db.session.connection().execute(_PAYABLE, {"reference": reference}).first()
    if row is None:
        return None
    if row.bank_bin is None:
        bank = current_app.config["PORTAL_SETTINGS"].bank
    else:
        bank = BankAccount(row.bank_bin, row.account_number, row.account_name)
    return Payable(row.reference, amount_due(row.status, row.amount_vnd, row.received_vnd), bank)
