"""VietQR payloads (VIETQR.md): public vectors, CRC known answers, malformed input, build/parse round trip."""

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain.vietqr import (
    MAX_AMOUNT,
    SERVICE_ACCOUNT,
    SERVICE_CARD,
    InvalidPayload,
    build_payload,
    crc16,
    crc_hex,
    decode_tlv,
    encode_tlv,
    normalise_reference,
    parse_payload,
)

VECTORS_FILE = Path(__file__).parent / "data" / "vietqr_vectors.json"
VECTORS = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))["vectors"]
BY_NAME = {vector["name"]: vector["payload"] for vector in VECTORS}

A, C = SERVICE_ACCOUNT, SERVICE_CARD
# name: (bin, account, service, amount, reference, dynamic, warnings, buildable by build_payload)
EXPECTED = {
    "napas_v152_static_account_corrected": ("970403", "0011012345678", A, None, "", False, (), True),
    "napas_v152_static_card": ("970403", "9704031101234567", C, None, "", False, (), True),
    # 62.01 bill number beside the purpose: build_payload writes 62.08 only.
    "napas_v152_dynamic_account": (
        "970403",
        "0011012345678",
        A,
        180000,
        "thanh toan don hang",
        True,
        (),
        False,
    ),
    "vqp_readme_static": ("970416", "257678859", A, None, "", False, (), True),
    "vqp_readme_dynamic": ("970416", "257678859", A, 10000, "Chuyen tien", True, (), True),
    "vqp_decode": ("970416", "257678859", A, 1000, "Chuyen tien", True, (), True),
    "vqp_crc_leading_zero": ("970407", "19030413601018", A, None, "", False, (), True),
    # Built with an upper-case CRC; compared case-insensitively below.
    "mbbank_lowercase_crc": ("970422", "0352350917", A, None, "", False, ("CRC in lower case",), True),
    "sunary_cake": ("546034", "0905555999", A, None, "", False, (), True),
    # "-" is not kept by normalise_reference, so this one is parse-only.
    "sunary_full": (
        "970432",
        "19372",
        A,
        152000,
        "gen by go-vietqr",
        True,
        ("purpose has punctuation some banks drop",),
        False,
    ),
    "sgqr_go_62_before_38": (
        "970415",
        "113366668888",
        A,
        6000,
        "tien le",
        True,
        ("fields not in ascending order",),
        False,
    ),
    # 52, 59 and 60 are not written by build_payload.
    "odoo_l10n_vn": ("970422", "660704060000129", A, 100, "INVTEST0001", True, (), False),
    "odoo_l10n_vn_accent_stripped": ("970422", "660704060000129", A, 100, "INVTEST0002", True, (), False),
    # Static with an amount: build_payload refuses it (VIETQR.md §11 "always 12 with amount").
    "pubdev_static_with_amount": (
        "970407",
        "0386577672",
        A,
        1000000,
        "henry an cut",
        False,
        ("static QR (11) with an amount",),
        False,
    ),
}
BUILDABLE = [name for name, expected in EXPECTED.items() if expected[-1]]
# VIETQR.md §7: our own example, and the vietnam-qr-pay example it reproduces.
OWN_EXAMPLE = (
    "00020101021238570010A00000072701270006970436011300110012345670208QRIBFTTA530370454055000058"
    "02VN62200816LEPHI 7K3QX9RMTA6304067B"
)
DYNAMIC = BY_NAME["vqp_readme_dynamic"]


def raw(tag: str, value: str) -> str:
    """A TLV written without any checks, to craft malformed payloads."""
    return f"{tag}{len(value):02d}{value}"


def signed(body: str) -> str:
    """`body` + 6304 + its correct CRC, so the test reaches the rule behind the CRC check."""
    return body + "6304" + f"{crc16((body + '6304').encode()):04X}"


MERCHANT = raw(
    "38",
    raw("00", "A000000727")
    + raw("01", raw("00", "970436") + raw("01", "0011001234567"))
    + raw("02", "QRIBFTTA"),
)
HEAD = raw("00", "01") + raw("01", "12")
TAIL = raw("53", "704") + raw("54", "50000") + raw("58", "VN") + raw("62", raw("08", "LEPHI 7K3QX9RMTA"))


