"""Settings that are secrets or say where files go: development secrets generated once into the instance
folder, the upload store's address (PORTAL_STORAGE_URL, S3 endpoint and region) and its encryption keys
(PORTAL_STORAGE_KEYS). Split from portal/settings.py, which reads them; no Flask import."""

from __future__ import annotations

import base64
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit


def _development_secret(
    instance: Path, file: str = "secret_key", make=lambda: secrets.token_urlsafe(48)
) -> str:
    """Generate a development secret once and keep it in the instance folder (mode 0600)."""
    path = instance / file
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def new_storage_key(key_id: str) -> str:
    """One PORTAL_STORAGE_KEYS entry: `id:` and 32 random bytes in URL-safe base64."""
    return f"{key_id}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}"


def _storage_keys(
    env: Mapping[str, str], environment: str, storage_url: str, instance: Path, problems: list[str]
):
    """PORTAL_STORAGE_KEYS: `id:key,id:key`, newest first. Development without it: a key generated once into
    instance/storage_keys (a shared store or production must name their keys: every node reads every file)."""
    text = env.get("PORTAL_STORAGE_KEYS", "").strip()
    if not text and (environment == "production" or storage_url):
        why = "when PORTAL_ENV=production" if environment == "production" else "with PORTAL_STORAGE_URL"
        problems.append(f"PORTAL_STORAGE_KEYS is required {why}: every node must use the same keys")
        return ()
    if not text:
        text = _development_secret(instance, "storage_keys", lambda: new_storage_key("local1"))
    keys: list[tuple[str, bytes]] = []
    for entry in text.split(","):
        key_id, _, encoded = entry.strip().partition(":")
        try:
            key = base64.urlsafe_b64decode(encoded.strip() + "=" * (-len(encoded.strip()) % 4))
        except ValueError:
            key = b""
        if not _KEY_ID.fullmatch(key_id) or len(key) != 32 or key_id in dict(keys):
            problems.append(
                "PORTAL_STORAGE_KEYS must be id:key entries separated by commas, newest first: distinct ids of "
                "1-32 letters, digits, '.', '_' or '-', 32-byte keys in base64 (flask --app portal storage new-key)"
            )
            return ()
        keys.append((key_id, key))
    return tuple(keys)


# S3 bucket names: 3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or
# digit. A prefix is folders of letters, digits, ".", "_" and "-" (no "..", no empty folder).
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_PREFIX = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")


def _storage(env: Mapping[str, str], problems: list[str]) -> tuple[str, str, str]:
    """PORTAL_STORAGE_URL, PORTAL_S3_ENDPOINT_URL, PORTAL_S3_REGION, normalised (no trailing slash)."""
    url = env.get("PORTAL_STORAGE_URL", "").strip()
    endpoint = env.get("PORTAL_S3_ENDPOINT_URL", "").strip().rstrip("/")
    region = env.get("PORTAL_S3_REGION", "").strip()
    if url:
        parts = urlsplit(url)
        prefix = parts.path.strip("/")
        if parts.scheme != "s3" or parts.query or parts.fragment or "@" in parts.netloc:
            problems.append(
                "PORTAL_STORAGE_URL must be empty (files in the instance folder) or s3://bucket/prefix"
            )
        elif not _BUCKET.fullmatch(parts.netloc) or ".." in parts.netloc:
            problems.append(
                "PORTAL_STORAGE_URL: the bucket name must be 3-63 lower-case letters, digits, dots and "
                "hyphens (s3://bucket/prefix)"
            )
        elif prefix and (not _PREFIX.fullmatch(prefix) or ".." in prefix.split("/")):
            problems.append(
                "PORTAL_STORAGE_URL: the prefix after the bucket must be folder names of letters, digits, "
                "'.', '_' and '-' (s3://bucket/portal/uploads)"
            )
        else:
            url = f"s3://{parts.netloc}/{prefix}" if prefix else f"s3://{parts.netloc}"
    elif endpoint or region:
        problems.append(
            "PORTAL_S3_ENDPOINT_URL and PORTAL_S3_REGION need PORTAL_STORAGE_URL=s3://bucket/prefix"
        )
    if endpoint:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            problems.append(
                "PORTAL_S3_ENDPOINT_URL must be the store's http(s) address, like https://minio.example:9000"
            )
    if region and not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,40}", region):
        problems.append("PORTAL_S3_REGION must be a region name like ap-southeast-1")
    return url, endpoint, region
