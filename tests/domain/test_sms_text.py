"""GSM-7 folding and segment counting (GSM 03.38: 160 septets a message, 153 per part of a long one;
UCS-2: 70 and 67; the extension characters take two septets)."""

from portal.domain.sms_text import fold_gsm, is_gsm, prepare, segments


def test_vietnamese_is_folded_without_diacritics_keeping_case():
    assert (
        fold_gsm("Đã nhận phản ánh của ông Lò Văn Pọm, Sơn La")
        == "Da nhan phan anh cua ong Lo Van Pom, Son La"
    )
    assert fold_gsm("ĐƯỜNG BỊ SẠT LỞ") == "DUONG BI SAT LO"
    assert fold_gsm("Thuý Hoà “đúng hẹn” – 5…") == 'Thuy Hoa "dung hen" - 5...'


def test_characters_outside_gsm_become_question_marks():
    assert fold_gsm("水 ok") == "? ok"
    assert is_gsm(fold_gsm("Hồ sơ ĐÃ XONG [1] €"))


def test_segments_gsm_and_ucs2():
    assert segments("a" * 160, "gsm7") == 1
    assert segments("a" * 161, "gsm7") == 2  # 161 septets > 160: two parts of at most 153
    assert segments("a" * 306, "gsm7") == 2
    assert segments("a" * 307, "gsm7") == 3
    assert segments("[" * 80, "gsm7") == 1  # 160 septets
    assert segments("[" * 81, "gsm7") == 2
    assert segments("ơ" * 70, "ucs2") == 1
    assert segments("ơ" * 71, "ucs2") == 2


def test_prepare_folds_unless_the_gateway_takes_unicode_and_keeps_one_message():
    long = "Phản ánh PA-261206-0001 đã được tiếp nhận. " * 8
    folded = prepare(long, unicode=False)
    assert folded.encoding == "gsm7" and folded.segments == 1
    assert len(folded.text) == 160 and folded.text.endswith("...")
    assert folded.text.startswith("Phan anh PA-261206-0001 da duoc tiep nhan.")
    unicode = prepare("Đã nhận", unicode=True)
    assert (
        unicode == prepare("Đã nhận", unicode=True)
        and unicode.encoding == "ucs2"
        and unicode.text == "Đã nhận"
    )
    assert prepare("Da nhan", unicode=True).encoding == "gsm7"  # plain text stays in the cheaper alphabet
    cut = prepare("ơ" * 100, unicode=True)
    assert cut.segments == 1 and len(cut.text) == 70
