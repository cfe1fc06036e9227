"""Payment references: format, check symbol (independent Damm implementation), error detection, finding them
in bank transfer descriptions."""

import hashlib
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain.payment_reference import (
    ALPHABET,
    LENGTH,
    PREFIX,
    RANDOM_BYTES,
    check_symbol,
    find_references,
    is_valid,
    new_reference,
)
from portal.domain.vietqr import build_payload, normalise_reference, parse_payload

R1, R2, R3 = "SL7K2M9Q4XAM", "SL0H3K5N7P9E", "SLR1T0W8ZD6D"
SAMPLE = [R1, R2, R3, "SL0000000000", "SLZZZZZZZZZX"] + [
    new_reference(hashlib.sha256(bytes([i])).digest()[:RANDOM_BYTES]) for i in range(40)
]


def gf32_multiply(a: int, b: int) -> int:
    """Multiplication in GF(2)[x] / (x^5 + x^2 + 1), written independently of the module."""
    product = 0
    for bit in range(5):
        if b >> bit & 1:
            product ^= a << bit
    for bit in range(8, 4, -1):
        if product >> bit & 1:
            product ^= 0b100101 << (bit - 5)
    return product


# Damm's quasigroup over GF(32): a ∘ b = 2·a ⊕ b.
QUASIGROUP = [[gf32_multiply(2, a) ^ b for b in range(32)] for a in range(32)]


def damm_check_symbol(data: str) -> str:
    interim = 0
    for symbol in data:
        interim = QUASIGROUP[interim][ALPHABET.index(symbol)]
    return ALPHABET[QUASIGROUP[interim].index(0)]


def test_alphabet_has_no_ambiguous_letters():
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert set(ALPHABET) == set(string.digits + string.ascii_uppercase) - set("ILOU")


def test_quasigroup_is_latin_and_totally_antisymmetric():
    # Damm's conditions: a Latin square, and (c∘x)∘y = (c∘y)∘x only when x = y.
    for row in QUASIGROUP:
        assert sorted(row) == list(range(32))
    for column in range(32):
        assert sorted(row[column] for row in QUASIGROUP) == list(range(32))
    for c in range(32):
        for x in range(32):
            for y in range(x + 1, 32):
                assert QUASIGROUP[QUASIGROUP[c][x]][y] != QUASIGROUP[QUASIGROUP[c][y]][x]


@pytest.mark.parametrize("reference", SAMPLE)
def test_check_symbol_matches_independent_damm(reference):
    data = reference[len(PREFIX) : -1]
    assert check_symbol(data) == damm_check_symbol(data) == reference[-1]


@pytest.mark.parametrize(
    ("random_bytes", "expected"),
    [
        (bytes(6), "SL0000000000"),
        (b"\xff" * 6, "SLZZZZZZZZZX"),
        # 3A4C8F1E7B20 = 00111 01001 00110 01000 11110 00111 10011 11011 00100 | 000 (last 3 bits unused)
        #              =     7     9     6     8  30=Y     7  19=K  27=V     4
        (bytes.fromhex("3a4c8f1e7b20"), "SL7968Y7KV4" + damm_check_symbol("7968Y7KV4")),
    ],
)
def test_new_reference_known_answers(random_bytes, expected):
    assert new_reference(random_bytes) == expected


@pytest.mark.parametrize("reference", SAMPLE)
def test_reference_shape(reference):
    assert len(reference) == LENGTH == 12
    assert reference.startswith(PREFIX) and set(reference[2:]) <= set(ALPHABET)
    assert is_valid(reference)
    # Fits VietQR's purpose field (62.08) unchanged, on its own.
    assert normalise_reference(reference) == reference


def test_same_bytes_same_reference_different_bytes_different_reference():
    assert new_reference(b"abcdef") == new_reference(b"abcdef")
    assert len(set(SAMPLE)) == len(SAMPLE)


@pytest.mark.parametrize("random_bytes", [b"", bytes(5), bytes(7), "abcdef", bytearray(6), None])
def test_new_reference_needs_exactly_six_bytes(random_bytes):
    with pytest.raises(ValueError, match="6 random bytes"):
        new_reference(random_bytes)


