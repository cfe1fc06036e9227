"""The texts citizens consent to, and their versions.

A notice's version is derived from its text: the date it was first shown and the start of the SHA-256 of
the text (`2026-12-06.1a2b3c4d5e6f`). Every version's text is stored (ConsentNotice), so what a citizen
agreed to can be shown later. The texts are built from the very strings the forms show (the same
translated messages, in the language of the page), so a changed form text is a new version by itself.
"""

from __future__ import annotations

import hashlib
import re
from html import unescape

from flask import has_request_context, render_template
from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

from portal import fragments
from portal.db_types import utcnow
from portal.i18n import locale_code

from .models import ConsentNotice

STORED_HERE = "portal.privacy.notices_stored"  # session.info: digests this transaction inserted
_TAGS = re.compile(r"<[^>]+>")


def _plain(html: str) -> str:
    lines = (unescape(_TAGS.sub("", line)).strip() for line in html.splitlines())
    return "\n".join(line for line in lines if line)


def feedback_notice() -> str:
    """The feedback form's notice and its consent box, as shown (feedback/_new_fields.html). Within a
    request it is built once per process and language (the template and translations do not change while
    the process runs)."""
    if has_request_context():
        return fragments.remembered("privacy-notice-text", "feedback", _feedback_notice)
    return _feedback_notice()


def _feedback_notice() -> str:
    notice = _plain(render_template("feedback/_privacy_notice.html"))
    box = _(
        "I have read the personal-data notice and agree that the agency processes my name, phone, address "
        "and photos to receive, handle and answer this report."
    )
    return f"{notice}\n{box}"


def publish_name_notice() -> str:
    return _("Show my name publicly with this report (optional).")


def precise_pin_notice() -> str:
    """The report form's "precise map pin" box and its explanation, as shown (feedback/_new_fields.html)."""
    box = _("Show the exact point on the public page of this report (optional).")
    hint = _(
        "Without this, the public sees the place of a map point rounded to about 1 km, not your house. The "
        "agency always sees the exact point. You can withdraw this later on the My data page."
    )
    return f"{box}\n{hint}"


def dossier_notice() -> str:
    """The online dossier form's notice and its consent box (dossiers/apply.html)."""
    notice = _(
        "The receiving agency processes the data and documents in this dossier to settle the procedure, as "
        "the law requires. Identity-card images are sensitive personal data: they are stored privately and "
        "shown only to you and the officers handling the dossier."
    )
    box = _(
        "I have read the personal-data notice and agree that the agency processes these data and documents "
        "to settle this procedure."
    )
    return f"{notice}\n{box}"


def counter_notice() -> str:
    """What the desk's printed notice says: the citizen reads and signs it on paper at the counter."""
    return _(
        "Printed personal-data notice of the one-stop desk, read and signed on paper by the applicant: the "
        "receiving agency processes the data and documents in this dossier to settle the procedure, as the "
        "law requires; identity-card images are sensitive personal data."
    )


def _known(digest: str) -> dict[str, str] | None:
    """This process's slot for the version of the text with `digest` (None outside a request)."""
    if not has_request_context():
        return None
    return fragments.remembered("privacy-notice-version", digest, dict)


def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost: a savepoint's end leaves what the transaction stored
        session.info.pop(STORED_HERE, None)


def install_listeners() -> None:
    """Forget, when the outermost transaction ends (committed or rolled back), which notices it stored
    (wiring.py: once per process). Not `after_rollback`: it fires for a savepoint's rollback too, and a
    version stored before the savepoint would then be remembered while still uncommitted."""
    if not event.contains(Session, "after_transaction_end", _transaction_ended):
        event.listen(Session, "after_transaction_end", _transaction_ended)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def version_of(session: Session | scoped_session, purpose: str, text: str) -> str:
    """The version of `text`, storing it the first time it is seen (a concurrent first store is harmless:
    the insert does nothing when the text is already there).

    A version found stored is remembered by the process (per application, with the fragments: dropped
    with them) and not read again: a stored notice is never changed nor deleted. One this session's
    transaction stored is not remembered (a rollback would take it away): it is read again once committed.
    """
    digest = text_hash(text)
    known = _known(digest)
    if known is not None and "version" in known:
        return known["version"]
    stored = select(ConsentNotice.version).where(ConsentNotice.text_hash == digest)
    found = session.scalar(stored)
    if found is not None:
        if known is not None and digest not in session.info.get(STORED_HERE, ()):
            known["version"] = found
        return found
    session.info.setdefault(STORED_HERE, set()).add(digest)
    now = utcnow()
    values = {
        "version": f"{now.date().isoformat()}.{digest[:12]}",
        "text_hash": digest,
        "purpose": purpose,
        "locale": locale_code(),
        "text": text,
        "first_shown_at": now,
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(ConsentNotice).values(**values).on_conflict_do_nothing())
    version = session.scalar(stored)
    assert version is not None
    return version
