"""One-time form nonces: a form sent twice (a double tap, a retry on a slow link, the back button)
creates one item, and the second post lands on the first one's receipt.

How it holds together:
- Serving a form puts a fresh nonce in a hidden field: 144 random bits followed by a MAC of them (keyed
  with SECRET_KEY and a random key kept in this browser's signed session, written once per session).
  The server remembers nothing per form, so serving one does not re-sign the session cookie; any
  nonce this session was given checks (`issued_here`), one given to another session does not.
- The created item stores `stored(form, nonce)`: SHA-256 of the form's name and the nonce, in a column
  with a UNIQUE index. The name binds the value to one form (feedback, or one procedure's online or
  counter form), and the database never holds a nonce that could be posted again.
- A second post with the same nonce finds the first item and creates nothing. When both posts run at
  the same time, both miss the first look-up; the unique index lets exactly one insert commit and the
  other gets an IntegrityError: `lost_race` rolls it back, removes the files it wrote and returns the
  winner.
- Who sees the first receipt: a nonce is not a credential. It sits in the page's HTML, so anyone who
  copies it (a saved page, a shared computer's history, a screenshot of the source) could post it. The
  first receipt (code, private link) is therefore shown only when this session was given that nonce
  by the server (`issued_here`: its MAC checks with this session's key) — the same browser that loaded
  the form. Anyone else gets a neutral
  "this form was already sent" page that names no item and says how to track one. A nonce the client
  makes up cannot claim anyone's item either: it only ever matches an item whose form it was served.
- A post without a nonce, or with a malformed one (a page cached before nonces existed, a client that
  drops hidden fields), is still accepted: the server makes up a nonce for it. Such posts are not
  de-duplicated, so nothing breaks for a citizen with an old page; the next form they open has one.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets

from flask import current_app, session

from portal.domain.digests import keyed_digest, sha256_hex

SESSION_KEY = "form_nonces"  # before: the last nonces given, a list (still honoured for open sessions)
SESSION_NONCE_KEY = "form_nonce_key"  # this session's random key for the nonces' MAC
_RANDOM, _MAC = 24, 24  # characters of base64url: 144 random bits, then 144 bits of MAC
_WELL_FORMED = re.compile(r"[A-Za-z0-9_-]{22,64}")  # at least 128 bits of base64url


def new() -> str:
    return secrets.token_urlsafe(24)  # 192 bits


def well_formed(value: object) -> bool:
    return isinstance(value, str) and _WELL_FORMED.fullmatch(value) is not None


def _mac(key: str, random_part: str, secret: str | None = None) -> str:
    secret = current_app.config["SECRET_KEY"] if secret is None else secret
    digest = keyed_digest(secret, f"form-nonce:{key}:{random_part}")[:18]
    return base64.urlsafe_b64encode(digest).decode()


def issue() -> str:
    """A new nonce that this browser's session will recognise (the session is written only the first time,
    to hold its key)."""
    key = session.get(SESSION_NONCE_KEY)
    if not isinstance(key, str) or not key:
        key = session[SESSION_NONCE_KEY] = secrets.token_urlsafe(16)
    random_part = secrets.token_urlsafe(18)
    return random_part + _mac(key, random_part)


def prepare(field) -> str:
    """The nonce of this request: the posted one if well formed, else a new one (also for a GET).

    The field then renders it, so a form shown again after a validation error keeps its nonce.
    """
    if not well_formed(field.data):
        field.data = issue()
    return field.data


def restart(keep: str | None = None) -> None:
    """Shared-phone mode begins (portal/shared_phone.py): the nonces this browser was given before are no
    longer its own, so an earlier visitor's form brought back by Back and sent again shows the neutral page,
    not that visitor's receipt. `keep`, the nonce of the form the current visitor just sent, stays
    recognised (their double tap still lands on their receipt)."""
    session.pop(SESSION_NONCE_KEY, None)
    session.pop(SESSION_KEY, None)
    if keep is not None and well_formed(keep):
        session[SESSION_KEY] = [keep]


def issued_here(nonce: str) -> bool:
    key = session.get(SESSION_NONCE_KEY)
    if isinstance(key, str) and key and len(nonce) == _RANDOM + _MAC:
        # A form opened before SECRET_KEY was rotated still checks (the session itself does, by the fallbacks).
        for secret in (
            current_app.config["SECRET_KEY"],
            *(current_app.config.get("SECRET_KEY_FALLBACKS") or ()),
        ):
            if hmac.compare_digest(_mac(key, nonce[:_RANDOM], secret), nonce[_RANDOM:]):
                return True
    return nonce in session.get(SESSION_KEY, [])


def stored(form: str, nonce: str) -> str:
    """The value kept on the created item: bound to the form, useless to post again."""
    return sha256_hex(f"{form}:{nonce}")


def lost_race(error: Exception, find):
    """After an IntegrityError on submission: undo this request and return the item that won.

    Roll back (the uploads store removes the files this request wrote on the rollback: their rows never
    existed), and look the winner up by its nonce; an IntegrityError about anything else is raised again.
    """
    from portal.extensions import db

    db.session.rollback()
    winner = find()
    if winner is None:
        raise error
    return winner


def already_sent_page(again_url: str):
    """The neutral answer to someone who posts a used nonce they were not given: names no item."""
    from flask import render_template

    return render_template("already_sent.html", again_url=again_url), 409
