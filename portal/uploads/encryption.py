"""Encryption at rest of every stored upload: AES-256-GCM in segments, the key id in a small header.

A sealed file is `HEADER` then the segments. The header is MAGIC (6 bytes, never the start of a JPEG, PNG or
PDF), the format version (1 byte), the key id's length (1 byte), the key id (ASCII) and an 8-byte random
nonce prefix. The plaintext is cut into SEGMENT-byte pieces; each is sealed on its own with AES-GCM under
the nonce `prefix ‖ segment number (3 bytes) ‖ 1 if it is the last segment else 0`, with the header and the
stored name as associated data. So a download decrypts and checks one segment at a time (nothing is sent
that was not authenticated, and never the whole file in memory); a file cut short, with segments swapped,
moved to another name or altered fails its check; a file with no header is an upload from before
encryption and is read as it is (`flask --app portal storage rotate-key` seals it).

The keys are never in the database: PORTAL_STORAGE_KEYS (portal.settings) lists them, newest first; files
are sealed under the newest, and read under whichever key their header names.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"\x00SLENC"
VERSION = 1
PREFIX_BYTES = 8
TAG_BYTES = 16
SEGMENT = 64 * 1024
SEALED_SEGMENT = SEGMENT + TAG_BYTES
MAX_SEGMENTS = 1 << 24  # a 3-byte counter: 1 TiB per file, far above any upload
MAX_HEADER = len(MAGIC) + 2 + 255 + PREFIX_BYTES


class SealError(RuntimeError):
    """A sealed file that cannot be opened: its key is not configured, or it fails its check."""


@dataclass(frozen=True)
class Keyring:
    """The storage keys, newest first: (key id, 32-byte key)."""

    keys: tuple[tuple[str, bytes], ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValueError("at least one storage key is needed")

    @property
    def current(self) -> str:
        return self.keys[0][0]

    def key(self, key_id: str) -> bytes:
        for known, key in self.keys:
            if known == key_id:
                return key
        raise SealError(f"storage key {key_id!r} is not in PORTAL_STORAGE_KEYS")


@dataclass(frozen=True)
class Header:
    key_id: str
    prefix: bytes
    raw: bytes  # the header's bytes, as written (the associated data of every segment)


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    if number >= MAX_SEGMENTS:
        raise SealError("file too large to seal")
    return prefix + number.to_bytes(3, "big") + (b"\x01" if last else b"\x00")


def _header(key_id: str, prefix: bytes) -> bytes:
    encoded = key_id.encode("ascii")
    return MAGIC + bytes((VERSION, len(encoded))) + encoded + prefix


def seal(data: bytes, name: str, keyring: Keyring) -> bytes:
    """`data` sealed under the newest key, bound to the stored `name`."""
    header = _header(keyring.current, os.urandom(PREFIX_BYTES))
    aead = AESGCM(keyring.key(keyring.current))
    associated = header + name.encode()
    prefix = header[-PREFIX_BYTES:]
    pieces = [data[start : start + SEGMENT] for start in range(0, len(data), SEGMENT)] or [b""]
    sealed = [header]
    for number, piece in enumerate(pieces):
        sealed.append(aead.encrypt(_nonce(prefix, number, number == len(pieces) - 1), piece, associated))
    return b"".join(sealed)


def parse_header(start: bytes) -> Header | None:
    """The header at the start of a stored file, or None for a plaintext file (from before encryption)."""
    if not start.startswith(MAGIC):
        return None
    if len(start) < len(MAGIC) + 2 or start[len(MAGIC)] != VERSION:
        raise SealError("unknown sealed-file format")
    length = start[len(MAGIC) + 1]
    end = len(MAGIC) + 2 + length + PREFIX_BYTES
    if len(start) < end:
        raise SealError("sealed file cut short")
    key_id = start[len(MAGIC) + 2 : len(MAGIC) + 2 + length].decode("ascii", "replace")
    return Header(key_id, start[end - PREFIX_BYTES : end], start[:end])


def plain_size(sealed_size: int, header: Header) -> int:
    """The plaintext's size, from the sealed file's: every segment but the last is full."""
    body = sealed_size - len(header.raw)
    segments = max(1, -(-body // SEALED_SEGMENT))
    return max(0, body - segments * TAG_BYTES)


class Opener(io.RawIOBase):
    """Reads a sealed stream as plaintext, one authenticated segment at a time (one segment read ahead,
    to know which is the last)."""

    def __init__(self, raw, header: Header, name: str, keyring: Keyring, rest: bytes = b"") -> None:
        super().__init__()
        self._raw, self._rest = raw, rest  # `rest`: bytes already read past the header
        self._aead = AESGCM(keyring.key(header.key_id))
        self._prefix, self._associated = header.prefix, header.raw + name.encode()
        self._number, self._done = 0, False
        self._buffer = b""
        self._ahead: bytes | None = None

    def readable(self) -> bool:
        return True

    def _read_exact(self, amount: int) -> bytes:
        pieces, wanted = [], amount
        if self._rest:
            pieces.append(self._rest[:wanted])
            self._rest = self._rest[wanted:]
            wanted -= len(pieces[0])
        while wanted > 0:
            piece = self._raw.read(wanted)
            if not piece:
                break
            pieces.append(piece)
            wanted -= len(piece)
        return b"".join(pieces)

    def _next_segment(self) -> bytes:
        sealed = self._ahead if self._ahead is not None else self._read_exact(SEALED_SEGMENT)
        following = self._read_exact(SEALED_SEGMENT) if len(sealed) == SEALED_SEGMENT else b""
        last = not following
        self._ahead = following or None
        try:
            plain = self._aead.decrypt(_nonce(self._prefix, self._number, last), sealed, self._associated)
        except InvalidTag:
            raise SealError("stored file fails its integrity check (altered, cut short or moved)") from None
        self._number += 1
        self._done = last
        return plain

    def prime(self) -> None:
        """Decrypt the first segment now (it raises SealError at once for a wrong key or an altered file)."""
        self._buffer = self._next_segment()

    def readinto(self, target) -> int:
        while not self._buffer and not self._done:
            self._buffer = self._next_segment()
        count = min(len(target), len(self._buffer))
        target[:count] = self._buffer[:count]
        self._buffer = self._buffer[count:]
        return count

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


class _Replayed(io.RawIOBase):
    """A plaintext file's stream with the bytes already read from it put back in front."""

    def __init__(self, raw, start: bytes) -> None:
        super().__init__()
        self._raw, self._start = raw, start

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        if self._start:
            count = min(len(target), len(self._start))
            target[:count] = self._start[:count]
            self._start = self._start[count:]
            return count
        piece = self._raw.read(len(target))
        target[: len(piece)] = piece
        return len(piece)

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def open_sealed(raw, name: str, keyring: Keyring) -> tuple[io.BufferedReader, Header | None]:
    """`raw` (a stored file's stream) as a plaintext reader, and its header (None: a file from before
    encryption, read as it is). The first segment is checked now, so a missing key or an altered file fails
    before anything is sent."""
    start = b""
    while len(start) < MAX_HEADER:
        piece = raw.read(MAX_HEADER - len(start))
        if not piece:
            break
        start += piece
        if not start.startswith(MAGIC[: len(start)]):  # not a header: a file from before encryption
            break
    header = parse_header(start)
    if header is None:
        return io.BufferedReader(_Replayed(raw, start), buffer_size=SEGMENT), None
    opener = Opener(raw, header, name, keyring, rest=start[len(header.raw) :])
    opener.prime()
    return io.BufferedReader(opener, buffer_size=SEGMENT), header
