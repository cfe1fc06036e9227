"""Issue, revoke and check API keys. Operations flush; the caller commits. Every change is audited."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from portal import throttle
from portal.accounts.models import Account
from portal.agencies.models import Agency
from portal.db_types import utcnow
from portal.domain.digests import sha256_hex
from portal.domain.errors import ReasonedError
from portal.events.operations import record
from portal.extensions import db

from .models import ApiKey

KEY_PREFIX = "sl_"  # tells a Sơn La portal key apart in a leaked log or a secret scanner
HOUR = 3600


class ApiKeyError(ReasonedError):
    """A refused key change; `reason` names it."""


def _new_secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)  # 256 bits


def issue(
    name: str,
    actor: Account | None,
    *,
    agency_id: int | None = None,
    writes_per_hour: int = 100,
    reads_per_hour: int = 3600,
) -> tuple[ApiKey, str]:
    """A new key; returns the row and the secret, which is never shown again."""
    name = name.strip()
    if not name:
        raise ApiKeyError("name")
    if agency_id is not None and db.session.get(Agency, agency_id) is None:
        raise ApiKeyError("agency")
    if not (1 <= writes_per_hour <= 100_000 and 1 <= reads_per_hour <= 1_000_000):
        raise ApiKeyError("limit")
    secret = _new_secret()
    key = ApiKey(
        name=name[:120],
        prefix=secret[:10],
        key_hash=sha256_hex(secret),
        agency_id=agency_id,
        writes_per_hour=writes_per_hour,
        reads_per_hour=reads_per_hour,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(key)
    db.session.flush()
    scope = key.agency.code if key.agency else "province"
    record("api_key", key.id, "issued", actor_id=actor.id if actor else None, note=f"{key.name} ({scope})")
    return key, secret


def revoke(key: ApiKey, actor: Account | None) -> bool:
    """Revoke a key at once (False when it already was)."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = utcnow()
    record("api_key", key.id, "revoked", actor_id=actor.id if actor else None, note=key.name)
    db.session.flush()
    return True


def find(secret: str) -> ApiKey | None:
    """The active key with this secret, or None (also for a revoked one)."""
    if not secret or len(secret) > 100:
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == sha256_hex(secret)))
    return key if key is not None and key.is_active else None


def over_write_limit(key: ApiKey) -> int:
    """Count one write for `key` (shared by every process through portal.throttle); seconds to wait when
    it is over the key's hourly limit, else 0."""
    name = f"apikey:{key.id}:writes"
    if throttle.over_limit(name, key.writes_per_hour, HOUR):
        return throttle.retry_after(name, HOUR)
    return 0


def over_read_limit(key: ApiKey) -> int:
    name = f"apikey:{key.id}:reads"
    if throttle.over_limit(name, key.reads_per_hour, HOUR):
        return throttle.retry_after(name, HOUR)
    return 0
