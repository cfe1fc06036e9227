"""TOTP (RFC 6238: 6 digits, 30-second steps, SHA-1, as every authenticator app expects), the encryption of
stored secrets, and recovery codes.

Secrets are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under a key derived
from SECRET_KEY with HKDF. A database dump alone therefore reveals no secret; rotating SECRET_KEY makes
the stored secrets unreadable, so every enrolled member must then be reset by an administrator.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import time

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ISSUER = "Sơn La portal"
STEP_SECONDS = 30
# A code of the previous or next step is accepted too: phones' clocks drift and people type slowly.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# Crockford base 32 without I, L, O, U: nothing to confuse when copying from paper.
_RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal two-factor secrets").derive(
        secret_key.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(key))


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, the size RFC 4226 recommends


def encrypt(secret: str, secret_key: str) -> bytes:
    return _fernet(secret_key).encrypt(secret.encode("ascii"))


def decrypt(token: bytes, secret_key: str) -> str | None:
    """The secret, or None when it cannot be read (SECRET_KEY changed): the code is then refused."""
    try:
        return _fernet(secret_key).decrypt(bytes(token)).decode("ascii")
    except (InvalidToken, ValueError):
        return None


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// URI the QR code holds (and that opens the authenticator app on the same phone)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code `code` is (within the allowed drift), or None. Compares in constant time."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    found = None
    step = current_step(now)
    for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(candidate * STEP_SECONDS), code):
            found = candidate
    return found


def new_recovery_codes() -> list[str]:
    """Ten codes like 7KQ2-M9XA-4RTP (60 random bits each)."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def normalise_recovery_code(text: str) -> str | None:
    """Accept lower case, spaces, missing dashes and the letters people confuse (O→0, I/L→1)."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum()).translate(str.maketrans("OIL", "011"))
    if len(raw) != 12 or any(ch not in _RECOVERY_ALPHABET for ch in raw):
        return None
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
