"""The portal's one hash and one keyed hash (portal/domain/digests.py): stored values must never change."""

from portal.domain.digests import keyed_digest, sha256_hex


def test_sha256_hex_is_the_plain_sha256_of_the_utf8_text():
    assert sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sha256_hex("Sơn La") == sha256_hex("Sơn La".encode().decode("utf-8"))


def test_keyed_digest_is_hmac_sha256_of_text_or_bytes():
    # RFC 4231, test case 2.
    expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert keyed_digest("Jefe", "what do ya want for nothing?").hex() == expected
    assert keyed_digest("Jefe", b"what do ya want for nothing?").hex() == expected
