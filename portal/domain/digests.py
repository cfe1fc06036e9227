"""The portal's two digests, so every token, code and nonce is hashed or keyed the same way. Pure: stdlib.

- `sha256_hex`: what the database keeps of a bearer secret (a private link's token, a reset link, a
  recovery code, a form nonce). Each carries at least 60 random bits and is tried under rate limits, so
  a plain SHA-256 is enough: no salt, no slow hash (those are for passwords, portal.accounts.passwords).
- `keyed_digest`: HMAC-SHA256 under a server secret (SECRET_KEY, a bank's webhook secret), for values
  that must be derived again later (a receipt's QR reprinted, a form's receipt shown twice) or checked
  (a signed notification), but never guessed.
"""

from __future__ import annotations

import hashlib
import hmac


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def keyed_digest(key: str, message: str | bytes) -> bytes:
    data = message.encode("utf-8") if isinstance(message, str) else message
    return hmac.new(key.encode("utf-8"), data, hashlib.sha256).digest()
