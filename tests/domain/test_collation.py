"""Vietnamese order (VIETNAM.md §8 "Sorting"; CLDR's Vietnamese tailoring, which PyICU's vi_VN collator
applies). Each expected order is worked out by hand from the alphabet
a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y and the tone order
ngang < huyền < hỏi < ngã < sắc < nặng; the reason is beside each row."""

import unicodedata

import pytest

from portal.domain.collation import person_key, sort_key, sorted_vi


@pytest.mark.parametrize(
    ("first", "second", "why"),
    [
        ("Bắc Yên", "Bình Thuận", "ă (2nd letter) < i: Python puts 'Bình' first because i (U+0069) < ắ"),
        ("Bác", "Bắc", "a < ă at the first difference (letters before tones)"),
        ("Dương", "Đoàn Kết", "d < đ: đ is its own letter right after d"),
        ("Đoàn Kết", "Em", "đ < e: Python puts Đ (U+0110) after every ASCII letter"),
        ("Ăn", "Zô", "ă < z: Python puts Ă (U+0102) after Z"),
        ("Ông", "Ơn", "ô < ơ"),
        ("Ưng", "Vân", "ư < v"),
    ],
)
def test_letters_order(first, second, why):
    assert sort_key(first) < sort_key(second), why


@pytest.mark.parametrize(
    ("names", "why"),
    [
        (["a", "à", "ả", "ã", "á", "ạ"], "the six tones of one syllable: ngang huyền hỏi ngã sắc nặng"),
        (["ma", "mà", "mả", "mã", "má", "mạ"], "the dictionary's 'ma' family, same order"),
        (["an", "ăn", "ân", "bà"], "a < ă < â < b, whatever the tones"),
        (["o", "ô", "ơ", "p"], "o < ô < ơ < p"),
        (["u", "ư", "v"], "u < ư < v"),
        (["e", "ê", "g"], "e < ê < g"),
    ],
)
def test_sequences(names, why):
    assert sorted_vi(reversed(names)) == names, why


def test_prefix_and_space():
    # Letters compare first, a space before any letter: "Ca" (a prefix) < "Ca Mau" < "Cam"; tones only
    # break ties between equal letters.
    assert sorted_vi(["Cam", "Cà Mau", "Cả"]) == ["Cả", "Cà Mau", "Cam"]


def test_tones_are_secondary():
    # "Bà Rịa" vs "Ba Vì": letters 'ba ria' < 'ba vi' (r < v), so the tone of "Bà" does not matter.
    assert sorted_vi(["Ba Vì", "Bà Rịa"]) == ["Bà Rịa", "Ba Vì"]
    # Same letters: the first syllable's tone decides: ngang "Ba" < huyền "Bà".
    assert sorted_vi(["Bà Ba", "Ba Bà"]) == ["Ba Bà", "Bà Ba"]


def test_communes_of_son_la():
    # Hand order: Bắc Yên (b-ă) < Bình Thuận (b-i) < Chiềng An < Chiềng Cơi (a < c) < Chiềng Đen (c < đ)
    # < Chiềng Ơn (đ < ơ) < Dương < Đoàn Kết (d < đ) < Ít Ong (i) < Mộc Châu < Mường La (ô < ư)
    # < Ô Chạp (ô after every m) < Phiêng Pằn < Yên Châu.
    expected = [
        "Bắc Yên",
        "Bình Thuận",
        "Chiềng An",
        "Chiềng Cơi",
        "Chiềng Đen",
        "Chiềng Ơn",
        "Dương",
        "Đoàn Kết",
        "Ít Ong",
        "Mộc Châu",
        "Mường La",
        "Ô Chạp",
        "Phiêng Pằn",
        "Yên Châu",
    ]
    assert sorted_vi(sorted(expected)) == expected
    assert sorted_vi(reversed(expected)) == expected


def test_tone_placement_conventions_sort_alike():
    # "Hoà" and "Hòa": same letters, same tone (huyền) on the one syllable: equal up to the last tie-break.
    assert sort_key("Lương Hoà")[:3] == sort_key("Lương Hòa")[:3]
    assert sort_key("Thuý")[:3] == sort_key("Thúy")[:3]


def test_nfd_input_and_variants_of_d():
    nfd = unicodedata.normalize("NFD", "Chiềng Đen")
    assert sort_key(nfd)[:3] == sort_key("Chiềng Đen")[:3]
    # Ð (U+00D0, eth) from old TCVN3/VNI text counts as Đ: after "Dương", before "Em".
    assert sort_key("Dương") < sort_key("\u00d0oàn Kết") < sort_key("Em")
    assert sort_key("\u00d0oàn Kết")[:2] == sort_key("Đoàn Kết")[:2]


def test_full_width_letters_count_as_ordinary():
    assert sort_key("ＡＢＣ")[:2] == sort_key("ABC")[:2]


def test_case_is_tertiary():
    # Letters and tones equal: lower case first (CLDR default); case never outranks letters.
    assert sorted_vi(["Sơn La", "sơn la"]) == ["sơn la", "Sơn La"]
    assert sorted_vi(["b", "A"]) == ["A", "b"]


def test_digits():
    # Space < digits < letters; a run of digits by its value: 2 < 10.
    assert sorted_vi(["Tổ 10", "Tổ 2", "Tổ A"]) == ["Tổ 2", "Tổ 10", "Tổ A"]
    assert sorted_vi(["1.001193", "1.000894"]) == ["1.000894", "1.001193"]


def test_empty_and_whitespace():
    assert sorted_vi(["b", "", "a"]) == ["", "a", "b"]
    assert sort_key("  Sơn   La ")[:3] == sort_key("Sơn La")[:3]


def test_person_key_given_name_first():
    # Official lists: by given name (last word), then the full name. An < Bình although N(guyễn) > T(rần);
    # the two "An" tie on the given name and go by full name: Lê < Nguyễn.
    names = ["Trần Thị Bình", "Nguyễn Văn An", "Lê Thị An", "Đặng Văn Ánh"]
    assert sorted(names, key=person_key) == ["Lê Thị An", "Nguyễn Văn An", "Đặng Văn Ánh", "Trần Thị Bình"]
