"""VietQR payloads (NAPAS profile of EMVCo merchant-presented QR): build, parse, CRC. Pure: stdlib only.

Rules: VIETQR.md. We emit only the canonical form it recommends (fields 00, 01, 38, 53, 54, 58, 62, 63 in
that order, ASCII, upper-case CRC) and parse strictly: whatever its §9 calls an error raises
InvalidPayload, so a damaged or foreign code never turns into a payment to a wrong account or of a wrong
amount. What §9 calls risky but allowed is reported in `VietQRPayload.warnings`.
"""

import re
import unicodedata
from dataclasses import dataclass

from portal.domain.errors import ReasonedError
from portal.domain.text import clean

NAPAS_GUID = "A000000727"
SERVICE_ACCOUNT, SERVICE_CARD = "QRIBFTTA", "QRIBFTTC"  # transfer to an account / to a card
CURRENCY_VND, COUNTRY_VN = "704", "VN"
MAX_REFERENCE_LENGTH = 25  # 62.08 maximum (EMVCo/NAPAS); banks may cut longer memos
MAX_AMOUNT = 10**13 - 1  # field 54 holds at most 13 characters
MAX_PAYLOAD_LENGTH = 512

_TWO_DIGITS = re.compile(r"[0-9]{2}")  # [0-9], not \d: \d also matches other scripts' digits
_PRINTABLE = re.compile(r"[\x20-\x7e]*")  # EMVCo "ans"
_BIN, _ACCOUNT = re.compile(r"[0-9]{6}"), re.compile(r"[A-Za-z0-9]{1,19}")
_AMOUNT = re.compile(r"[1-9][0-9]{0,12}")  # whole dong: no sign, decimals, separators or leading zero
_PURPOSE = re.compile(r"[A-Za-z0-9 ]*")
_NOT_PURPOSE = re.compile(r"[^A-Za-z0-9 ]+")
_LIMITS = {"59": 25, "60": 15, "61": 10} | {f"62.{i:02d}": 25 for i in range(1, 9)} | {"62.09": 3}


class InvalidPayload(ReasonedError):
    """A payload, or the data given to build one, breaks a VIETQR.md rule; `reason` says which."""


@dataclass(frozen=True)
class VietQRPayload:
    """A parsed VietQR. `amount` is None and `reference` (62.08) is "" when the code carries none."""

    bin: str
    account: str
    service: str
    amount: int | None
    currency: str
    country: str
    reference: str
    dynamic: bool
    crc: str
    warnings: tuple[str, ...] = ()


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR): EMVCo field 63."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def crc_hex(body: str) -> str:
    """Field 63's value for `body` (everything up to and including "6304"): 4 upper-case hex digits."""
    return f"{crc16(body.encode('ascii')):04X}"


def encode_tlv(tag: str, value: str) -> str:
    """ID + length + value, or "" for an empty value (EMVCo omits empty fields, never writes length 00).

    Over 99 characters raises: keeping only two length digits, as some generators do, would silently
    corrupt the whole payload.
    """
    if not value:
        return ""
    if not _TWO_DIGITS.fullmatch(tag) or len(value) > 99 or not _PRINTABLE.fullmatch(value):
        raise InvalidPayload(f"field {tag!r}: needs a 2-digit id and 1-99 printable ASCII characters")
    return f"{tag}{len(value):02d}{value}"


def decode_tlv(text: str, where: str = "payload") -> dict[str, str]:
    """Split `text` into {id: value}, in order, checking IDs, lengths, overruns and duplicates.

    `where` names the template in messages. A nested template is decoded by calling this again on its
    value, so an inner length can never reach past its parent.
    """
    fields: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        tag, length = text[pos : pos + 2], text[pos + 2 : pos + 4]
        if len(text) - pos < 4:
            raise InvalidPayload(f"{where}: {len(text) - pos} dangling character(s) at position {pos}")
        if not _TWO_DIGITS.fullmatch(tag) or not _TWO_DIGITS.fullmatch(length) or length == "00":
            raise InvalidPayload(f"{where}: bad field header {text[pos : pos + 4]!r} at position {pos}")
        end = pos + 4 + int(length)
        if end > len(text):
            raise InvalidPayload(
                f"{where}: field {tag} says {length} characters, only "
                f"{len(text) - pos - 4} remain (truncated?)"
            )
        if tag in fields:
            raise InvalidPayload(f"{where}: field {tag} appears twice")
        fields[tag], pos = text[pos + 4 : end], end
    return fields


