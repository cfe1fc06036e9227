"""The session cookie's checks and data, for portal.security's session interface: itsdangerous' checks of a
cookie without loading its JSON (`unsign`), and the loaded data copied for each request (`fresh`)."""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any
from uuid import UUID

from itsdangerous import BadPayload, BadSignature, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode
from markupsafe import Markup

# What a session's JSON loads to through Flask's tagged serializer that nobody can change in place: JSON's
# scalars and the tags' bytes, Markup, UUID and datetime. Dicts, lists and tuples are copied by `fresh`.
_IMMUTABLE = frozenset({str, int, float, bool, type(None), bytes, Markup, UUID, datetime})


def copyable(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        return all(type(key) is str and copyable(item) for key, item in value.items())
    if kind is list or kind is tuple:
        return all(copyable(item) for item in value)
    return kind in _IMMUTABLE


def fresh(value: Any) -> Any:
    """A copy of loaded session data (`copyable`) that shares nothing mutable with it: what loading the
    same JSON again gives."""
    kind = type(value)
    if kind is dict:
        return {key: fresh(item) for key, item in value.items()}
    if kind is list:
        return [fresh(item) for item in value]
    if kind is tuple:
        return tuple(fresh(item) for item in value)
    return value


def unsign(serializer: URLSafeTimedSerializer, value: str, max_age: int) -> tuple[int, bytes]:
    """`serializer.loads(value, max_age)` without loading the JSON: (signed at, the payload's JSON).
    Each signer in turn (the secret key, then its fallbacks), as itsdangerous does; raises BadSignature
    (SignatureExpired for an old one) as it does."""
    data = value.encode("utf-8")
    last: BadSignature | None = None
    for signer in serializer.iter_unsigners():
        try:
            payload, signed_at = signer.unsign(data, max_age=max_age, return_timestamp=True)
        except SignatureExpired:
            raise  # signed with this key but too old: no other key is tried (itsdangerous)
        except BadSignature as error:
            last = error
            continue
        return int(signed_at.timestamp()), _payload_json(payload)
    raise last if last is not None else BadSignature("no signer")


def _payload_json(payload: bytes) -> bytes:
    """The JSON of a URL-safe payload: what itsdangerous' URLSafeSerializerMixin.load_payload decodes (base64,
    then zlib when it starts with "."), with its errors."""
    compressed = payload.startswith(b".")
    try:
        data = base64_decode(payload[1:] if compressed else payload)
    except Exception as error:
        raise BadPayload("Could not base64 decode the payload because of an exception", error) from error
    if not compressed:
        return data
    try:
        return zlib.decompress(data)
    except Exception as error:
        raise BadPayload(
            "Could not zlib decompress the payload before decoding the payload", error
        ) from error
