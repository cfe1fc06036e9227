"""Shared-phone mode (issue 13 item 4): one phone passed between villagers, or a phone borrowed for a minute.

A citizen who ticks "this is a shared phone" on the tracking or report form gets a browser that remembers
nothing of anyone else and, when done, one button that signs out and clears everything personal:

- `begin()` forgets what this browser was allowed to open before (another person's items and receipt) and
  keeps the session cookie a browser-session cookie (no Expires: it ends when the browser closes);
- the private pages (receipt, status pages, account pages) are `Cache-Control: no-store`, so Back brings
  nothing back from the cache (see tests/test_shared_phone.py for the list);
- the clearing sign-out (accounts.clear) ends the session and answers with `Clear-Site-Data`, so the
  browser drops this site's cookies, cache and storage as well.
"""

from __future__ import annotations

from flask import session

from portal import form_nonce

FLAG = "shared_phone"
# The session keys that let this browser open a person's items (portal/tracking/access.py), receipt, data
# (privacy: the item opened by its link, the exports) or slips (an intermediary's last filings).
PERSONAL_KEYS = (
    "feedback_access",
    "dossier_access",
    "feedback_receipt",
    "privacy_item",
    "privacy_exports",
    "intermediary_links",
)
# What the browser drops for this origin on the clearing sign-out (W3C Clear Site Data).
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


def begin(current_nonce: str | None = None) -> None:
    """Shared-phone mode from now on in this browser: what an earlier visitor opened is forgotten, and the
    forms they were given no longer count as this browser's (form_nonce.restart; `current_nonce`, the form
    this visitor just sent, still does)."""
    for key in PERSONAL_KEYS:
        session.pop(key, None)
    form_nonce.restart(current_nonce)
    session.permanent = False  # never a lasting cookie, whatever the configuration says
    session[FLAG] = True


def active() -> bool:
    return bool(session.get(FLAG))
