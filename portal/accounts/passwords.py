"""Password rules and hashing: Argon2id, length rules from ASVS (no composition rules)."""

import unicodedata
from functools import lru_cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portal.domain.errors import ReasonedError

MIN_LENGTH = 8
# Refused before hashing so a huge password cannot tie up a worker (SECURITY.md A2).
MAX_LENGTH = 256

_hasher = PasswordHasher()  # argon2id, 64 MiB, 3 passes: argon2-cffi's RFC 9106 low-memory profile
# Verified when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class WeakPassword(ReasonedError):
    """The password breaks a rule; `reason` is one of 'short', 'long', 'common'."""


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    text = files("portal.accounts").joinpath("data/common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip().casefold() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _normalise(password: str) -> str:
    # The same Vietnamese password typed on iOS (NFD) and on Android (NFC) must match.
    return unicodedata.normalize("NFC", password)


def check_password_rules(password: str) -> None:
    password = _normalise(password)
    if len(password) < MIN_LENGTH:
        raise WeakPassword("short")
    if len(password) > MAX_LENGTH:
        raise WeakPassword("long")
    if password.casefold() in _common_passwords():
        raise WeakPassword("common")


def _off_the_event_loop(function, *args):
    """Run a slow C call (about 50 ms of Argon2) where it does not stop the whole process.

    The portal is served by gevent workers (gunicorn.conf.py): one thread runs every connection of the
    process, and gevent cannot switch away in the middle of a C function, so a burst of wrong passwords
    would freeze every page. gevent's thread pool runs the call on a real thread instead (argon2-cffi
    releases the GIL while it hashes). Without gevent's patches (tests, the CLI) it is a plain call.
    """
    try:
        from gevent import get_hub, monkey
    except ImportError:
        return function(*args)
    if not monkey.is_module_patched("threading"):
        return function(*args)
    return get_hub().threadpool.apply(function, args)


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _off_the_event_loop(_hasher.hash, _normalise(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    if len(_normalise(password)) > MAX_LENGTH:
        return False
    try:
        verified = _off_the_event_loop(_hasher.verify, password_hash or _DUMMY_HASH, _normalise(password))
        return verified and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