@pytest.mark.parametrize("reference", SAMPLE)
def test_every_single_substitution_is_detected(reference):
    for position in range(len(PREFIX), LENGTH):
        for symbol in ALPHABET:
            if symbol != reference[position]:
                assert not is_valid(reference[:position] + symbol + reference[position + 1 :])


@pytest.mark.parametrize("reference", SAMPLE)
def test_every_transposition_is_detected(reference):
    # Adjacent ones are the common typing slip; the GF(32) check catches swaps at any distance.
    for i in range(len(PREFIX), LENGTH):
        for j in range(i + 1, LENGTH):
            if reference[i] != reference[j]:
                swapped = list(reference)
                swapped[i], swapped[j] = swapped[j], swapped[i]
                assert not is_valid("".join(swapped))


@pytest.mark.parametrize(
    "text",
    [
        "",
        R1.lower(),
        "SL 7K2M9Q4XAM",
        "SL-7K2M9Q4XAM",
        R1[:-1],
        R1 + "0",
        "XX7K2M9Q4XAM",
        "sl7K2M9Q4XAM",
        "SLOH3K5N7P9E",  # O for 0 is read by find_references, but is not the canonical form
        "SL7K2M9Q4XAU",
        None,
        123,
    ],
)
def test_is_valid_rejects(text):
    assert not is_valid(text)


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (R1, [R1]),
        (f"MBVCB.123456.{R1}.CT tu 0123456789 NGUYEN VAN A", [R1]),
        (f"Thanh toán lệ phí {R1} hồ sơ 000.00.00.H52-260122-0001", [R1]),
        ("sl 7k2m 9q4x am", [R1]),
        ("SL-7K2M-9Q4X-AM", [R1]),
        ("sl7k2m9q4xam", [R1]),
        (f"THANHTOANLEPHI{R1}NGUYENVANA", [R1]),  # the bank dropped every space
        (f"ND: {R1[:6]} {R1[6:]} - LE PHI", [R1]),
        ("SL 7K2M\u00a09Q4X\tAM", [R1]),
        (f"SSL{R1[2:]}", [R1]),
        (f"IBFT {R1}\n{R2}", [R1, R2]),
        (f"{R1}{R2}", [R1, R2]),
        (f"{R2} va {R1} va lai {R2}", [R2, R1]),  # once each, in order
        ("SLOH3K5N7P9E", [R2]),  # O typed for 0
        ("slrlt0w8zd6d", [R3]),  # l typed for 1
        ("SLRIT0W8ZD6D", [R3]),  # I typed for 1
        (R1[:-1] + "N", []),  # wrong check symbol
        (R1[:-1], []),  # truncated
        (R1[:4] + R1[5] + R1[4] + R1[6:], []),  # two symbols swapped
        (R1.replace("SL", "SI"), []),
        ("", []),
        ("CHUYEN TIEN LE PHI HO TICH", []),
    ],
)
def test_find_references(description, expected):
    assert find_references(description) == expected


@settings(database=None, max_examples=200)
@given(
    random_bytes=st.binary(min_size=RANDOM_BYTES, max_size=RANDOM_BYTES),
    # No S in the surrounding text, and no L after it (the code may end in S): no second candidate.
    before=st.text(alphabet="ABCDEFGHIJKLMNOPQRTUVWXYZ0123456789 .-", max_size=30),
    after=st.text(alphabet="ABCDEFGHIJKMNOPQRTUVWXYZ0123456789 .-", max_size=30),
    separator=st.sampled_from(["", " ", "-", "."]),
    lower=st.booleans(),
)
def test_found_however_the_bank_mangles_it(random_bytes, before, after, separator, lower):
    reference = new_reference(random_bytes)
    written = separator.join([reference[:2], reference[2:6], reference[6:10], reference[10:]])
    description = before + (written.lower() if lower else written) + after
    assert find_references(description) == [reference]


@pytest.mark.parametrize("reference", SAMPLE[:10])
def test_reference_survives_a_vietqr_round_trip(reference):
    payload = build_payload(bin="970436", account="0011001234567", amount=50000, reference=reference)
    assert find_references(parse_payload(payload).reference) == [reference]
    with_label = build_payload(
        bin="970436", account="0011001234567", amount=50000, reference=f"LEPHI {reference}"
    )
    assert find_references(parse_payload(with_label).reference) == [reference]