def normalise_reference(text: str) -> str:
    """The transfer memo for 62.08 (VIETQR.md §4): ASCII letters, digits and single spaces, ≤ 25.

    Diacritics go (NFD, drop marks, then đ/Đ by hand: they have no decomposition); case stays; other
    punctuation becomes a space, as the doc says. A letter or digit with no ASCII form (中, ø) raises
    instead: dropping it would change the reference. Too long raises too: a bank truncating the memo
    could cut the code the transfer is matched on.
    """
    if not isinstance(text, str):
        raise InvalidPayload("reference must be text")
    decomposed = unicodedata.normalize("NFD", clean(text))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").replace("đ", "d")
    bare = bare.replace("Đ", "D")
    if foreign := [ch for ch in bare if not ch.isascii() and unicodedata.category(ch)[0] in "LN"]:
        raise InvalidPayload(f"reference: {foreign[0]!r} has no ASCII form")
    result = " ".join(_NOT_PURPOSE.sub(" ", bare).split())
    if not 0 < len(result) <= MAX_REFERENCE_LENGTH:
        raise InvalidPayload(f"reference {result!r} must be 1-25 characters once normalised")
    return result


def build_payload(
    *,
    bin: str,
    account: str,
    amount: int | None,
    reference: str,
    dynamic: bool = True,
    service: str = SERVICE_ACCOUNT,
) -> str:
    """A VietQR for a NAPAS 247 transfer to `account` at the bank with 6-digit `bin`.

    Dynamic (01=12, the portal's per-fee QR) needs an amount in whole dong and a reference to match the
    transfer on; static (01=11) takes no amount (VIETQR.md §11: "always 12 with amount") and an optional
    reference ("" omits 62). The reference goes through normalise_reference.
    """
    _require(
        (
            (isinstance(bin, str) and _BIN.fullmatch(bin), f"bank BIN {bin!r} must be 6 digits"),
            (
                isinstance(account, str) and _ACCOUNT.fullmatch(account),
                "account must be 1-19 letters or digits",
            ),
            (service in (SERVICE_ACCOUNT, SERVICE_CARD), f"service {service!r} is not QRIBFTTA or QRIBFTTC"),
            (
                not dynamic or (amount is not None and reference),
                "a dynamic QR needs an amount and a reference",
            ),
            (dynamic or amount is None, "a static QR carries no amount; use a dynamic one"),
            (
                amount is None or (type(amount) is int and 0 < amount <= MAX_AMOUNT),
                f"amount {amount!r} must be whole dong, 1 to {MAX_AMOUNT}",
            ),
        )
    )
    purpose = normalise_reference(reference) if reference else ""
    beneficiary = encode_tlv("00", bin) + encode_tlv("01", account)
    merchant = encode_tlv("00", NAPAS_GUID) + encode_tlv("01", beneficiary) + encode_tlv("02", service)
    body = (
        encode_tlv("00", "01")
        + encode_tlv("01", "12" if dynamic else "11")
        + encode_tlv("38", merchant)
        + encode_tlv("53", CURRENCY_VND)
        + encode_tlv("54", "" if amount is None else str(amount))
        + encode_tlv("58", COUNTRY_VN)
        + encode_tlv("62", encode_tlv("08", purpose))
        + "6304"
    )
    return body + crc_hex(body)


def _require(rules: tuple[tuple[object, str], ...]) -> None:
    """Raise InvalidPayload with the message of the first rule whose condition is false."""
    for ok, reason in rules:
        if not ok:
            raise InvalidPayload(reason)


def _beneficiary(value: str) -> tuple[str, str, str]:
    """BIN, account and service from template 38, which must hold exactly the NAPAS sub-fields."""
    fields = decode_tlv(value, "38")
    inner = decode_tlv(fields.get("01", ""), "38.01")
    bank_bin, account, service = inner.get("00", ""), inner.get("01", ""), fields.get("02", "")
    _require(
        (
            (set(fields) <= {"00", "01", "02"}, f"38: unexpected sub-fields in {sorted(fields)}"),
            (fields.get("00") == NAPAS_GUID, f"38.00: GUID {fields.get('00')!r} is not NAPAS {NAPAS_GUID}"),
            ("01" in fields, "38.01 (beneficiary: bank BIN and account) is missing"),
            (
                set(inner) <= {"00", "01"},
                f"38.01 may hold only 00 and 01, not {sorted(inner)} (02 is beside it)",
            ),
            (_BIN.fullmatch(bank_bin), f"38.01.00: bank BIN {bank_bin!r} is not 6 digits"),
            (_ACCOUNT.fullmatch(account), f"38.01.01: account {account!r} is not 1-19 letters or digits"),
            (
                service in (SERVICE_ACCOUNT, SERVICE_CARD),
                f"38.02: service {service!r} is not QRIBFTTA/QRIBFTTC",
            ),
        )
    )
    return bank_bin, account, service


