"""Password rules and hashing (SECURITY.md A2): ASVS lengths, common list, Argon2id."""

from __future__ import annotations

import unicodedata

import pytest

from portal.accounts import passwords
from portal.accounts.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    WeakPassword,
    check_password_rules,
    hash_password,
    needs_rehash,
    verify_password,
)


class SpyHasher:
    """Wraps the real hasher and records which methods were called."""

    def __init__(self, real):
        self.real = real
        self.calls: list[str] = []

    def hash(self, password):
        self.calls.append("hash")
        return self.real.hash(password)

    def verify(self, password_hash, password):
        self.calls.append("verify")
        return self.real.verify(password_hash, password)

    def check_needs_rehash(self, password_hash):
        self.calls.append("check_needs_rehash")
        return self.real.check_needs_rehash(password_hash)


@pytest.fixture
def spy(monkeypatch):
    hasher = SpyHasher(passwords._hasher)
    monkeypatch.setattr(passwords, "_hasher", hasher)
    return hasher


def password_of(length: int) -> str:
    # Not on any common list: a varied, readable passphrase cut or padded to `length`.
    base = "Đèo Pha Đin mây trắng 9 khúc "
    return (base * (length // len(base) + 1))[:length]


def test_limits_follow_asvs():
    assert MIN_LENGTH == 8
    assert 128 <= MAX_LENGTH < 300


@pytest.mark.parametrize("length", [0, 1, 7])
def test_short_passwords_are_rejected(spy, length):
    with pytest.raises(WeakPassword) as caught:
        hash_password(password_of(length))
    assert caught.value.reason == "short"
    assert spy.calls == []


@pytest.mark.parametrize("length", [8, 64, 128, MAX_LENGTH])
def test_passwords_of_8_to_max_length_are_accepted(spy, length):
    password = password_of(length)
    stored = hash_password(password)
    assert stored.startswith("$argon2id$")
    assert spy.calls == ["hash"]
    assert verify_password(stored, password)


@pytest.mark.parametrize("length", [MAX_LENGTH + 1, 300, 100_000])
def test_over_long_passwords_are_rejected_before_hashing(spy, length):
    with pytest.raises(WeakPassword) as caught:
        hash_password(password_of(length))
    assert caught.value.reason == "long"
    assert spy.calls == []


def test_over_long_password_is_never_verified(spy):
    stored = passwords._hasher.real.hash("a perfectly fine password")
    assert verify_password(stored, "x" * 300) is False
    assert spy.calls == []


@pytest.mark.parametrize("password", ["password", "12345678", "matkhau123", "MatKhau123", "MATKHAU123"])
def test_common_passwords_are_rejected(spy, password):
    with pytest.raises(WeakPassword) as caught:
        hash_password(password)
    assert caught.value.reason == "common"
    assert spy.calls == []


@pytest.mark.parametrize(
    "password",
    [
        "tau hoa cham qua deo",  # lower case letters and spaces only
        "12345678901234567890123",  # digits only, not a listed one
        "ĐÈO PHA ĐIN MÂY TRẮNG",  # upper case Vietnamese
    ],
)
def test_no_composition_rules(password):
    check_password_rules(password)  # does not raise


def test_hash_is_salted_argon2id():
    first, second = hash_password("Mường Chiên 2026"), hash_password("Mường Chiên 2026")
    assert first.startswith("$argon2id$") and second.startswith("$argon2id$")
    assert first != second
    assert "Mường" not in first
    assert not needs_rehash(first)


def test_verify_password():
    stored = hash_password("Mường Chiên 2026")
    assert verify_password(stored, "Mường Chiên 2026") is True
    assert verify_password(stored, "mường chiên 2026") is False
    assert verify_password(stored, "") is False
    assert verify_password("not-a-hash", "Mường Chiên 2026") is False
    assert verify_password("", "Mường Chiên 2026") is False


def test_unknown_account_still_costs_one_verification(spy):
    """No account (hash None) must take as long as a wrong password: the dummy hash is verified."""
    assert verify_password(None, "SonLa-demo-2026") is False
    assert verify_password(None, "not-a-real-password") is False  # not even the dummy's own password
    assert spy.calls == ["verify", "verify"]


def test_weaker_hashes_need_rehash():
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("Mường Chiên 2026")
    assert needs_rehash(weak)
    assert verify_password(weak, "Mường Chiên 2026")


def test_vietnamese_password_matches_in_nfc_and_nfd():
    """iOS keyboards and pasted text may send NFD; the same password must still match."""
    password = "Mường Chiên 2026"
    for stored_form, typed_form in (("NFC", "NFD"), ("NFD", "NFC")):
        stored = hash_password(unicodedata.normalize(stored_form, password))
        assert verify_password(stored, unicodedata.normalize(typed_form, password))
    assert not verify_password(hash_password(password), unicodedata.normalize("NFD", "Mương Chiên 2026"))


def test_length_limit_applies_after_normalisation():
    password = unicodedata.normalize("NFC", "Mường Chiềng ường " * 20)[:200]
    decomposed = unicodedata.normalize("NFD", password)
    assert len(password) <= MAX_LENGTH < len(decomposed)  # the same text, longer as NFD
    stored = hash_password(password)
    assert verify_password(stored, decomposed)
    assert hash_password(decomposed).startswith("$argon2id$")