def merchant(
    bank_bin: str = "970436",
    account: str = "0011001234567",
    service: str = "QRIBFTTA",
    guid: str = "A000000727",
    inner_extra: str = "",
    extra: str = "",
) -> str:
    beneficiary = raw("00", bank_bin) + raw("01", account) + inner_extra
    service_field = raw("02", service) if service else ""
    return raw("38", raw("00", guid) + raw("01", beneficiary) + service_field + extra)


def test_vector_file_is_the_shared_set():
    assert len(VECTORS) == 19
    assert {v["name"] for v in VECTORS if v["expect_valid"]} == set(EXPECTED)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector_verdict(vector):
    if vector["expect_valid"]:
        parse_payload(vector["payload"])
    else:
        with pytest.raises(InvalidPayload):
            parse_payload(vector["payload"])


@pytest.mark.parametrize("name", EXPECTED)
def test_vector_parses_to_its_fields(name):
    bank_bin, account, service, amount, reference, dynamic, warnings, _ = EXPECTED[name]
    parsed = parse_payload(BY_NAME[name])
    assert (parsed.bin, parsed.account, parsed.service, parsed.amount, parsed.reference, parsed.dynamic) == (
        bank_bin,
        account,
        service,
        amount,
        reference,
        dynamic,
    )
    assert (parsed.currency, parsed.country, parsed.crc) == ("704", "VN", BY_NAME[name][-4:])
    assert parsed.warnings == warnings


@pytest.mark.parametrize("name", BUILDABLE)
def test_vector_builds_from_its_fields(name):
    bank_bin, account, service, amount, reference, dynamic, _, _ = EXPECTED[name]
    payload = BY_NAME[name]
    built = build_payload(
        bin=bank_bin, account=account, amount=amount, reference=reference, dynamic=dynamic, service=service
    )
    assert built == payload[:-4] + payload[-4:].upper()


@pytest.mark.parametrize(
    ("fields", "payload"),
    [
        (
            dict(bin="970436", account="0011001234567", amount=50000, reference="LEPHI 7K3QX9RMTA"),
            OWN_EXAMPLE,
        ),
        (dict(bin="970416", account="257678859", amount=10000, reference="Chuyen tien"), DYNAMIC),
        # Same payload from Vietnamese input: the purpose is folded to ASCII first.
        (dict(bin="970416", account="257678859", amount=10000, reference="  Chuyển   tiền "), DYNAMIC),
    ],
)
def test_build_known_payloads(fields, payload):
    assert build_payload(**fields) == payload
    assert parse_payload(payload).warnings == ()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"123456789", 0x29B1),  # the CRC-16/CCITT-FALSE check value
        (b"", 0xFFFF),
        (b"A", 0xB915),
    ],
)
def test_crc16_known_answers(data, expected):
    assert crc16(data) == expected


# Every vector's CRC matches its content, except the deliberately wrong one and the two non-ASCII
# vectors (their CRC is over UTF-8 bytes, which crc_hex refuses to produce).
@pytest.mark.parametrize("name", [n for n, p in BY_NAME.items() if p.isascii() and n != "vqp_bad_crc"])
def test_crc_of_vector_bodies(name):
    assert crc_hex(BY_NAME[name][:-4]) == BY_NAME[name][-4:].upper()


def test_crc_is_zero_padded():
    assert crc_hex(BY_NAME["vqp_crc_leading_zero"][:-4]) == "0283"


@pytest.mark.parametrize(
    ("tag", "value", "expected"),
    [
        ("00", "01", "000201"),
        ("62", "", ""),  # empty fields are omitted, never written with length 00
        ("08", "x" * 99, "0899" + "x" * 99),
    ],
)
def test_encode_tlv(tag, value, expected):
    assert encode_tlv(tag, value) == expected


@pytest.mark.parametrize(
    ("tag", "value"),
    [
        ("08", "x" * 100),
        ("08", "phí"),
        ("8", "x"),
        ("0A", "x"),
        ("08", "a\nb"),
    ],
)
def test_encode_tlv_rejects(tag, value):
    with pytest.raises(InvalidPayload):
        encode_tlv(tag, value)


