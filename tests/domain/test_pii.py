"""Personal details in free text (portal/domain/pii.py): what is found, what is left alone, how it is masked."""

import pytest

from portal.domain import pii

FOUND = [
    # Mobiles as people type them (VIETNAM.md §9): spaces, dots, hyphens, +84, 84, (+84).
    ("gọi 0912345678 nhé", "phone", "0912345678"),
    ("SĐT: 0912 345 678.", "phone", "0912 345 678"),
    ("0912.345.678", "phone", "0912.345.678"),
    ("0912-345-678", "phone", "0912-345-678"),
    ("liên hệ +84 912 345 678", "phone", "+84 912 345 678"),
    ("84912345678", "phone", "84912345678"),
    ("(+84) 389 123 456", "phone", "(+84) 389 123 456"),
    ("Zalo 0389 12 34 56", "phone", "0389 12 34 56"),
    # A Sơn La landline: 0212 and 7 digits.
    ("bàn 0212 3852 123", "phone", "0212 3852 123"),
    ("e-mail pom.lo@example.com.vn!", "email", "pom.lo@example.com.vn"),
    ("A_b+tag@gmail.com", "email", "A_b+tag@gmail.com"),
    # CCCD: 12 digits, alone or in groups.
    ("CCCD 014095001234 cấp", "cccd", "014095001234"),
    ("số 014 095 001 234", "cccd", "014 095 001 234"),
    ("0140.9500.1234", "cccd", "0140.9500.1234"),
    # Licence plates: car, motorbike, older 4-digit plates.
    ("xe 26A-123.45 đỗ", "plate", "26A-123.45"),
    ("xe máy 26B1-234.56", "plate", "26B1-234.56"),
    ("29A 12345", "plate", "29A 12345"),
    ("26B1 234.56", "plate", "26B1 234.56"),
    ("biển 26-B1 234.56", "plate", "26-B1 234.56"),
    ("26LD-1234", "plate", "26LD-1234"),
]

LEFT_ALONE = [
    "Đường tổ 3 sạt lở 20 m, từ ngày 12/11/2026.",
    "Kinh phí 1.500.000 đồng cho 25 hộ.",
    "Quốc lộ 6, km 302+500",
    "Gọi 112 hoặc 114 khi cháy",
    "mã PA-261206-0001",
    "năm 2026 có 365 ngày",
    "12345678901",  # 11 digits: neither a phone (no prefix) nor a CCCD
    "email at example dot com",
]


@pytest.mark.parametrize(("text", "kind", "fragment"), FOUND)
def test_found(text, kind, fragment):
    found = pii.find(text)
    assert [(f.kind, f.text) for f in found] == [(kind, fragment)]
    assert pii.kinds(text) == [kind]


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_left_alone(text):
    assert pii.find(text) == []
    assert pii.mask(text) == text


def test_mask_hides_every_letter_and_digit_and_keeps_the_shape():
    text = "Gọi 0912.345.678 hoặc pom@example.com, CCCD 014095001234, xe 26A-123.45."
    assert pii.mask(text) == "Gọi ****.***.*** hoặc ***@*******.***, CCCD ************, xe ***-***.**."
    assert pii.kinds(text) == ["email", "cccd", "phone", "plate"]


def test_empty():
    assert pii.mask("") == ""
    assert pii.find("") == []


@pytest.mark.parametrize(
    ("text", "name", "shown"),
    [
        ("Cảm ơn ông Lò Văn Thành đã báo.", "Lò Văn Thành", "Cảm ơn ông ** *** ***** đã báo."),
        ("cảm ơn LÒ VĂN THÀNH", "Lò Văn Thành", "cảm ơn ** *** *****"),  # any case
        ("Lò  Văn\nThành", "Lò Văn Thành", "**  ***\n*****"),  # any spacing between the words
        ("Lò Văn Thành, Lò Văn Thành.", "  Lò   Văn Thành ", "** *** *****, ** *** *****."),
        # A one-word name is an ordinary word too often ("thành phố"): not looked for.
        ("thành phố Sơn La", "Thành", "thành phố Sơn La"),
        # Whole words only: a longer name that begins with it is someone else.
        ("Lò Văn Thànhh", "Lò Văn Thành", "Lò Văn Thànhh"),
        ("", "Lò Văn Thành", ""),
        ("Lò Văn Thành", "", "Lò Văn Thành"),
        # The tone mark where the typist put it, or no marks at all (the review of 07/12/2026).
        ("Cảm ơn bà Nguyễn Thị Thuý", "Nguyễn Thị Thúy", "Cảm ơn bà ****** *** ****"),
        ("ông Lê Văn Hoà.", "Lê Văn Hòa", "ông ** *** ***."),
        ("ong Le Van Hoa da bao", "Lê Văn Hòa", "ong ** *** *** da bao"),
        ("Đỗ Thị Đào", "do thi dao", "** *** ***"),
        # Other words with the same letters are not a name's words.
        ("Lê Văn Hoàng", "Lê Văn Hòa", "Lê Văn Hoàng"),
    ],
)
def test_mask_name(text, name, shown):
    assert pii.mask_name(text, name) == shown


def test_mask_name_finds_a_name_typed_decomposed():
    import unicodedata

    typed = unicodedata.normalize("NFD", "Cảm ơn Lò Văn Thành")
    assert pii.mask_name(typed, "Lò Văn Thành") == "Cảm ơn ** *** *****"


def test_a_text_as_published_is_staffs_redaction_or_the_citizens_masked():
    """One rule for every public view of a report's title and description (the page, the feed, Open311, the
    public search key), where there were three copies of it."""
    sent = "Đèn hỏng, gọi 0912 345 678"
    assert pii.as_published(sent, None) == "Đèn hỏng, gọi **** *** ***"
    assert pii.as_published(sent, "Đèn hỏng") == "Đèn hỏng"
    assert pii.as_published(sent, "") == ""  # staff emptied it: shown empty, not the original
    assert pii.as_published(sent, "Gọi 0912345678") == "Gọi **********"  # staff's text is masked too
