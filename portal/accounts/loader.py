"""Who is signed in: the session cookie's id back to an account (Flask-Login's user loader).

Every signed-in request needs the account (its role, agency and session version); the same officer asks
for a page many times a minute. So the account's columns are kept per process for `SNAPSHOT_SECONDS`
(`_kept`, per application, at most `MAX_KEPT` accounts) and each request gets its own instance of the request's database
session built from them, as the query would have given it (the agency still loads when a page reads it).

What stays true (README, "Signed-in account"):
- A change this process makes to ANY account (disable, role or agency change, password change, a new
  session version) is seen by the very next request: a flush or an ORM UPDATE/DELETE that touches accounts
  moves the process's generation on (when it happens and again when its transaction ends), and a kept
  snapshot of another generation is never used. The generation is read before the account is, so a
  snapshot read before a commit is never kept under the generation that follows it.
- With Redis (the only way to run several processes or nodes: gunicorn.conf.py), a change committed by ANY
  process is seen by every process's next request too: the committing process increments a counter in the
  shared cache (`SHARED_KEY`) after its commit, every request reads that counter (one Redis round trip,
  instead of the account's SQL statement and its ORM loading), and a snapshot taken under another value of
  it is never used. If Redis does not answer, nothing kept is used: the account is read from the database.
  This keeps SECURITY.md check 4: a disabled account or a bumped session version ends every other session
  of that user on its next request, whichever process answers it.
- Without Redis there is one web process; what another process changes (a scheduled command such as the
  retention job) and what no process's ORM saw (an UPDATE typed into psql) is seen within `SNAPSHOT_SECONDS`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import bindparam, event, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session, lazyload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from portal.extensions import cache, db, login_manager

from .models import Account

# Built once: `db.session.get(..., options=[lazyload(...)])` built the option, the statement and its cache
# key again on every signed-in request. The agency is loaded only by the pages that read it (`lazyload`), not
# joined (with its admin unit) into the one statement every signed-in request runs.
_BY_ID = select(Account).options(lazyload(Account.agency)).where(Account.id == bindparam("account_id"))

SNAPSHOT_SECONDS = 5.0
MAX_KEPT = 4096
_WRITING = "accounts_loader_writing"  # session.info: this transaction changed an account
SHARED_KEY = "accounts:generation"  # in the shared cache (Redis): bumped after each commit that changed one

logger = logging.getLogger(__name__)
clock: Callable[[], float] = time.monotonic  # replaced by tests to move time forward
_generation = 0
_columns: tuple[str, ...] = ()


def init_app(app: Flask) -> None:
    """Called by create_app after security.init_app has set Flask-Login up."""
    login_manager.user_loader(load_account)
    for name, listener in (
        ("after_flush", _after_flush),
        ("do_orm_execute", _orm_execute),
        ("after_commit", _committed),
        ("after_soft_rollback", _transaction_over),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def load_account(session_id: str) -> Account | None:
    """Session ids are 'account id:session version': a bumped version ends old sessions."""
    account_id, _, version = session_id.partition(":")
    if not account_id.isdigit() or not version.isdigit():
        return None
    account = _account(int(account_id))
    if account is None or account.session_version != int(version) or not account.is_enabled:
        return None
    return account


def _account(account_id: int) -> Account | None:
    started, shared = clock(), _shared_generation()
    seen = (_generation, shared)
    kept = _kept()
    found = kept.get(account_id)
    if (
        shared is not None
        and found is not None
        and found[1] == seen
        and started - found[0] < SNAPSHOT_SECONDS
    ):
        return _instance(account_id, found[2])
    account = db.session.execute(_BY_ID, {"account_id": account_id}).scalar_one_or_none()
    if account is not None and shared is not None and not db.session.info.get(_WRITING):
        if len(kept) >= MAX_KEPT:
            kept.clear()
        kept[account_id] = (started, seen, {name: getattr(account, name) for name in _column_names()})
    return account


def _shared() -> bool:
    return bool(current_app.config["PORTAL_SETTINGS"].redis_url)


def _shared_generation() -> int | None:
    """The accounts' generation all processes share (Redis), 0 without Redis (one process: its own generation
    says everything), None when Redis does not answer (then no snapshot is used or kept)."""
    if not _shared():
        return 0
    try:
        return int(cache.get(SHARED_KEY) or 0)
    except Exception:  # noqa: BLE001 - any cache failure: read the account from the database
        return None


def _announce() -> None:
    """After a commit that changed an account: every process's snapshots taken before it stop counting."""
    if not has_app_context() or not _shared():
        return
    try:
        cache.cache.inc(SHARED_KEY)
    except Exception:  # noqa: BLE001 - the others see it when their snapshot ages out (SNAPSHOT_SECONDS)
        logger.warning("could not announce an account change to the other processes", exc_info=True)


def _kept() -> dict[int, tuple[float, tuple[int, int | None], dict[str, Any]]]:
    """This application's snapshots: account id -> (read at, generation, the columns' values)."""
    return current_app.extensions.setdefault("accounts_loader_kept", {})


def _column_names() -> tuple[str, ...]:
    global _columns
    if not _columns:
        _columns = tuple(attribute.key for attribute in inspect(Account).column_attrs)
    return _columns


def _instance(account_id: int, columns: dict[str, Any]) -> Account:
    """The account as an instance of this request's session: the one already there, else one made from the
    kept columns (persistent and clean, as if just loaded; its agency loads when read)."""
    session = db.session()
    present = session.identity_map.get(inspect(Account).identity_key_from_primary_key((account_id,)))
    if present is not None:
        return present
    account = inspect(Account).class_manager.new_instance()
    for name, value in columns.items():
        set_committed_value(account, name, value)
    make_transient_to_detached(account)
    session.add(account)
    return account


def forget() -> None:
    """Every kept account is read again (tests; a change made outside the ORM)."""
    global _generation
    _generation += 1


def _wrote(session: Session) -> None:
    session.info[_WRITING] = True
    forget()


def _after_flush(session: Session, flush_context) -> None:
    for group in (session.new, session.dirty, session.deleted):
        if any(isinstance(item, Account) for item in group):
            _wrote(session)
            return


def _orm_execute(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is inspect(Account):
        _wrote(state.session)


def _committed(session: Session) -> None:
    if session.info.pop(_WRITING, False):
        forget()
        _announce()


def _transaction_over(session: Session, *args) -> None:
    if session.info.pop(_WRITING, False):
        forget()