def test_decode_tlv_keeps_order():
    assert decode_tlv("0002016208abc12345") == {"00": "01", "62": "abc12345"}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("000", "dangling"),
        ("0002010", "dangling"),
        ("0003ab", "truncated"),
        ("0A0201", "header"),
        ("000A01", "header"),
        ("0000", "header"),
        ("000201000201", "twice"),
    ],
)
def test_decode_tlv_rejects(text, reason):
    with pytest.raises(InvalidPayload, match=reason):
        decode_tlv(text)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("", "6304"),
        (DYNAMIC[:-1], "6304"),
        (DYNAMIC[:-5], "6304"),
        (DYNAMIC[:60], "6304"),
        (DYNAMIC[:-4] + "53E7", "CRC mismatch"),
        (DYNAMIC[:-4] + "53G6", "CRC mismatch"),
        (DYNAMIC.replace("10000", "90000"), "CRC mismatch"),
        (DYNAMIC.replace("Chuyen tien", "Chuyen tiem"), "CRC mismatch"),
        (DYNAMIC + "\n", "printable ASCII"),
        (DYNAMIC.replace("Chuyen", "Chuyển"), "printable ASCII"),
        (b"000201", "printable ASCII"),
        (signed(HEAD + merchant() + TAIL + raw("80", "x" * 99) * 4), "more than 512"),
        # TLV syntax at the root and in nested templates (all with a correct CRC).
        (signed(HEAD + merchant() + TAIL + "5"), "truncated"),  # reads "5630..." as field 56, length 30
        (signed(HEAD + "38A1" + MERCHANT[4:] + TAIL), "header"),
        (signed(HEAD + "3899" + MERCHANT[4:40]), "truncated"),
        (signed(HEAD + "3800" + TAIL), "header"),
        (
            signed(HEAD + raw("38", raw("00", "A000000727") + "0199" + raw("00", "970436")) + TAIL),
            "38: field 01 says 99",
        ),
        (BY_NAME["napas_v152_static_account_as_printed"], "38.01: 1 dangling"),
        (signed(HEAD + merchant() + TAIL + raw("54", "50000")), "twice"),
        (
            signed(HEAD + merchant() + raw("53", "704") + raw("58", "VN") + raw("62", "0830LEPHI")),
            "62: field 08 says 30",
        ),
        # Root fields.
        (signed(raw("01", "12") + raw("00", "01") + MERCHANT + TAIL), "field 00"),
        (signed(raw("00", "02") + raw("01", "12") + MERCHANT + TAIL), "field 00"),
        (signed(raw("00", "01") + MERCHANT + TAIL), "field 01"),
        (signed(raw("00", "01") + raw("01", "13") + MERCHANT + TAIL), "field 01"),
        (signed(HEAD + TAIL), "field 38"),
        (signed(HEAD + MERCHANT + raw("54", "50000") + raw("58", "VN")), "field 53"),
        (signed(HEAD + MERCHANT + raw("53", "840") + raw("54", "50000") + raw("58", "VN")), "field 53"),
        (signed(HEAD + MERCHANT + raw("53", "704") + raw("54", "50000")), "field 58"),
        (signed(HEAD + MERCHANT + raw("53", "704") + raw("54", "50000") + raw("58", "US")), "field 58"),
        # The last 8 characters read "6304" + a correct CRC, but inside field 99's value: 63 is missing.
        (HEAD + MERCHANT + TAIL + "99086304" + crc_hex(HEAD + MERCHANT + TAIL + "99086304"), "field 63"),
        (
            signed(HEAD + MERCHANT + raw("53", "704") + "6304ABCD" + raw("58", "VN")),
            "twice",
        ),  # 63 mid-payload
        (HEAD + MERCHANT + TAIL + "6305ABCDE", "6304"),
        (HEAD + MERCHANT + TAIL, "6304"),  # no CRC at all
        (
            signed(
                HEAD + MERCHANT + raw("53", "704") + raw("54", "50000") + raw("58", "VN") + raw("65", "x")
            ),
            "not allowed",
        ),
        (
            signed(
                HEAD + MERCHANT + raw("53", "704") + raw("54", "50000") + raw("55", "01") + raw("58", "VN")
            ),
            "not allowed",
        ),
        (signed(HEAD + MERCHANT + raw("52", "00A0") + raw("53", "704") + raw("58", "VN")), "52"),
        (signed(HEAD + MERCHANT + raw("53", "704") + raw("58", "VN") + raw("59", "x" * 26)), "field 59"),
        (signed(HEAD + MERCHANT + raw("53", "704") + raw("58", "VN") + raw("60", "x" * 16)), "field 60"),
        # Template 38.
        (signed(HEAD + merchant(guid="A000000775") + TAIL), "38.00"),
        (signed(HEAD + merchant(bank_bin="97043") + TAIL), "38.01.00"),
        (signed(HEAD + merchant(bank_bin="97043X") + TAIL), "38.01.00"),
        (signed(HEAD + merchant(account="0" * 20) + TAIL), "38.01.01"),
        (signed(HEAD + merchant(account="0011-001") + TAIL), "38.01.01"),
        (signed(HEAD + merchant(service="QRPUSH") + TAIL), "38.02"),
        (signed(HEAD + merchant(service="") + TAIL), "38.02"),
        (
            signed(HEAD + merchant(service="", inner_extra=raw("02", "QRIBFTTA")) + TAIL),
            "38.01 may hold only",
        ),
        (signed(HEAD + merchant(extra=raw("03", "x")) + TAIL), "38: unexpected"),
        (
            signed(HEAD + raw("38", raw("00", "A000000727") + raw("02", "QRIBFTTA")) + TAIL),
            "38.01 \\(beneficiary",
        ),
        # Amount (54): whole dong only.
        *[
            (signed(HEAD + MERCHANT + raw("53", "704") + raw("54", amount) + raw("58", "VN")), "field 54")
            for amount in (
                "50000.00",
                "50000.",
                "+50000",
                "-50000",
                "0",
                "050000",
                "50,000",
                "50 000",
                "1" * 14,
                "5e4",
            )
        ],
        # Template 62: sub-field limits, and no punctuation-free bypass of the 25-character purpose limit.
        (
            signed(HEAD + MERCHANT + raw("53", "704") + raw("58", "VN") + raw("62", raw("08", "A" * 26))),
            "62.08",
        ),
        (
            signed(HEAD + MERCHANT + raw("53", "704") + raw("58", "VN") + raw("62", raw("01", "B" * 26))),
            "62.01",
        ),
        (
            signed(HEAD + MERCHANT + raw("53", "704") + raw("58", "VN") + raw("62", raw("09", "AMEX"))),
            "62.09",
        ),
        (
            signed(HEAD + MERCHANT + raw("53", "704") + raw("58", "VN") + raw("62", raw("50", "0005x"))),
            "62.50",
        ),
        (signed(HEAD + MERCHANT + raw("53", "704") + raw("58", "VN") + raw("80", "00")), "80"),
    ],
)
def test_malformed_payloads_are_rejected(payload, reason):
    with pytest.raises(InvalidPayload, match=reason):
        parse_payload(payload)


