"""Administration of the VietQR fee account (the province administrator only): save the account citizens
pay into, over the environment's VIETQR_* settings. Audited through portal.admin.changes; flush, never
commit."""

from __future__ import annotations

from portal.admin.changes import Actor, Forbidden, is_province_admin, note
from portal.events.operations import record
from portal.extensions import db
from portal.settings import BankAccount

from .bank_account import SINGLE_ROW_ID, VietQRAccount, bank_in_force


def bank_fields(bank: BankAccount) -> dict[str, str]:
    """The account as the form and the audit note name its fields."""
    return {"bank_bin": bank.bin, "account_number": bank.number, "account_name": bank.name}


def save_bank(actor: Actor, *, bank_bin: str, account_number: str, account_name: str) -> bool:
    if not is_province_admin(actor):
        raise Forbidden
    bank, source = bank_in_force()
    current = bank_fields(bank)
    wanted = {"bank_bin": bank_bin, "account_number": account_number, "account_name": account_name}
    row = db.session.get(VietQRAccount, SINGLE_ROW_ID)
    if row is not None and current == wanted:
        return False
    if row is None:
        row = VietQRAccount(id=SINGLE_ROW_ID, **wanted, updated_by_id=actor.id)
        db.session.add(row)
    else:
        for name, value in wanted.items():
            setattr(row, name, value)
        row.updated_by_id = actor.id
    db.session.flush()
    before = {name: value for name, value in current.items() if value != wanted[name]}
    after = {name: wanted[name] for name in before}
    before["source"], after["source"] = source, "database"
    record(
        "vietqr_account", SINGLE_ROW_ID, "bank_account_updated", actor_id=actor.id, note=note(before, after)
    )
    return True
