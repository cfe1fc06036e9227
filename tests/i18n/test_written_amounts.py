"""Every amount of dong on a page is written by one formatter, `portal.i18n.vnd` (walk-through of the demo,
regression).

The catalogue's fee notes (from the legal texts, which write the printed forms' "đ") were shown as stored, so
a procedure page read "20.000 ₫ tại quầy; 10.000 ₫ khi nộp trực tuyến" over "20.000 đ nộp trực tiếp; 10.000 đ
nộp trực tuyến", and the officer's dossier page the same; an officer's fee basis too. The amounts in those
texts are now written by vnd() as they are shown (`vnd_in_text`): in Vietnamese, the texts' language (they
are marked lang="vi"), on English pages too. The SMS asking for a fee, which cannot carry "₫" and says "đồng"
/ "VND" in words, takes its digits from vnd() as well.
"""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from portal.domain.dossier_status import DossierAction as A
from portal.dossiers import operations
from portal.extensions import db
from portal.i18n import vnd, vnd_in_text
from tests.support.clients import signed_in
from tests.support.dossiers import make_dossier
from tests.support.factories import account

PERMANENT_RESIDENCE = "1.004222"  # fee note "20.000 đ nộp trực tiếp; 10.000 đ nộp trực tuyến (…)"
HOUSEHOLD_BUSINESS = "1.001612"  # no amount; note "Lệ phí theo NQ HĐND tỉnh (nhiều tỉnh 50.000–100.000 đ, …)"
NBSP = "\u00a0"
# A hand-written sign beside an amount: "20.000 đ", "20.000đ/trang", "5 VNĐ" (not "đồng", a word).
HAND_WRITTEN = re.compile(r"\d\s*(?:đ|VNĐ)(?![^\W\d_])")


def visible(body: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S))


@pytest.mark.parametrize("page_language", ["vi", "en"])
def test_amounts_written_in_a_text_are_written_as_vnd_writes_them(app, page_language):
    with app.test_request_context(f"/?lang={page_language}"), force_locale(page_language):
        assert vnd_in_text("20.000 đ nộp trực tiếp; 10.000 đ nộp trực tuyến") == (
            f"20.000{NBSP}₫ nộp trực tiếp; 10.000{NBSP}₫ nộp trực tuyến"
        )
        assert (
            vnd_in_text("2.000 đ/trang; tối đa 200.000đ/bản")
            == f"2.000{NBSP}₫/trang; tối đa 200.000{NBSP}₫/bản"
        )
        assert vnd_in_text("nhiều tỉnh 50.000–100.000 đ") == f"nhiều tỉnh 50.000{NBSP}₫–100.000{NBSP}₫"
        assert vnd_in_text("1.500.000 VNĐ; 1,500,000 VND") == f"1.500.000{NBSP}₫; 1.500.000{NBSP}₫"
        assert vnd_in_text("(100.000 đ)") == f"(100.000{NBSP}₫)"
        # Not amounts with a sign: the word "đồng", an article "Đ.7", a year and a legal text's number.
        for kept in ("1.500.000 đồng", "NĐ 23/2015 (Đ.7)", "Luật 2020 Đ.26", "TT 75/2022 - 20 trang", ""):
            assert vnd_in_text(kept) == kept
        assert vnd_in_text(None) == ""
        # The same formatter as every other amount, in the text's language (Vietnamese: "20,000" would read
        # as twenty in a Vietnamese sentence); English only when asked for.
        assert vnd_in_text("20.000 đ") == vnd(20000, locale="vi")
        assert vnd_in_text("20.000 đ", locale="en") == f"20,000{NBSP}₫"


@pytest.mark.parametrize(
    ("lang", "fee"),
    [
        ("vi", f"20.000{NBSP}₫ tại quầy; 10.000{NBSP}₫ khi nộp trực tuyến"),
        ("en", f"20,000{NBSP}₫ at the counter; 10,000{NBSP}₫ when submitted online"),
    ],
)
def test_a_procedure_page_writes_its_fee_note_amounts_with_the_sign_of_its_fees(client, lang, fee):
    body = client.get(f"/procedures/{PERMANENT_RESIDENCE}?lang={lang}").get_data(as_text=True)
    assert fee in body
    assert f'<span class="small" lang="vi">20.000{NBSP}₫ nộp trực tiếp; 10.000{NBSP}₫ nộp trực tuyến' in body
    assert HAND_WRITTEN.findall(visible(body)) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_officer_page_writes_the_fee_note_and_the_fee_basis_with_one_sign(app, lang):
    dossier = make_dossier(HOUSEHOLD_BUSINESS, received=True)
    processor = account("processor")
    operations.staff_act(dossier, A.START, processor)
    operations.staff_act(
        dossier,
        A.REQUEST_FEE,
        processor,
        fee_vnd=100_000,
        fee_basis="Nghị quyết 12/2026/NQ-HĐND: 100.000 đ/hộ",
    )
    db.session.commit()
    body = signed_in(app, processor).get(f"/staff/dossiers/{dossier.code}?lang={lang}").get_data(as_text=True)
    amount = f"100.000{NBSP}₫" if lang == "vi" else f"100,000{NBSP}₫"
    assert f'{amount} (<span lang="vi">Nghị quyết 12/2026/NQ-HĐND: 100.000{NBSP}₫/hộ</span>)' in body
    assert f"nhiều tỉnh 50.000{NBSP}₫–100.000{NBSP}₫, miễn khi nộp trực tuyến" in body
    assert HAND_WRITTEN.findall(visible(body)) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_fee_sms_groups_the_amount_as_vnd_does(app, lang):
    from portal.sms import notices

    dossier = make_dossier(PERMANENT_RESIDENCE, received=True)
    dossier.fee_vnd, dossier.locale = 1_500_000, lang
    with app.test_request_context(), force_locale(lang):
        text = notices._dossier_text(dossier, "request_fee")
    assert text is not None
    assert ("1.500.000 đồng" if lang == "vi" else "1,500,000 VND") in text
