"""Encryption at rest (portal.uploads.encryption): what the store holds is sealed, downloads give the original
back, old plaintext files stay readable, and `storage rotate-key` moves every file to the newest key, once.
Runs on the local folder and on the S3 store (tests/uploads/conftest.py)."""

from __future__ import annotations

import io
import os
import secrets

import pytest
from sqlalchemy import select

from portal.catalog.models import Procedure
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.uploads import encryption, storage
from portal.uploads.backends import LocalStore, StorageUnavailable
from portal.uploads.encryption import SEGMENT, Keyring, SealError, open_sealed, parse_header, seal
from portal.uploads.rotation import rotate
from portal.uploads.s3 import S3Store
from tests.support.clients import fresh_client
from tests.support.dossiers import applicant
from tests.support.files import PDF
from tests.support.storage import content, raw_content, stray

OLD = ("old", b"\x02" * 32)
NEW = ("new", b"\x03" * 32)
CCCD = b"CCCD 038201000123 NGUYEN VAN A"  # what an identity document's scan might say


def unseal(sealed: bytes, name: str, keyring: Keyring) -> bytes:
    stream, _ = open_sealed(io.BytesIO(sealed), name, keyring)
    with stream:
        return stream.read()


@pytest.fixture
def keys(app):
    """Set the app's storage keys for one test (newest first), and put the suite's back afterwards."""
    before = app.extensions[storage.KEYRING]

    def use(*keys: tuple[str, bytes]) -> Keyring:
        app.extensions[storage.KEYRING] = Keyring(keys)
        return app.extensions[storage.KEYRING]

    yield use
    app.extensions[storage.KEYRING] = before


@pytest.fixture
def empty_store(app, tmp_path):
    """An empty store of the same kind for one test (rotation reads every file of the store it is given)."""
    before = app.extensions.get(storage.EXTENSION)
    if isinstance(before, S3Store):
        app.extensions[storage.EXTENSION] = before.within(f"rotation-{secrets.token_hex(4)}")
    else:
        app.extensions[storage.EXTENSION] = LocalStore(tmp_path / "uploads")
    yield app.extensions[storage.EXTENSION]
    if before is None:
        app.extensions.pop(storage.EXTENSION)
    else:
        app.extensions[storage.EXTENSION] = before


# ------------------------------------------------------------------------------------------- the format


@pytest.mark.parametrize(
    "size",
    [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT, 3 * SEGMENT + 17],
    ids=lambda size: f"{size}B",
)
def test_any_size_round_trips_in_segments(size):
    keyring = Keyring((NEW,))
    data = os.urandom(size)
    sealed = seal(data, "a.pdf", keyring)
    header = parse_header(sealed)
    assert header is not None and header.key_id == "new"
    assert encryption.plain_size(len(sealed), header) == size
    assert unseal(sealed, "a.pdf", keyring) == data


def test_each_sealing_is_different_and_hides_the_plaintext():
    keyring = Keyring((NEW,))
    data = CCCD * 100
    first, second = seal(data, "a.jpg", keyring), seal(data, "a.jpg", keyring)
    assert first != second  # a random nonce prefix per file
    assert CCCD not in first and b"038201000123" not in first


@pytest.mark.parametrize(
    "damage",
    ["flip a byte", "cut the last segment", "cut at a segment boundary", "swap segments", "other name"],
)
def test_an_altered_cut_or_moved_file_fails_its_check(damage):
    keyring = Keyring((NEW,))
    data = os.urandom(2 * SEGMENT + 5)
    sealed = bytearray(seal(data, "a.pdf", keyring))
    start = len(parse_header(bytes(sealed)).raw)
    whole = encryption.SEALED_SEGMENT
    name = "a.pdf"
    if damage == "flip a byte":
        sealed[-3] ^= 1
    elif damage == "cut the last segment":
        sealed = sealed[:-3]
    elif damage == "cut at a segment boundary":
        sealed = sealed[: start + 2 * whole]  # two whole segments, neither marked last
    elif damage == "swap segments":
        first, second = sealed[start : start + whole], sealed[start + whole : start + 2 * whole]
        sealed[start : start + 2 * whole] = second + first
    else:
        name = "b.pdf"
    with pytest.raises(SealError):
        unseal(bytes(sealed), name, keyring)


def test_a_file_under_a_key_no_longer_configured_cannot_be_read():
    sealed = seal(b"data", "a.pdf", Keyring((OLD,)))
    with pytest.raises(SealError, match="'old' is not in PORTAL_STORAGE_KEYS"):
        unseal(sealed, "a.pdf", Keyring((NEW,)))
    assert unseal(sealed, "a.pdf", Keyring((NEW, OLD))) == b"data"  # an older key still reads