def _check_other_fields(root: dict[str, str]) -> None:
    """Optional root fields and the TLV syntax and lengths inside every template besides 38."""
    for tag, value in root.items():
        number = int(tag)
        _require(
            (
                # 55-57 (tip, convenience fee) would change what the payer pays; 65-79 are reserved.
                (not (55 <= number <= 57 or 65 <= number <= 79), f"field {tag} is not allowed in a VietQR"),
                (tag != "52" or re.fullmatch(r"[0-9]{4}", value), f"52: category {value!r} is not 4 digits"),
                (len(value) <= _LIMITS.get(tag, 99), f"field {tag}: {len(value)} characters is too long"),
            )
        )
        if 26 <= number <= 51 or number in (62, 64) or number >= 80:  # templates
            for sub, sub_value in decode_tlv(value, tag).items():
                if len(sub_value) > _LIMITS.get(f"{tag}.{sub}", 99):
                    raise InvalidPayload(f"{tag}.{sub}: {len(sub_value)} characters is too long")
                if tag == "62" and int(sub) >= 50:  # 62.50-99 are templates too
                    decode_tlv(sub_value, f"62.{sub}")


def parse_payload(text: str) -> VietQRPayload:
    """Decode and validate a scanned VietQR; raise InvalidPayload saying what is wrong.

    The CRC is checked first, so a damaged scan reports "CRC mismatch" rather than a puzzling field
    error; then every TLV level and every error rule of VIETQR.md §9.
    """
    if not isinstance(text, str) or not _PRINTABLE.fullmatch(text):
        raise InvalidPayload("payload must be printable ASCII text (no accents, no control characters)")
    if len(text) > MAX_PAYLOAD_LENGTH:
        raise InvalidPayload(f"payload has {len(text)} characters, more than {MAX_PAYLOAD_LENGTH}")
    if len(text) < 8 or text[-8:-4] != "6304":
        raise InvalidPayload("payload does not end with the CRC field 6304xxxx (truncated?)")
    crc = text[-4:]
    if crc.upper() != (expected := crc_hex(text[:-4])):
        raise InvalidPayload(f"CRC mismatch: the code says {crc!r}, its content gives {expected!r}")
    root = decode_tlv(text)
    tags, amount_text = list(root), root.get("54")
    _require(
        (
            (
                tags[0] == "00" and root["00"] == "01",
                "field 00 (payload format) must come first with value 01",
            ),
            (tags[-1] == "63", "field 63 (CRC) must come last"),
            (root.get("01") in ("11", "12"), f"field 01 (initiation) is {root.get('01')!r}, not 11 or 12"),
            ("38" in root, "field 38 (NAPAS beneficiary) is missing"),
            (root.get("53") == CURRENCY_VND, f"field 53 (currency) is {root.get('53')!r}, not 704 (VND)"),
            (root.get("58") == COUNTRY_VN, f"field 58 (country) is {root.get('58')!r}, not VN"),
            (
                amount_text is None or _AMOUNT.fullmatch(amount_text),
                f"field 54 (amount) {amount_text!r} is "
                "not whole dong: digits only, no sign, decimals or leading zero, at most 13",
            ),
        )
    )
    bank_bin, account, service = _beneficiary(root["38"])
    _check_other_fields(root)
    reference = decode_tlv(root["62"], "62").get("08", "") if "62" in root else ""
    dynamic = root["01"] == "12"
    warnings = tuple(
        message
        for risky, message in (
            (not _PURPOSE.fullmatch(reference), "purpose has punctuation some banks drop"),
            (dynamic and amount_text is None, "dynamic QR (12) without an amount"),
            (not dynamic and amount_text is not None, "static QR (11) with an amount"),
            (crc != crc.upper(), "CRC in lower case"),
            (tags[1:-1] != sorted(tags[1:-1]), "fields not in ascending order"),
            (not account.isdigit(), "account is not all digits"),
            (any(t != "38" and (26 <= int(t) <= 51 or int(t) >= 64) for t in tags[:-1]), "extra templates"),
        )
        if risky
    )
    return VietQRPayload(
        bin=bank_bin,
        account=account,
        service=service,
        amount=None if amount_text is None else int(amount_text),
        currency=root["53"],
        country=root["58"],
        reference=reference,
        dynamic=dynamic,
        crc=crc,
        warnings=warnings,
    )
