"""Re-encrypt the upload store under the newest storage key (`flask --app portal storage rotate-key`).

Every finished file (names starting with "." are writes in progress) is read; one already sealed under the
newest key is left alone, any other (an older key, or plaintext from before encryption) is decrypted and
written back sealed under the newest key, under the same name, atomically (the store's put). So the command
is idempotent (a second run rewrites nothing) and resumable (stopped half-way, it carries on where it was).
A file whose key is no longer configured, or that fails its check, is reported and left as it is.

Keep an old key in PORTAL_STORAGE_KEYS (after the new one) until this has run to the end, and for as long as
backups sealed under it are kept: a backup holds the files as sealed when it was taken.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from .backends import Missing, Store
from .encryption import MAX_HEADER, Keyring, SealError, open_sealed, parse_header, seal


@dataclass
class Rotation:
    current_key: str
    checked: int = 0
    up_to_date: int = 0
    rewritten: list[str] = field(default_factory=list)  # (or, with dry_run, would be)
    plaintext: int = 0  # of those, files from before encryption
    failed: list[tuple[str, str]] = field(default_factory=list)  # (name, why)


def rotate(
    store: Store, keyring: Keyring, *, dry_run: bool = False, progress: Callable[[str], None] | None = None
) -> Rotation:
    report = Rotation(keyring.current)
    for entry in sorted(store.entries(), key=lambda entry: entry.name):
        if entry.name.startswith("."):
            continue
        report.checked += 1
        try:
            with store.open(entry.name) as handle:
                raw = handle.read()
        except Missing:  # deleted since the listing
            continue
        try:
            header = parse_header(raw[:MAX_HEADER])
            if header is not None and header.key_id == keyring.current:
                report.up_to_date += 1
                continue
            stream, _ = open_sealed(io.BytesIO(raw), entry.name, keyring)
            with stream:
                plain = stream.read()
        except SealError as error:
            report.failed.append((entry.name, str(error)))
            continue
        if not dry_run:
            if not store.exists(entry.name):  # deleted meanwhile (an erasure): never bring it back
                continue
            store.put(entry.name, seal(plain, entry.name, keyring))
        report.rewritten.append(entry.name)
        report.plaintext += header is None
        if progress:
            progress(entry.name)
    return report
