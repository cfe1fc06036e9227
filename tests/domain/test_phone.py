import pytest

from portal.domain.phone import InvalidPhone, last_digits, mask, normalise_mobile


@pytest.mark.parametrize(
    "raw",
    [
        "0912 345 678",
        "0912345678",
        "0912.345.678",
        "0912-345-678",
        "(091) 234 5678",
        "+84 912345678",
        "+84 912 345 678",
        "(+84) 912-345-678",
        "84912345678",
        "0084912345678",
        "912345678",
        "０９１２３４５６７８",  # full-width digits (NFKC)
        "0912\u00a0345\u00a0678",  # no-break spaces
        "0912–345–678",  # en dashes
        " 0912345678\n",
    ],
)
def test_normalise_valid(raw):
    assert normalise_mobile(raw) == "+84912345678"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0386 123 456", "+84386123456"),  # Viettel 038
        ("0552 123 456", "+84552123456"),  # Reddi 055 (phonenumbers rejects 0552: VIETNAM.md §9)
        ("0701234567", "+84701234567"),  # MobiFone 070
        ("0888123456", "+84888123456"),  # VinaPhone 088
        ("0992123456", "+84992123456"),  # Gmobile 099
    ],
)
def test_normalise_prefixes(raw, expected):
    assert normalise_mobile(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "0212 3852 123",  # Sơn La landline
        "02123852123",
        "0123456789",  # old 11-digit era prefix / not a mobile
        "09123",
        "abc",
        "+1 555 0100",
        "",
        "   ",
        "09123456789",  # 11 digits
        "091234567",  # 9 digits with trunk 0
        "+0912345678",
        "++84912345678",
        "+084912345678",
        "0912 345 67a",
        "0912/345/678",
        "0912_345_678",
        "٠٩١٢٣٤٥٦٧٨",  # Arabic-Indic digits: not ASCII after NFKC
        "812345678x",
    ],
)
def test_normalise_invalid(raw):
    with pytest.raises(InvalidPhone):
        normalise_mobile(raw)


def test_invalid_phone_is_value_error():
    assert issubclass(InvalidPhone, ValueError)
    with pytest.raises(InvalidPhone):
        normalise_mobile(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("e164", "keep", "expected"),
    [
        ("+84912345678", 3, "*******678"),
        ("+84386123567", 3, "*******567"),
        ("+84912345678", 4, "******5678"),
        ("+84912345678", 0, "**********"),
        ("+84912345678", 10, "0912345678"),
        ("+84912345678", 20, "0912345678"),
        ("", 3, ""),
        (None, 3, ""),
    ],
)
def test_mask(e164, keep, expected):
    assert mask(e164, keep) == expected


def test_mask_default_keeps_three():
    assert mask("+84912345678") == "*******678"


def test_mask_rejects_negative_keep():
    with pytest.raises(ValueError):
        mask("+84912345678", -1)


@pytest.mark.parametrize(
    ("e164", "n", "expected"),
    [
        ("+84912345678", 4, "5678"),
        ("+84912345678", 3, "678"),
        ("+84912345678", 0, ""),
        ("+84912345678", 10, "0912345678"),
        ("", 4, ""),
        (None, 4, ""),
    ],
)
def test_last_digits(e164, n, expected):
    assert last_digits(e164, n) == expected


def test_last_digits_default_is_four():
    assert last_digits("+84912345678") == "5678"