def test_crafted_payload_helpers_are_sound():
    # The malformed cases above only mean something if the unaltered crafted payload parses.
    assert signed(HEAD + merchant() + TAIL) == OWN_EXAMPLE
    assert parse_payload(
        signed(
            HEAD
            + MERCHANT
            + raw("52", "0000")
            + raw("53", "704")
            + raw("58", "VN")
            + raw("59", "x" * 25)
            + raw("60", "Son La")
            + raw("62", raw("09", "AME"))
        )
    )


@pytest.mark.parametrize("index", range(len(OWN_EXAMPLE)))
def test_every_single_character_change_is_rejected(index):
    original = OWN_EXAMPLE[index]
    for replacement in "0159AFZaz -":
        if replacement != original:
            with pytest.raises(InvalidPayload):
                parse_payload(OWN_EXAMPLE[:index] + replacement + OWN_EXAMPLE[index + 1 :])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LEPHI 7K3QX9RMTA", "LEPHI 7K3QX9RMTA"),
        ("Lệ phí hộ tịch", "Le phi ho tich"),
        ("ĐĂNG KÝ ĐẤT ĐAI đợt 2", "DANG KY DAT DAI dot 2"),
        (unicodedata.normalize("NFD", "Lệ phí hộ tịch"), "Le phi ho tich"),
        ("Phí: 50.000đ (tiền mặt)", "Phi 50 000d tien mat"),
        ("gen by go-vietqr", "gen by go vietqr"),
        ("Lệ phí – hộ tịch “SL”", "Le phi ho tich SL"),  # non-ASCII punctuation becomes a space too
        ("SL7K\u200b2M", "SL7K2M"),  # zero-width space dropped, not turned into a gap
        ("\tLEPHI\n\n SL7K ", "LEPHI SL7K"),
        ("Thuý Hoà Thúy Hòa", "Thuy Hoa Thuy Hoa"),
        ("x" * 25, "x" * 25),
    ],
)
def test_normalise_reference(text, expected):
    assert normalise_reference(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "!!! ---",
        "x" * 26,
        "Lệ phí hộ tịch tháng 12 năm",
        "Lệ phí 中文",
        "Ørsted",
    ],
)
def test_normalise_reference_rejects(text):
    with pytest.raises(InvalidPayload):
        normalise_reference(text)


