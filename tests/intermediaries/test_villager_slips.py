"""A report filed for a villager without a phone (walk-through 2): the same "print the slip now" warning as
a dossier's, a slip that speaks of a report ("phản ánh") and tells how the villager will learn the answer
(back to the intermediary who filed it, not a call nor the one-stop desk), later prints without the QR that
still say so; the staff page says there is no phone and warns before a request for information; the
intermediary's menu leads to their list; the procedure picker in Vietnamese alphabetical order."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.catalog.models import Procedure
from portal.domain.collation import sort_key
from portal.extensions import db
from tests.support.clients import sign_in
from tests.support.factories import make_account
from tests.support.feedback import by_code

from .test_dossiers import file_dossier, filed_code
from .test_intermediaries import file_report, intermediary


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _filed_without_phone(app):
    person = intermediary(full_name="Cầm Văn Hùng")
    client = sign_in(app.test_client(), person)
    response = file_report(client, villager_phone="")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return person, client, response.headers["Location"].rsplit("/", 1)[1]


def test_a_report_without_a_phone_warns_to_print_the_slip_now_like_a_dossier(app):
    _person, client, code = _filed_without_phone(app)
    page = _text(client.get(f"/intermediary/feedback/{code}"))
    assert "Hãy in phiếu ngay" in page and "theo dõi phản ánh" in page
    assert "Người dân không để lại số điện thoại" in page
    dossier_page = _text(client.get(f"/intermediary/dossiers/{filed_code(file_dossier(client, phone=''))}"))
    assert "Hãy in phiếu ngay" in dossier_page and "theo dõi hồ sơ" in dossier_page


def test_the_report_slip_speaks_of_a_report_and_of_coming_back_to_the_intermediary(app):
    _person, client, code = _filed_without_phone(app)
    slip = _text(client.get(f"/intermediary/feedback/{code}/slip"))
    assert "slip-qr" in slip
    assert "Quét mã QR để xem phản ánh của bạn" in slip and "xem hồ sơ" not in slip
    assert "gọi điện hoặc nhắn tin cho bạn" not in slip  # there is no phone to call
    assert "mang phiếu này quay lại gặp Cầm Văn Hùng (UBND Phường Tô Hiệu)" in slip
    assert "Bộ phận Một cửa" not in slip  # a report is not the one-stop desk's
    dossier_code = filed_code(file_dossier(client, phone=""))
    dossier_slip = _text(client.get(f"/intermediary/dossiers/{dossier_code}/slip"))
    assert "Quét mã QR để xem hồ sơ của bạn" in dossier_slip and "xem phản ánh" not in dossier_slip


def test_a_later_print_of_the_report_slip_says_where_to_come_back_without_the_qr(app):
    """The report's private link is stored only as a hash: a later session cannot print its QR."""
    person, _client, code = _filed_without_phone(app)
    later = sign_in(app.test_client(), person)
    slip = _text(later.get(f"/intermediary/feedback/{code}/slip?lang=en"))
    assert code in slip and "slip-qr" not in slip
    assert "PHIẾU THEO DÕI PHẢN ÁNH" in slip  # Vietnamese whatever the officer's page language
    assert "Bộ phận Một cửa" not in slip and "căn cước" not in slip
    assert "mang phiếu này quay lại gặp Cầm Văn Hùng (UBND Phường Tô Hiệu)" in slip
    assert "Cần hỏi: gặp Cầm Văn Hùng (UBND Phường Tô Hiệu)" in slip
    with_phone = file_report(sign_in(app.test_client(), person))
    phone_code = with_phone.headers["Location"].rsplit("/", 1)[1]
    slip = _text(later.get(f"/intermediary/feedback/{phone_code}/slip"))
    assert "4 số cuối của số điện thoại" in slip and "http://localhost/track" in slip


def test_the_staff_page_says_no_phone_and_warns_before_asking_for_information(app):
    _person, _client, code = _filed_without_phone(app)
    item = by_code(code)
    staff = sign_in(app.test_client(), make_account("leader", agency=item.agency.slug))
    page = _text(staff.get(f"/staff/feedback/{code}"))
    assert "(số đầy đủ chỉ hiển thị" not in page
    assert "không có số điện thoại — gửi qua Cầm Văn Hùng (UBND Phường Tô Hiệu)" in page
    assert "họ sẽ không nhận được yêu cầu này. Hãy báo cho Cầm Văn Hùng" in page
    # With a phone, neither.
    other = file_report(sign_in(app.test_client(), intermediary()))
    page = _text(staff.get(f"/staff/feedback/{other.headers['Location'].rsplit('/', 1)[1]}"))
    assert "không có số điện thoại" not in page and "sẽ không nhận được yêu cầu này" not in page


def test_the_intermediarys_menu_leads_to_their_list_and_the_back_link_names_it_alike(app):
    _person, client, code = _filed_without_phone(app)
    page = _text(client.get(f"/intermediary/feedback/{code}"))
    nav = page.split('class="wrap main-nav"')[1].split("</nav>")[0]
    assert '<a href="/intermediary">Việc tôi đã gửi thay</a>' in nav
    assert '<a href="/intermediary">Về danh sách việc tôi đã gửi thay</a>' in page
    # A citizen's menu has no such link.
    citizen = sign_in(app.test_client(), make_account("citizen"))
    assert 'href="/intermediary"' not in _text(citizen.get("/"))


def test_the_procedure_picker_is_in_vietnamese_order(app):
    online = db.session.scalars(
        select(Procedure).where(Procedure.online_level.in_(("full", "partial")), Procedure.is_active)
    ).all()
    assert len(online) >= 4
    # Byte order: "Cấp P" < "Cấp b" (P < b) and "Xác" < "Đăng" (Đ is U+0110); Vietnamese: b < p, Đ after D.
    names = ["Xác nhận tình trạng", "Đăng ký tạm trú", "Cấp Phiếu lý lịch", "Cấp bản sao trích lục"]
    for procedure, name in zip(online, names, strict=False):
        procedure.name = name
    db.session.flush()
    client = sign_in(app.test_client(), intermediary())
    body = client.get("/intermediary/dossiers/new").get_data(as_text=True)
    shown = [
        re.sub(r"\s+", " ", n).strip() for n in re.findall(r'<option value="[^"]*" lang="vi">([^<]*)<', body)
    ]
    assert shown == sorted(shown, key=sort_key)
    assert (
        shown.index("Cấp bản sao trích lục")
        < shown.index("Cấp Phiếu lý lịch")
        < shown.index("Đăng ký tạm trú")
        < shown.index("Xác nhận tình trạng")
    )