# ------------------------------------------------------------------------------------------- in the store


def test_a_stored_file_does_not_contain_its_plaintext_but_reads_back_whole(app):
    data = CCCD + os.urandom(3 * SEGMENT) + CCCD
    name = storage.store(data, ".jpg")
    held = raw_content(name)  # the bytes on disk or in the bucket
    assert held.startswith(encryption.MAGIC) and CCCD not in held and data[100:200] not in held
    assert content(name) == data


def test_a_download_decrypts_on_the_fly_and_returns_the_original(app):
    client = fresh_client(app)
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.004194"))
    data = applicant()
    data[f"doc-{procedure.documents[0].id}"] = [(io.BytesIO(PDF), "cccd.pdf")]
    assert (
        client.post("/dossiers/apply/1.004194", data=data, content_type="multipart/form-data").status_code
        == 302
    )
    dossier = db.session.scalar(select(Dossier).order_by(Dossier.id.desc()))
    [record] = dossier.files
    big = b"%PDF-1.7\n" + CCCD + os.urandom(2 * SEGMENT + 99)  # several segments
    record.stored_name, record.size = storage.store(big, ".pdf"), len(big)
    db.session.flush()
    assert CCCD not in raw_content(record.stored_name)
    with client.get(f"/dossiers/{dossier.code}/files/{record.id}") as response:
        assert response.status_code == 200 and response.is_streamed
        assert response.get_data() == big
        assert response.headers["Content-Length"] == str(len(big))


def test_an_altered_stored_file_is_a_503_not_a_leak(app):
    name = storage.store(CCCD * 10, ".jpg")
    held = bytearray(raw_content(name))
    held[-1] ^= 1
    storage.backend().put(name, bytes(held))
    with pytest.raises(StorageUnavailable):
        storage.read(name)


def test_a_plaintext_file_from_before_encryption_is_still_readable(app):
    stray("0123456789abcdef0123456789abcdef-00112233aabbccdd.jpg", b"\xff\xd8old plaintext photo")
    assert content("0123456789abcdef0123456789abcdef-00112233aabbccdd.jpg") == b"\xff\xd8old plaintext photo"


# ------------------------------------------------------------------------------------------- rotation


def test_rotation_moves_every_file_to_the_newest_key_once(app, keys, empty_store):
    keys(OLD)
    sealed_old = storage.store(CCCD + b" under the old key", ".pdf")
    plain = stray("fedcba9876543210fedcba9876543210-00112233aabbccdd.jpg", CCCD + b" plaintext")
    keyring = keys(NEW, OLD)
    before = {name: content(name) for name in (sealed_old, plain)}

    dry = rotate(storage.backend(), keyring, dry_run=True)
    assert set(dry.rewritten) == {sealed_old, plain}
    assert parse_header(raw_content(sealed_old)).key_id == "old"  # a dry run writes nothing
    assert parse_header(raw_content(plain)) is None

    first = rotate(storage.backend(), keyring)
    assert set(first.rewritten) == {sealed_old, plain} and first.plaintext == 1 and not first.failed
    for name in (sealed_old, plain):
        assert parse_header(raw_content(name)).key_id == "new"
        assert CCCD not in raw_content(name)
        assert content(name) == before[name]
    again = rotate(storage.backend(), keyring)
    assert again.rewritten == [] and again.up_to_date == again.checked == 2  # idempotent

    keys(NEW)  # the old key removed: everything still reads
    assert content(sealed_old) == before[sealed_old]


def test_the_rotate_command_reports_and_fails_on_a_file_it_cannot_read(app, keys, empty_store):
    keys(OLD)
    lost = storage.store(b"sealed under a key about to be lost", ".pdf")
    keys(NEW)
    result = app.test_cli_runner().invoke(args=["storage", "rotate-key"])
    assert result.exit_code == 1
    assert f"not readable: {lost}" in result.output
    assert parse_header(raw_content(lost)).key_id == "old"  # left as it was
    storage.backend().delete(lost)
    result = app.test_cli_runner().invoke(args=["storage", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "0 files" in result.output and "re-encrypted 0" in result.output


def test_new_key_prints_an_entry_the_settings_accept(app, tmp_path):
    from portal.settings import Settings

    result = app.test_cli_runner().invoke(args=["storage", "new-key", "2027a"])
    entry = result.output.strip()
    settings = Settings.from_env({"PORTAL_INSTANCE_PATH": str(tmp_path), "PORTAL_STORAGE_KEYS": entry})
    assert settings.storage_keys[0][0] == "2027a" and len(settings.storage_keys[0][1]) == 32
