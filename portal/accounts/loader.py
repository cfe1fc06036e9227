"""Who is signed in: the session cookie's id back to an account (Flask-Login's user loader)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import bindparam, select
from sqlalchemy.orm import lazyload

from portal.extensions import db, login_manager

from .models import Account

# Built once: `db.session.get(..., options=[lazyload(...)])` built the option, the statement and its cache
# key again on every signed-in request. The agency is loaded only by the pages that read it (`lazyload`), not
# joined (with its admin unit) into the one statement every signed-in request runs.
_BY_ID = select(Account).options(lazyload(Account.agency)).where(Account.id == bindparam("account_id"))


def init_app(app: Flask) -> None:
    """Called by create_app after security.init_app has set Flask-Login up."""
    login_manager.user_loader(load_account)


def load_account(session_id: str) -> Account | None:
    """Session ids are 'account id:session version': a bumped version ends old sessions."""
    account_id, _, version = session_id.partition(":")
    if not account_id.isdigit() or not version.isdigit():
        return None
    account = db.session.execute(_BY_ID, {"account_id": int(account_id)}).scalar_one_or_none()
    if account is None or account.session_version != int(version) or not account.is_enabled:
        return None
    return account