GOOD = dict(bin="970436", account="0011001234567", amount=50000, reference="LEPHI 7K3QX9RMTA")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (dict(bin="97043"), "BIN"),
        (dict(bin="９７０４３６"), "BIN"),  # full-width digits: \d would accept them
        (dict(bin=970436), "BIN"),
        (dict(account=""), "account"),
        (dict(account="0" * 20), "account"),
        (dict(account="0011-001234"), "account"),
        (dict(account="Đ011"), "account"),
        (dict(service="QRPUSH"), "service"),
        (dict(amount=None), "amount and a reference"),
        (dict(reference=""), "amount and a reference"),
        (dict(amount=0), "amount"),
        (dict(amount=-50000), "amount"),
        (dict(amount=MAX_AMOUNT + 1), "amount"),
        (dict(amount=50000.0), "amount"),
        (dict(amount=True), "amount"),
        (dict(amount="50000"), "amount"),
        (dict(dynamic=False), "static QR carries no amount"),
        (dict(reference="!!!"), "reference"),
        (dict(reference="x" * 26), "reference"),
        (dict(reference="Lệ phí hộ tịch SL7K2M9Q4XAB"), "reference"),  # 27 characters once folded
        (dict(reference="Lệ phí 中文"), "no ASCII form"),
        (dict(reference=12345), "reference must be text"),
    ],
)
def test_build_rejects(change, reason):
    with pytest.raises(InvalidPayload, match=reason):
        build_payload(**(GOOD | change))


def test_build_static_without_reference_omits_62():
    payload = build_payload(bin="970436", account="0011001234567", amount=None, reference="", dynamic=False)
    assert "62" not in decode_tlv(payload)
    assert parse_payload(payload).reference == ""


VIETNAMESE = "".join(
    unicodedata.normalize("NFC", base + tone)
    for base in "aăâeêioôơuưy"
    for tone in ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
)
TEXT_ALPHABET = VIETNAMESE + VIETNAMESE.upper() + "đĐbcdghklmnpqrstvx" + "0123456789" + "  .,-:/()"
references = st.text(alphabet=TEXT_ALPHABET, min_size=1, max_size=25).filter(
    lambda text: any(char.isalnum() for char in text)
)


@settings(database=None, max_examples=300)
@given(
    bank_bin=st.from_regex(r"[0-9]{6}", fullmatch=True),
    account=st.from_regex(r"[A-Za-z0-9]{1,19}", fullmatch=True),
    amount=st.integers(1, MAX_AMOUNT),
    reference=references,
    form=st.sampled_from(["NFC", "NFD"]),
    service=st.sampled_from([SERVICE_ACCOUNT, SERVICE_CARD]),
)
def test_build_parse_round_trip(bank_bin, account, amount, reference, form, service):
    reference = unicodedata.normalize(form, reference)
    payload = build_payload(
        bin=bank_bin, account=account, amount=amount, reference=reference, service=service
    )
    parsed = parse_payload(payload)
    assert (parsed.bin, parsed.account, parsed.service, parsed.amount, parsed.dynamic) == (
        bank_bin,
        account,
        service,
        amount,
        True,
    )
    assert parsed.reference == normalise_reference(reference)
    assert parsed.reference.isascii() and len(parsed.reference) <= 25
    assert parsed.warnings in ((), ("account is not all digits",))
    assert (
        build_payload(
            bin=parsed.bin,
            account=parsed.account,
            amount=parsed.amount,
            reference=parsed.reference,
            service=parsed.service,
        )
        == payload
    )


@settings(database=None, max_examples=300)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=200))
def test_signed_garbage_is_rejected_or_sound(body):
    # A correct CRC over arbitrary content must still fail cleanly, never crash or half-parse.
    try:
        parsed = parse_payload(signed(body))
    except InvalidPayload:
        return
    assert parsed.currency == "704" and parsed.country == "VN" and len(parsed.bin) == 6


@settings(database=None, max_examples=300)
@given(st.text(max_size=300))
def test_arbitrary_text_raises_only_invalid_payload(text):
    with pytest.raises(InvalidPayload):
        parse_payload(text)
